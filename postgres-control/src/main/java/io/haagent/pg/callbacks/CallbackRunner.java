package io.haagent.pg.callbacks;

import io.haagent.cluster.Role;
import io.haagent.cluster.RoleNames;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.CommandLine;
import io.haagent.pg.PostgresException;
import io.haagent.pg.process.ProcessRunner;
import io.haagent.pg.process.RunningTool;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * User callbacks and hooks (§4.10). Callbacks run asynchronously as {@code <cmd...> <action> <role> <scope>}, the
 * primary's role spelled as the cluster spells it ({@link RoleNames}: {@code master} or Patroni 4's {@code primary}),
 * one at a time: a new callback kills the one still running (and its children), because only the latest state
 * change matters. {@code on_reload} has its own slot. {@code pre_promote} and {@code before_stop} run
 * synchronously with a timeout.
 */
public final class CallbackRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackRunner.class);

    private final ProcessRunner runner;
    private final Map<String, String> callbacks;
    private final String scope;
    private final Duration timeout;
    private volatile RoleNames roleNames = RoleNames.NEW_CLUSTER;
    private RunningTool current;
    private RunningTool currentReload;

    /**
     * @param callbacks {@code postgresql.callbacks}: action name → command
     * @param timeout   how long a callback may run before it is killed
     */
    public CallbackRunner(ProcessRunner runner, Map<String, String> callbacks, String scope, Duration timeout) {
        this.runner = runner;
        this.callbacks = callbacks == null ? Map.of() : Map.copyOf(callbacks);
        this.scope = scope;
        this.timeout = timeout;
    }

    /** How the primary is spelled in the role argument from now on ({@code master} or {@code primary}). */
    public void setRoleNames(RoleNames names) {
        roleNames = names == null ? RoleNames.NEW_CLUSTER : names;
    }

    /** Fires {@code action} if configured; returns the started run (or null). Never throws for a bad script. */
    public synchronized RunningTool fire(CallbackAction action, Role role) {
        String command = callbacks.get(action.wire());
        if (command == null || command.isBlank()) {
            return null;
        }
        List<String> cmd;
        try {
            cmd = new ArrayList<>(CommandLine.split(command));
        } catch (IllegalArgumentException e) {
            LOG.error("postgresql.callbacks.{}: {}; not run", action.wire(), e.getMessage());
            return null;
        }
        cmd.add(action.wire());
        cmd.add(roleNames.callback(role));
        cmd.add(scope);
        boolean reload = action == CallbackAction.ON_RELOAD;
        RunningTool previous = reload ? currentReload : current;
        if (previous != null && previous.isAlive()) {
            LOG.info("killing callback {} (pid {}): {} replaces it", previous.command().tool(), previous.pid(),
                    action.wire());
            previous.kill();
        }
        try {
            RunningTool started = runner.start(ToolCommand.of("callback " + action.wire(), cmd, timeout));
            if (reload) {
                currentReload = started;
            } else {
                current = started;
            }
            return started;
        } catch (PostgresException e) {
            LOG.error("postgresql.callbacks.{} could not start: {}", action.wire(), e.whatHappened());
            return null;
        }
    }

    /**
     * Runs a hook ({@code pre_promote}, {@code before_stop}) and waits for it.
     *
     * @return the result, or null when the hook is not configured
     */
    public ToolResult runHook(String name, String command, Duration hookTimeout) {
        if (command == null || command.isBlank()) {
            return null;
        }
        List<String> cmd;
        try {
            cmd = CommandLine.split(command);
        } catch (IllegalArgumentException e) {
            throw new PostgresException.InvalidOption("postgresql." + name, command, e.getMessage());
        }
        return runner.run(ToolCommand.of(name, cmd, hookTimeout));
    }

    @Override
    public synchronized void close() {
        // running callbacks are left to finish; their timeouts bound them
    }
}
