package io.haagent.pg.control;

import io.haagent.cluster.Role;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.ControlData;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.StopResult;
import io.haagent.pg.postmaster.PostmasterLauncher;
import io.haagent.pg.postmaster.PostmasterWatch;
import io.haagent.pg.process.ProcessTrees;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting, stopping, promoting and reloading the postmaster (§4.1). The caller ({@link LocalPostgres}) holds
 * the action lock.
 */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    private final NodeContext ctx;

    Lifecycle(NodeContext ctx) {
        this.ctx = ctx;
    }

    void start(StartRequest request) {
        DataDirectoryState state = ctx.dataDirectoryState();
        if (!state.isValid()) {
            throw new PostgresException.DataDirectoryProblem("start postgres", state);
        }
        Optional<PostmasterWatch.Tracked> running = ctx.watch.current();
        if (running.isPresent()) {
            throw new PostgresException.AlreadyRunning("start postgres", running.get().pid());
        }
        ctx.writeConfiguration(request.recovery());
        EffectiveParameters params = request.recovery().standby() ? atLeastPrimarys(ctx.effective())
                : ctx.effective();
        PostgresSettings s = ctx.settings();
        PostmasterLauncher.Target target = new PostmasterLauncher.Target(ctx.dataDir, ctx.files.postgresqlConf(),
                params.commandLineOptions(), ctx.postmasterLog(), s.toolHost(params), s.port(), s.listenHosts(),
                ctx.superuser().username(), s.database());
        Map<String, String> env = new LinkedHashMap<>();
        ctx.watch.stalePidHeldByOtherProcess().ifPresent(pid -> {
            // postmaster.pid names a live process that is not a postmaster (pid reuse after a crash): tell the new
            // postmaster it may ignore it, rather than deleting the lock file (racy if it ever were a postmaster)
            LOG.info("postmaster.pid names pid {}, which is not a postmaster: telling postgres to ignore it", pid);
            env.put("PG_GRANDPARENT_PID", Long.toString(pid));
        });
        PostmasterLauncher launcher = new PostmasterLauncher(ctx.runner, ctx.tool("postgres"),
                ctx.tool("pg_isready"), ctx.tuning.readinessPollInterval());
        long offset = PostmasterLauncher.logOffset(ctx.postmasterLog());
        PostmasterWatch.Tracked tracked = launcher.launch(target, ctx.watch, env);
        launcher.awaitReady(target, tracked, ctx.watch, request.timeout(), offset);
        ctx.role = !request.recovery().standby() ? Role.PRIMARY
                : request.callbackRole() == Role.STANDBY_LEADER ? Role.STANDBY_LEADER : Role.REPLICA;
        if (!ctx.customBootstrap) {
            // not the trusting pg_hba.conf of a custom bootstrap (§4.6): post_bootstrap puts the restored one back
            ctx.files.backup();
        }
        if (request.callback() != null) {
            ctx.callbacks.fire(request.callback(), request.callbackRole());
        }
    }

    /** pg_controldata label of each setting a hot standby needs at least as large as its primary's. */
    private static final Map<String, String> STANDBY_MINIMUMS = Map.of(
            "max_connections", "max_connections setting",
            "max_prepared_transactions", "max_prepared_xacts setting",
            "max_locks_per_transaction", "max_locks_per_xact setting",
            "max_worker_processes", "max_worker_processes setting",
            "max_wal_senders", "max_wal_senders setting");

    /**
     * Safety: a hot standby refuses to start (or stops replaying) when one of these is lower than on the primary
     * that wrote the WAL. pg_control records the primary's values, so a replica runs with the larger of the
     * configured and the recorded value (§4.1), e.g. while a lowered max_connections is rolled out.
     */
    private EffectiveParameters atLeastPrimarys(EffectiveParameters params) {
        ControlData cd = ctx.controlDataOrNull();
        if (cd == null) {
            return params;
        }
        EffectiveParameters p = params;
        for (Map.Entry<String, String> e : STANDBY_MINIMUMS.entrySet()) {
            Optional<Long> recorded = cd.number(e.getValue());
            String configured = p.get(e.getKey());
            if (recorded.isPresent() && configured != null && configured.matches("\\d+")
                    && recorded.get() > Long.parseLong(configured)) {
                LOG.warn("{} = {} is lower than the primary's {} recorded in pg_control: starting the replica with {}",
                        e.getKey(), configured, recorded.get(), recorded.get());
                p = p.with(e.getKey(), Long.toString(recorded.get()));
            }
        }
        return p;
    }

    StopResult stop(StopMode mode, boolean checkpoint, Duration timeout, boolean fireOnStop, Runnable beforeSignal) {
        long start = System.nanoTime();
        Optional<PostmasterWatch.Tracked> found = ctx.watch.current();
        if (found.isEmpty()) {
            return new StopResult(false, mode, null, Duration.ZERO, ctx.controlDataOrNull());
        }
        PostmasterWatch.Tracked pm = found.get();
        ToolResult hook = ctx.callbacks.runHook("before_stop", ctx.node.postgresql().beforeStop(),
                ctx.hookTimeout(timeout));
        if (hook != null && !hook.succeeded()) {
            LOG.warn("before_stop failed (ignored, as Patroni does): {}", hook.report().summary());
        }
        if (checkpoint && mode != StopMode.IMMEDIATE) {
            try {
                ctx.checkpoint();
            } catch (PostgresException e) {
                LOG.warn("CHECKPOINT before stopping failed, stopping anyway: {}", e.whatHappened());
            }
        }
        beforeSignal.run();
        pm.stopRequested();
        StopMode used = mode;
        signal(pm, mode);
        if (!awaitExit(pm, timeout)) {
            // Escalation: a stop that never finishes keeps a demoting primary writable; immediate, then SIGKILL
            if (mode != StopMode.IMMEDIATE) {
                LOG.warn("postgres did not stop in {} mode within {} s: switching to immediate", mode.wire(),
                        timeout.toSeconds());
                used = StopMode.IMMEDIATE;
                signal(pm, StopMode.IMMEDIATE);
            }
            if (!awaitExit(pm, ctx.tuning.stopEscalationGrace())) {
                LOG.warn("postgres (pid {}) still runs: killing it and its children with SIGKILL", pm.pid());
                used = null;
                ProcessTrees.killTree(pm.handle());
                if (!awaitExit(pm, Duration.ofSeconds(10))) {
                    throw new PostgresException.StopFailed("postgres (pid " + pm.pid() + ") did not exit even after"
                            + " SIGKILL", "check the process (uninterruptible I/O?) and the host");
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        LOG.info("postgres stopped ({} mode{}) in {} ms", mode.wire(), used == mode ? ""
                : ", escalated to " + (used == null ? "SIGKILL" : used.wire()), took.toMillis());
        if (fireOnStop) {
            ctx.callbacks.fire(CallbackAction.ON_STOP, ctx.role);
        }
        return new StopResult(true, mode, used, took, ctx.controlDataOrNull());
    }

    private void signal(PostmasterWatch.Tracked pm, StopMode mode) {
        ToolResult r = ctx.runner.run(ToolCommand.of("pg_ctl", List.of(ctx.tool("pg_ctl").toString(), "kill",
                mode.signal(), Long.toString(pm.pid())), Duration.ofSeconds(10)));
        if (!r.succeeded() && pm.alive()) {
            LOG.warn("pg_ctl kill {} {} failed: {}", mode.signal(), pm.pid(), r.report().summary());
        }
    }

    private static boolean awaitExit(PostmasterWatch.Tracked pm, Duration timeout) {
        try {
            pm.exited().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    void promote(Duration timeout) {
        promote(timeout, sql -> null);
    }

    /**
     * @param kept one query on the agent's kept monitoring session ({@link LocalPostgres}): its boolean answer, or
     *             null when there is no such session or the query failed
     */
    void promote(Duration timeout, java.util.function.Function<String, Boolean> kept) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ctx.requireRunning("promote");
        ToolResult pre = ctx.callbacks.runHook("pre_promote", ctx.node.postgresql().prePromote(),
                ctx.hookTimeout(timeout));
        if (pre != null && !pre.succeeded()) {
            // Safety: a failing pre_promote (e.g. a fencing script) means this node must not become writable
            throw new PostgresException.HookFailed("pre_promote", pre.report(), "postgres was not promoted");
        }
        // Issue 17: the promotion is over when postgres takes writes, and every millisecond of it is a client's.
        // pg_ctl promote -w (and pg_promote(true)) look every 100 ms. pg_promote(false) on the session the agent
        // keeps open does what pg_ctl promote does (the promote signal file, then SIGUSR1 to the postmaster)
        // without starting a process, and the same session then asks every few milliseconds whether writes are
        // allowed (pg_is_in_recovery() turns false after pg_control says "in production", at the moment they are).
        // Without that session: pg_ctl promote, then a session opened while the promotion runs; without either,
        // pg_control.
        boolean viaKept = Boolean.TRUE.equals(kept.apply("SELECT pg_catalog.pg_promote(false)"));
        Connection session = null;
        try {
            if (viaKept) {
                LOG.info("promote signalled (pg_promote)");
            } else {
                Duration left = NodeContext.remaining(deadline);
                ToolResult r = ctx.runner.run(ToolCommand.of("pg_ctl", List.of(ctx.tool("pg_ctl").toString(),
                        "promote", "-W", "-D", ctx.dataDir.toString()), left.plusSeconds(5)));
                if (!r.succeeded()) {
                    throw new PostgresException.PromoteFailed("pg_ctl promote failed: " + r.report().summary(),
                            "check the server log; the node is still a replica");
                }
                session = openQuietly();
            }
            boolean writable = false;
            String state = null;
            do {
                if (viaKept) {
                    Boolean inRecovery = kept.apply("SELECT pg_catalog.pg_is_in_recovery()");
                    if (Boolean.FALSE.equals(inRecovery)) {
                        writable = true;
                        break;
                    }
                    if (inRecovery == null) {
                        LOG.debug("the kept session broke while watching the promotion, reading pg_control");
                        viaKept = false;
                    }
                } else if (session != null) {
                    try {
                        if (!inRecovery(session)) {
                            writable = true;
                            break;
                        }
                    } catch (SQLException e) {
                        LOG.debug("the session watching the promotion broke, reading pg_control: {}", e.getMessage());
                        closeQuietly(session);
                        session = null;
                    }
                }
                if (!viaKept && session == null) {
                    state = ctx.controlData().clusterState();
                    if (ControlData.STATE_IN_PRODUCTION.equals(state)) {
                        writable = true;
                        break;
                    }
                }
                NodeContext.pause(viaKept || session != null ? PROMOTE_POLL : ctx.tuning.readinessPollInterval());
            } while (System.nanoTime() < deadline);
            if (!writable) {
                throw new PostgresException.PromoteFailed("postgres did not leave recovery within "
                        + timeout.toSeconds() + " s (pg_control state: " + (state != null ? state
                        : ctx.controlData().clusterState()) + ")", "check the server log");
            }
        } finally {
            closeQuietly(session);
        }
        ctx.role = Role.PRIMARY;
        LOG.info("promoted: postgres takes writes");
        try {
            ctx.writeConfiguration(Recovery.primary());
        } catch (PostgresException e) {
            LOG.warn("promoted, but could not rewrite the configuration as a primary: {}", e.whatHappened());
        }
        ctx.callbacks.fire(CallbackAction.ON_ROLE_CHANGE, Role.PRIMARY);
    }

    /** How often a promotion in progress asks postgres whether it takes writes yet. */
    static final Duration PROMOTE_POLL = Duration.ofMillis(5);

    private Connection openQuietly() {
        try {
            return ctx.localConnection("ha-agent promote", Duration.ofSeconds(2));
        } catch (PostgresException e) {
            LOG.debug("no session to watch the promotion, reading pg_control instead: {}", e.whatHappened());
            return null;
        }
    }

    private static boolean inRecovery(Connection session) throws SQLException {
        try (Statement st = session.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
            return !rs.next() || rs.getBoolean(1);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // broken already
            }
        }
    }

    void reload() {
        ctx.requireRunning("reload");
        Recovery r = ctx.lastRecovery;
        if (r != null) {
            ctx.writeConfiguration(r);
        }
        ctx.signalReload();
        ctx.callbacks.fire(CallbackAction.ON_RELOAD, ctx.role);
    }

    void crashRecoverySingleUser(Duration timeout) {
        ctx.requireStopped("run crash recovery");
        // standby.signal is not allowed in single-user mode; the next start writes the right one again
        ctx.files.removeSignalFiles();
        List<String> cmd = new ArrayList<>(List.of(ctx.tool("postgres").toString(), "--single", "-D",
                ctx.dataDir.toString(), "--config-file=" + ctx.files.postgresqlConf()));
        ctx.effective().commandLineValues().forEach((k, v) -> {
            if (!k.equals("listen_addresses") && !k.equals("port")) {
                cmd.add("-c");
                cmd.add(k + "=" + v);
            }
        });
        // archiving on with a failing command keeps WAL segments that are not archived yet
        cmd.addAll(List.of("-c", "archive_mode=on", "-c", "archive_command=false", "template1"));
        ToolResult r = ctx.runner.run(ToolCommand.of("postgres --single", cmd, timeout));
        if (!r.succeeded()) {
            if (r.report().timedOut()) {
                throw new PostgresException.ToolTimedOut("single-user crash recovery", r.report(), timeout,
                        "recovery may need longer; raise the timeout");
            }
            throw new PostgresException.ToolFailed("single-user crash recovery failed", r.report(),
                    "see the output above; the data directory may need to be re-created");
        }
        LOG.info("crash recovery done; pg_control says {}", ctx.controlData().clusterState());
    }
}
