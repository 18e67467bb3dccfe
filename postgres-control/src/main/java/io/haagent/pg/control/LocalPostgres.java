package io.haagent.pg.control;

import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.config.PostgresBinaries;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.CloneReport;
import io.haagent.pg.ControlData;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.Divergence;
import io.haagent.pg.FollowResult;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import io.haagent.pg.PostmasterEvent;
import io.haagent.pg.Recovery;
import io.haagent.pg.RewindReport;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.StopResult;
import io.haagent.pg.Upstream;
import io.haagent.pg.postmaster.PostmasterOpts;
import io.haagent.pg.postmaster.PostmasterWatch;
import io.haagent.pg.slots.SlotApplier;
import io.haagent.pg.sql.Connections;
import io.haagent.pg.sql.MonitoringQuery;
import io.haagent.pg.sql.SqlErrors;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PostgresControl} for a PostgreSQL 15 on this host, through its own tools and pgjdbc. It does what it is
 * told and reports exactly what happened; the HA decisions are made elsewhere.
 *
 * <p>The work is done by {@link Lifecycle} (start, stop, promote, reload, crash recovery), {@link Provisioning}
 * (bootstrap, clone) and {@link RewindOperations} (divergence, pg_rewind) over a shared {@link NodeContext}.
 * This class is the port: it serializes actions under one fair lock (in call order, one at a time), and answers
 * {@link #state()}, {@link #isRunning()} and the slot and sync calls without waiting for an action.
 */
public final class LocalPostgres implements PostgresControl {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    private final NodeContext ctx;
    private final Lifecycle lifecycle;
    private final Provisioning provisioning;
    private final RewindOperations rewinds;
    private final ReentrantLock actionLock = new ReentrantLock(true);
    private final Object monitorLock = new Object();
    private final ReplayTimeline replayTimeline;
    private Connection monitor;

    public LocalPostgres(PostgresNode node, PostgresBinaries binaries, Tuning tuning) {
        this.ctx = new NodeContext(node, binaries, tuning);
        this.lifecycle = new Lifecycle(ctx);
        this.provisioning = new Provisioning(ctx, lifecycle);
        this.rewinds = new RewindOperations(ctx, lifecycle);
        this.replayTimeline = new ReplayTimeline(ctx);
    }

    private <T> T action(Supplier<T> body) {
        actionLock.lock();
        try {
            return body.get();
        } finally {
            actionLock.unlock();
        }
    }

    private void action(Runnable body) {
        action(() -> {
            body.run();
            return null;
        });
    }

    @Override
    public String memberName() {
        return ctx.node.name();
    }

    @Override
    public void setDynamicConfig(DynamicConfig d) {
        ctx.dynamic = d == null ? DynamicConfig.DEFAULTS : d;
    }

    /** The server's major version, from {@code postgres --version}. */
    public int majorVersion() {
        return ctx.majorVersion();
    }

    // ------------------------------------------------------------------------------------------ data directory

    @Override
    public DataDirectoryState dataDirectoryState() {
        return ctx.dataDirectoryState();
    }

    @Override
    public void bootstrap(Duration timeout) {
        action(() -> provisioning.bootstrap(timeout));
    }

    @Override
    public void postBootstrap(Duration timeout) {
        action(() -> provisioning.postBootstrap(timeout));
    }

    @Override
    public void createRoles() {
        action(provisioning::createRoles);
    }

    @Override
    public CloneReport createReplica(Upstream source, Duration timeout) {
        return action(() -> provisioning.createReplica(source, timeout, false));
    }

    @Override
    public CloneReport createReplicaByBasebackup(Upstream source, Duration timeout) {
        return action(() -> provisioning.createReplica(source, timeout, true));
    }

    @Override
    public void removeDataDirectory() {
        action(provisioning::removeDataDirectory);
    }

    @Override
    public io.haagent.pg.PgTimelineHistory.File timelineHistoryFile(long timeline) {
        java.nio.file.Path file = ctx.dataDir.resolve("pg_wal").resolve(String.format("%08X.history", timeline));
        try {
            return new io.haagent.pg.PgTimelineHistory.File(Files.readString(file),
                    Files.getLastModifiedTime(file).toInstant());
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading " + file, e);
        }
    }

    @Override
    public ControlData controlData() {
        return ctx.controlData();
    }

    @Override
    public String systemIdentifier() {
        String id = ctx.controlData().systemIdentifier();
        if (id == null) {
            throw new PostgresException.DataDirectoryProblem("read the system identifier",
                    new DataDirectoryState(DataDirectoryState.Kind.NOT_A_DATA_DIRECTORY, ctx.dataDir, null,
                            "pg_controldata printed no Database system identifier"));
        }
        return id;
    }

    // ------------------------------------------------------------------------------------------ configuration

    @Override
    public void writeConfiguration(Recovery recovery) {
        action(() -> ctx.writeConfiguration(recovery));
    }

    @Override
    public FollowResult follow(Recovery recovery) {
        if (!recovery.standby()) {
            throw new IllegalArgumentException("follow() makes a replica follow an upstream; promote() makes a primary");
        }
        return action(() -> {
            if (state().isPrimary()) {
                ctx.writeConfiguration(recovery);
                return FollowResult.RESTART_REQUIRED;
            }
            Map<String, String> want = ctx.settings().recoveryParameters(recovery, ctx.dynamic);
            Map<String, String> have = keptOrNew(c -> NodeContext.readSettings(c, PostgresSettings.FOLLOW_SETTINGS),
                    () -> ctx.currentSettings(PostgresSettings.FOLLOW_SETTINGS));
            boolean confChanged = ctx.writeConfiguration(recovery);
            if (PostgresSettings.FOLLOW_SETTINGS.stream()
                    .allMatch(k -> want.getOrDefault(k, "").equals(have.getOrDefault(k, "")))) {
                if (confChanged) {
                    // another setting of the file changed (hot_standby_feedback for copied logical slots)
                    ctx.signalReload();
                }
                return FollowResult.UNCHANGED;
            }
            // PG13+: primary_conninfo and primary_slot_name are reloadable (the walreceiver restarts by itself),
            // PG14+: restore_command too
            String wantConninfo = want.getOrDefault("primary_conninfo", "");
            ctx.signalReload();
            ctx.awaitSetting("primary_conninfo", wantConninfo, Duration.ofSeconds(10));
            LOG.info("now following as a {}", recovery);
            return FollowResult.RELOADED;
        });
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start(StartRequest request) {
        action(() -> lifecycle.start(request));
    }

    @Override
    public StopResult stop(StopMode mode, boolean checkpoint, Duration timeout) {
        return action(() -> lifecycle.stop(mode, checkpoint, timeout, true, this::closeMonitor));
    }

    @Override
    public void restart(StartRequest request, Duration stopTimeout) {
        action(() -> {
            lifecycle.stop(StopMode.FAST, true, stopTimeout, false, this::closeMonitor);
            StartRequest r = request.callback() == null || request.callback() == CallbackAction.ON_START
                    ? request.withCallback(CallbackAction.ON_RESTART, request.callbackRole()) : request;
            lifecycle.start(r);
        });
    }

    @Override
    public void promote(Duration timeout) {
        action(() -> lifecycle.promote(timeout, this::askKeptSession));
    }

    /** A read on the kept session. */
    private interface KeptRead<T> {
        T read(Connection c) throws SQLException;
    }

    /**
     * A read every replica cycle makes (the follow settings, the slot list) on the kept monitoring session when one
     * is open, else through {@code otherwise} (a new connection). Issue 17: a new connection is a new backend each
     * cycle, 35-850 ms of a replica's cycle on a loaded machine, and a switchover's release of the leader key that
     * lands during such a cycle waits for its end before the candidate takes the lock.
     */
    private <T> T keptOrNew(KeptRead<T> read, java.util.function.Supplier<T> otherwise) {
        synchronized (monitorLock) {
            try {
                if (monitor != null && !monitor.isClosed()) {
                    return read.read(monitor);
                }
            } catch (SQLException e) {
                LOG.debug("a read on the kept session failed, opening a new one: {}", e.getMessage());
                closeMonitor();
            }
        }
        return otherwise.get();
    }

    /**
     * One boolean query on the kept monitoring session (the promotion's signal and its watch, issue 17): null when
     * no session is open (none is opened here) or the query failed (the session is closed; the next state() opens
     * another). The lock is held for this one statement only, so a slow promotion never holds up state().
     */
    private Boolean askKeptSession(String sql) {
        synchronized (monitorLock) {
            try {
                if (monitor == null || monitor.isClosed()) {
                    return null;
                }
                try (java.sql.Statement st = monitor.createStatement();
                        java.sql.ResultSet rs = st.executeQuery(sql)) {
                    return rs.next() ? rs.getBoolean(1) : null;
                }
            } catch (SQLException e) {
                LOG.debug("{} on the kept session failed: {}", sql, e.getMessage());
                closeMonitor();
                return null;
            }
        }
    }

    @Override
    public void reload() {
        action(lifecycle::reload);
    }

    @Override
    public void checkpoint() {
        action(ctx::checkpoint);
    }

    @Override
    public void resumeWalReplay() {
        ctx.resumeWalReplay();
    }

    @Override
    public void crashRecoverySingleUser(Duration timeout) {
        action(() -> lifecycle.crashRecoverySingleUser(timeout));
    }

    // ------------------------------------------------------------------------------------------ liveness

    @Override
    public boolean isRunning() {
        return ctx.isRunning();
    }

    @Override
    public Optional<Long> postmasterPid() {
        return ctx.watch.current().map(PostmasterWatch.Tracked::pid);
    }

    @Override
    public void addPostmasterListener(PostmasterEvent.Listener listener) {
        ctx.watch.addListener(listener);
    }

    // ------------------------------------------------------------------------------------------ state

    @Override
    public ServerStatus state() {
        if (!ctx.isRunning()) {
            throw new PostgresException.NotRunning("read the state");
        }
        ServerStatus s;
        synchronized (monitorLock) {
            boolean reused = monitor != null;
            try {
                s = monitorQuery();
            } catch (SQLException e) {
                closeMonitor();
                if (!reused) {
                    throw SqlErrors.wrap("the monitoring query failed", e);
                }
                // The kept connection may lead to a postmaster that has died since (crash, restart): its socket
                // still holds the "terminating connection" message. One attempt on a fresh connection tells a
                // dead connection from a server that does not answer.
                try {
                    s = monitorQuery();
                } catch (SQLException again) {
                    closeMonitor();
                    throw SqlErrors.wrap("the monitoring query failed", again);
                } catch (PostgresException again) {
                    closeMonitor();
                    throw again;
                }
            } catch (PostgresException e) {
                closeMonitor();
                throw e;
            }
        }
        return withCommandLinePending(replayTimeline.apply(s));
    }

    /** The monitoring query on the kept connection, opened first when there is none. Holds monitorLock. */
    private ServerStatus monitorQuery() throws SQLException {
        if (monitor == null || monitor.isClosed()) {
            monitor = ctx.localConnection("ha-agent heartbeat", Duration.ofSeconds(2));
        }
        return MonitoringQuery.run(monitor);
    }

    /**
     * Adds command-line settings that would change on restart (postmaster.opts vs what the agent would pass now),
     * e.g. a new max_connections in the dynamic configuration.
     */
    private ServerStatus withCommandLinePending(ServerStatus s) {
        Map<String, String> running;
        try {
            running = PostmasterOpts.settings(Files.readString(ctx.dataDir.resolve("postmaster.opts"),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            return s;
        }
        Map<String, ServerStatus.PendingRestart> pending = new LinkedHashMap<>(s.pendingRestart());
        ctx.effective().commandLineValues().forEach((k, want) -> {
            String have = running.get(k);
            if (have != null && !have.equals(want)) {
                pending.putIfAbsent(k, new ServerStatus.PendingRestart(k, have, want));
            }
        });
        if (pending.size() == s.pendingRestart().size()) {
            return s;
        }
        return s.withPendingRestart(pending);
    }

    private void closeMonitor() {
        synchronized (monitorLock) {
            Connections.closeQuietly(monitor);
            monitor = null;
        }
    }

    // ------------------------------------------------------------------------------------------ rewind

    @Override
    public Divergence checkDivergence(Upstream leader) {
        return action(() -> rewinds.checkDivergence(leader));
    }

    @Override
    public RewindReport rewind(Upstream leader, Duration timeout) {
        return action(() -> rewinds.rewind(leader, timeout));
    }

    // ------------------------------------------------------------------------------------------ slots, sync

    @Override
    public List<ReplicationSlot> replicationSlots() {
        ctx.requireRunning("list replication slots");
        return keptOrNew(SlotApplier::list, () -> {
            try (Connection c = ctx.localConnection("ha-agent slots", Duration.ofSeconds(5))) {
                return SlotApplier.list(c);
            } catch (SQLException e) {
                throw SqlErrors.wrap("listing replication slots", e);
            }
        });
    }

    @Override
    public List<String> copyLogicalSlots(Upstream leader, List<io.haagent.slots.SlotAction.CopyLogical> slots,
            Duration timeout) {
        return action(() -> new LogicalSlotCopy(ctx, lifecycle).copy(leader, slots, timeout));
    }

    @Override
    public List<SlotResult> applySlots(SlotPlan plan) {
        if (!plan.hasChanges()) {
            return SlotApplier.apply(plan, null, db -> null);
        }
        ctx.requireRunning("apply the replication slot plan");
        try (Connection c = ctx.localConnection("ha-agent slots", Duration.ofSeconds(30))) {
            return SlotApplier.apply(plan, c, db -> ctx.localConnection("ha-agent slots", Duration.ofSeconds(30), db));
        } catch (SQLException e) {
            throw SqlErrors.wrap("applying the replication slot plan", e);
        }
    }

    @Override
    public void setSynchronousStandbyNames(String value) {
        Objects.requireNonNull(value, "value");
        if (!ctx.isRunning()) {
            // Kept for the next start, which writes the configuration with it (Patroni does the same): a node in
            // synchronous mode clears the value before it starts as a replica, e.g. right after pg_rewind.
            synchronized (ctx.configLock) {
                ctx.synchronousStandbyNames = value;
            }
            LOG.info("synchronous_standby_names = '{}' from the next start (postgres is not running)", value);
            return;
        }
        synchronized (ctx.configLock) {
            ctx.synchronousStandbyNames = value;
            ctx.writeConfiguration(ctx.lastRecovery != null ? ctx.lastRecovery : Recovery.primary());
        }
        ctx.signalReload();
        ctx.awaitSetting("synchronous_standby_names", value, Duration.ofSeconds(10));
        try (Connection c = ctx.localConnection("ha-agent sync", Duration.ofSeconds(5));
                Statement s = c.createStatement()) {
            // a transaction id with synchronous_commit off makes walsenders report positions promptly
            s.execute("SET synchronous_commit TO off");
            s.executeQuery("SELECT pg_catalog.txid_current()").close();
        } catch (SQLException e) {
            LOG.debug("txid_current after changing synchronous_standby_names: {}", e.getMessage());
        }
        LOG.info("synchronous_standby_names = '{}'", value);
    }

    // ------------------------------------------------------------------------------------------ callbacks

    @Override
    public void fireCallback(CallbackAction action, Role role) {
        ctx.callbacks.fire(action, role);
    }

    @Override
    public void setRoleNames(io.haagent.cluster.RoleNames names) {
        ctx.callbacks.setRoleNames(names);
    }

    @Override
    public void close() {
        ctx.watch.close();
        closeMonitor();
        ctx.callbacks.close();
    }
}
