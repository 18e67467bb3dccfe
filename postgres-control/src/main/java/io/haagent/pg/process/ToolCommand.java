package io.haagent.pg.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run of a tool: an argument list (never a shell string), extra environment, a timeout, and whether its
 * output is parsed (then it runs with {@code LANG=C LC_ALL=C} so messages and labels are not translated).
 * Immutable; the {@code with*} methods return copies. Passwords never go into {@link #command()}: pass them
 * through a pgpass file ({@code PGPASSFILE}) or the environment.
 */
public final class ToolCommand {
    private final String tool;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Duration timeout;
    private final boolean cLocale;
    private final boolean captureStdout;
    private final Path workingDirectory;

    private ToolCommand(String tool, List<String> command, Map<String, String> environment, Duration timeout,
            boolean cLocale, boolean captureStdout, Path workingDirectory) {
        this.tool = tool;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
        this.cLocale = cLocale;
        this.captureStdout = captureStdout;
        this.workingDirectory = workingDirectory;
    }

    /**
     * @param tool    the tag for the log and reports ({@code pg_basebackup}, {@code callback on_start})
     * @param command the executable and its arguments
     */
    public static ToolCommand of(String tool, List<String> command, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command for " + tool);
        }
        return new ToolCommand(tool, command, Map.of(), timeout, true, false, null);
    }

    public ToolCommand withEnv(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new ToolCommand(tool, command, env, timeout, cLocale, captureStdout, workingDirectory);
    }

    /** Keep the caller's locale (initdb picks the new cluster's locale from it). */
    public ToolCommand withInheritedLocale() {
        return new ToolCommand(tool, command, environment, timeout, false, captureStdout, workingDirectory);
    }

    /** Keep all of stdout for parsing (it is then logged at debug level only). */
    public ToolCommand capturingStdout() {
        return new ToolCommand(tool, command, environment, timeout, cLocale, true, workingDirectory);
    }

    public ToolCommand withArgs(List<String> more) {
        List<String> c = new ArrayList<>(command);
        c.addAll(more);
        return new ToolCommand(tool, c, environment, timeout, cLocale, captureStdout, workingDirectory);
    }

    public ToolCommand withTimeout(Duration t) {
        return new ToolCommand(tool, command, environment, t, cLocale, captureStdout, workingDirectory);
    }

    public ToolCommand inDirectory(Path dir) {
        return new ToolCommand(tool, command, environment, timeout, cLocale, captureStdout, dir);
    }

    public String tool() {
        return tool;
    }

    public List<String> command() {
        return command;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public Duration timeout() {
        return timeout;
    }

    public boolean cLocale() {
        return cLocale;
    }

    public boolean captureStdout() {
        return captureStdout;
    }

    public Path workingDirectory() {
        return workingDirectory;
    }

    @Override
    public String toString() {
        return tool + " " + command;
    }
}
