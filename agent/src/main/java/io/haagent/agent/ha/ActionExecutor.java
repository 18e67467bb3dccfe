package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.Action;
import io.haagent.ha.Decision;
import io.haagent.ha.DemoteMode;
import io.haagent.ha.FollowTarget;
import io.haagent.ha.HaMemory;
import io.haagent.ha.LongAction;
import io.haagent.ha.RewindState;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.Divergence;
import io.haagent.pg.FollowResult;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.SlotNames;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.StopResult;
import io.haagent.pg.SynchronousStandbyNames;
import io.haagent.pg.Upstream;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotPlanner;
import io.haagent.slots.SlotResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a decision's actions in order (STYLE 2): quick ones inline, long ones on the background runner. The
 * first action that does not succeed (a lost race or CAS) stops the chain; an etcd or postgres failure stops it
 * too and becomes the cycle's summary. Every {@link Action} type has a handler here; a test checks that.
 */
public final class ActionExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ActionExecutor.class);

    /**
     * The outcome of applying one decision.
     *
     * @param summary the decision's summary, or the stopping action's {@code ifNotDone} sentence / error
     * @param stopped an action did not succeed and the rest were skipped: the loop should decide again soon
     * @param updates memory changes from inline actions, for the loop to apply
     */
    public record Report(String summary, boolean stopped, List<HaMemory.MemoryUpdate> updates) {
    }

    @FunctionalInterface
    interface Handler {
        /** @return false when the action did not succeed and the chain must stop */
        boolean apply(Action action, List<HaMemory.MemoryUpdate> updates) throws Exception;
    }

    private final String name;
    private final Dcs dcs;
    private final PostgresControl pg;
    private final NodeState node;
    private final LockBelief lock;
    private final LongActionRunner runner;
    private final LoopContext loop;
    private final Path dataDir;
    private final io.haagent.time.Clock clock;
    private final ExecutorService checkpointThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "post-promote-checkpoint");
        t.setDaemon(true);
        return t;
    });
    private final Map<Class<? extends Action>, Handler> handlers = new HashMap<>();

    public ActionExecutor(String name, Dcs dcs, PostgresControl pg, NodeState node, LockBelief lock,
            LongActionRunner runner, LoopContext loop, Path dataDir, io.haagent.time.Clock clock) {
        this.name = name;
        this.dcs = dcs;
        this.pg = pg;
        this.node = node;
        this.lock = lock;
        this.runner = runner;
        this.loop = loop;
        this.dataDir = dataDir;
        this.clock = clock;
        registerDcsHandlers();
        registerLocalHandlers();
        registerLongHandlers();
    }

    /** True if this executor has a handler for the action type (the exhaustiveness test uses it). */
    public boolean handles(Class<? extends Action> type) {
        return handlers.containsKey(type);
    }

    public Report apply(Decision decision) {
        List<HaMemory.MemoryUpdate> updates = new ArrayList<>();
        for (Action action : decision.actions()) {
            Handler h = handlers.get(action.getClass());
            if (h == null) {
                throw new IllegalStateException("no handler for " + action.getClass().getSimpleName());
            }
            try {
                if (!h.apply(action, updates)) {
                    String why = ifNotDone(action);
                    LOG.info("{} did not succeed; skipping the rest of this decision", describe(action));
                    return new Report(why != null ? why : decision.summary(), true, updates);
                }
            } catch (DcsUnavailableException e) {
                LOG.error("Error communicating with DCS during {}: {}", describe(action), e.getMessage());
                return new Report("Error communicating with DCS", true, updates);
            } catch (PostgresException e) {
                LOG.error("{} failed: {}", describe(action), e.getMessage());
                return new Report("Error communicating with PostgreSQL. Will try again later", true, updates);
            } catch (Exception e) {
                LOG.error("{} failed", describe(action), e);
                return new Report("Unexpected exception raised, please report it as a BUG", true, updates);
            }
        }
        return new Report(decision.summary(), false, updates);
    }

    private static String ifNotDone(Action a) {
        if (a instanceof Action.AcquireLock x) {
            return x.ifNotDone();
        }
        if (a instanceof Action.WriteInitialize x) {
            return x.ifNotDone();
        }
        if (a instanceof Action.WriteSync x) {
            return x.ifNotDone();
        }
        return null;
    }

    static String describe(Action a) {
        String s = a.getClass().getSimpleName();
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private <A extends Action> void on(Class<A> type, java.util.function.BiFunction<A, List<HaMemory.MemoryUpdate>, Boolean> f) {
        handlers.put(type, (a, u) -> f.apply(type.cast(a), u));
    }

    private <A extends Action> void onThrowing(Class<A> type, Handler h) {
        handlers.put(type, h);
    }

    // ------------------------------------------------------------------------------------------------- DCS

    private void registerDcsHandlers() {
        on(Action.AcquireLock.class, (a, u) -> {
            long sent = clock.nanoTime();
            boolean ok = dcs.acquireLeader();
            if (ok) {
                lock.confirm(sent, loop.dynamic().ttl());
                LOG.info("acquired the leader lock");
                loop.roleChanges().phase("acquire_lock");
            } else {
                LOG.info("Could not take out TTL lock");
            }
            return ok;
        });
        on(Action.TakeLeader.class, (a, u) -> {
            long sent = clock.nanoTime();
            boolean ok = dcs.takeLeader();
            if (ok) {
                lock.confirm(sent, loop.dynamic().ttl());
            }
            return ok;
        });
        on(Action.ReleaseLock.class, (a, u) -> {
            // Safety rule 1: stop believing (and answering /primary 200) before anybody else can take the key.
            lock.releasing(() -> dcs.releaseLeader(a.lastLsn()));
            LOG.info("Leader key released");
            return true;
        });
        on(Action.DeleteUnusableLeader.class, (a, u) -> {
            if (dcs.deleteLeader(a.expectedRevision())) {
                LOG.warn("deleted the leader key: it named no member (mod_revision {})", a.expectedRevision());
            } else {
                LOG.info("the unusable leader key changed meanwhile; left as it is");
            }
            return true;
        });
        on(Action.WriteInitialize.class, (a, u) -> dcs.initialize(a.createNew(), a.sysid()));
        on(Action.CancelInitialization.class, (a, u) -> {
            dcs.cancelInitialization();
            return true;
        });
        on(Action.WriteConfig.class, (a, u) -> dcs.setConfig(a.config(), Dcs.ANY_REVISION));
        on(Action.WriteFailover.class, (a, u) -> {
            // clearing or rewriting the request never holds up what follows (e.g. the promotion)
            if (!dcs.setFailover(a.request(), a.expectedRevision())) {
                LOG.info("failover key changed meanwhile; left as it is");
            }
            return true;
        });
        on(Action.WriteSync.class, (a, u) -> {
            boolean ok = dcs.setSync(a.state(), a.expectedRevision());
            if (!ok) {
                LOG.info("Synchronous replication key updated by someone else");
            }
            return ok;
        });
        on(Action.DeleteSync.class, (a, u) -> {
            if (dcs.deleteSync(a.expectedRevision())) {
                LOG.info("Disabled synchronous replication");
            }
            return true;
        });
        onThrowing(Action.UpdateHistory.class, (a, u) -> {
            updateHistory(((Action.UpdateHistory) a).primaryTimeline());
            return true;
        });
    }

    private void updateHistory(long timeline) throws IOException {
        ClusterView view = loop.cluster();
        if (view == null) {
            return;
        }
        var current = view.history();
        if (timeline <= 1) {
            if (!current.absent() && !current.lines().isEmpty() || current.absent()) {
                if (!current.lines().isEmpty()) {
                    dcs.setHistory(new io.haagent.cluster.TimelineHistory(List.of(), false, 0));
                }
            }
            return;
        }
        var lines = current.lines();
        if (!lines.isEmpty() && lines.get(lines.size() - 1).parentTimeline() == timeline - 1
                && lines.get(lines.size() - 1).timestamp() != null && lines.get(lines.size() - 1).newLeader() != null) {
            return;
        }
        Path file = dataDir.resolve("pg_wal").resolve(String.format("%08X.history", timeline));
        if (!Files.exists(file)) {
            return;
        }
        var entries = io.haagent.pg.PgTimelineHistory.parse(Files.readString(file));
        var merged = TimelineHistoryMerge.merge(entries, lines, Files.getLastModifiedTime(file).toInstant(), name,
                loop.dynamic().maxTimelinesHistory());
        if (!merged.isEmpty()) {
            dcs.setHistory(new io.haagent.cluster.TimelineHistory(merged, false, 0));
        }
    }

    // ------------------------------------------------------------------------------------------------- local

    private void registerLocalHandlers() {
        on(Action.KeepLeaderByFailsafe.class, (a, u) -> {
            lock.extend(loop.dynamic().ttl());
            return true;
        });
        on(Action.SetRole.class, (a, u) -> {
            node.setRole(a.role());
            return true;
        });
        on(Action.SetState.class, (a, u) -> {
            node.setState(a.state());
            return true;
        });
        on(Action.FireCallback.class, (a, u) -> {
            pg.fireCallback(a.action(), a.role());
            return true;
        });
        on(Action.Follow.class, (a, u) -> {
            follow(a.target(), a.role(), u);
            return true;
        });
        on(Action.SetSynchronousStandbyNames.class, (a, u) -> {
            String value = a.star() ? SynchronousStandbyNames.ANY
                    : a.names().isEmpty() ? "" : SynchronousStandbyNames.render(a.names().size(), a.names());
            LOG.info("Assigning synchronous standby status to {}", a.star() ? "[*]" : a.names());
            pg.setSynchronousStandbyNames(value);
            return true;
        });
        on(Action.SyncSlots.class, (a, u) -> {
            syncSlots();
            return true;
        });
        on(Action.ResumeWalReplay.class, (a, u) -> {
            LOG.info("WAL replay is paused: resuming it");
            pg.resumeWalReplay();
            return true;
        });
        on(Action.ApplyParameters.class, (a, u) -> {
            try {
                pg.reload();
            } catch (PostgresException e) {
                // the cycle goes on: a failed reload leaves the old values in force, as pending_restart shows
                LOG.warn("reload after a configuration change failed: {}", e.getMessage());
            }
            return true;
        });
        on(Action.CheckpointAfterPromote.class, (a, u) -> {
            checkpointThread.execute(() -> {
                try {
                    pg.checkpoint();
                    LOG.info("post-promote CHECKPOINT done");
                    runnerUpdate(m -> m.withCheckpointAfterPromotePending(false));
                } catch (RuntimeException e) {
                    LOG.warn("post-promote CHECKPOINT failed: {}", e.getMessage());
                }
            });
            u.add(m -> m.withCheckpointAfterPromotePending(false));
            return true;
        });
        on(Action.StopPostgres.class, (a, u) -> {
            node.setState(PostgresState.STOPPING);
            pg.stop(a.mode(), false,
                    Duration.ofSeconds(loop.dynamic().retryTimeout()));
            node.setState(PostgresState.STOPPED);
            return true;
        });
        onThrowing(Action.QuarantineDataDirectory.class, (a, u) -> {
            if (Files.isDirectory(dataDir)) {
                Path failed = dataDir.resolveSibling(dataDir.getFileName() + ".failed");
                LOG.error("moving the data directory of the failed bootstrap to {}", failed);
                Files.move(dataDir, failed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        });
        on(Action.ClearScheduledRestart.class, (a, u) -> {
            loop.clearScheduledRestart();
            return true;
        });
        on(Action.CancelLongAction.class, (a, u) -> {
            runner.cancel();
            return true;
        });
        on(Action.Exit.class, (a, u) -> {
            LOG.error("FATAL: {}", a.reason());
            loop.exit(a.reason());
            return false;
        });
    }

    private Recovery recovery(FollowTarget target) {
        if (target == null || target.isNone()) {
            return Recovery.readOnly();
        }
        Upstream up = upstream(target);
        if (target.remote()) {
            // Patroni: the remote's slot only when standby_cluster names one, and only with use_slots
            String slot = loop.useSlots() && target.slotName() != null ? SlotNames.fromMemberName(target.slotName())
                    : null;
            return up == null ? Recovery.archiveOfRemote() : Recovery.followRemote(up, slot);
        }
        if (up == null) {
            return Recovery.readOnly();
        }
        return Recovery.follow(up, loop.useSlots() ? SlotNames.fromMemberName(name) : null);
    }

    private static Upstream upstream(FollowTarget target) {
        if (target == null || target.isNone()) {
            return null;
        }
        if (target.remote()) {
            return target.host() == null ? null : new Upstream(null, target.host(), target.port() == null ? 5432 : target.port());
        }
        if (target.connUrl() == null) {
            return null;
        }
        Member m = Member.builder(target.memberName()).connUrl(target.connUrl()).build();
        return m.host() == null ? null : new Upstream(target.memberName(), m.host(), m.port());
    }

    private void follow(FollowTarget target, Role role, List<HaMemory.MemoryUpdate> u) {
        Recovery recovery = recovery(target);
        FollowResult result = pg.follow(recovery);
        if (result == FollowResult.RESTART_REQUIRED) {
            submit(LongAction.Kind.FOLLOW_RESTART, "changing primary_conninfo and restarting", cancel -> {
                pg.restart(new StartRequest(recovery, startTimeout(null), null, null), stopTimeout());
                node.setState(PostgresState.RUNNING);
                return List.of(HaMemory::triggerRewindCheck);
            });
        } else if (result == FollowResult.RELOADED) {
            LOG.info("following {} now: {}", target, recovery);
            u.add(HaMemory::triggerRewindCheck);
        }
        if (role != node.role() && (role == Role.STANDBY_LEADER || node.role() == Role.STANDBY_LEADER)) {
            node.setRole(role);
            pg.fireCallback(CallbackAction.ON_ROLE_CHANGE, role);
        } else if (node.role() != Role.REPLICA && role == Role.REPLICA && node.role() != Role.STANDBY_LEADER) {
            node.setRole(Role.REPLICA);
        }
    }

    private void syncSlots() {
        ClusterView view = loop.cluster();
        if (view == null || !loop.useSlots() || !pg.isRunning()) {
            return;
        }
        Role role = node.role() == Role.STANDBY_LEADER ? Role.STANDBY_LEADER
                : node.role().isPrimary() ? Role.PRIMARY : Role.REPLICA;
        io.haagent.pg.ServerStatus status;
        try {
            status = pg.state();
        } catch (PostgresException e) {
            return;
        }
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input(name, role,
                view.member(name).map(Member::nofailover).orElse(false), view, pg.replicationSlots(),
                status.isPrimary() ? null : status.replayLsn()));
        for (SlotResult r : pg.applySlots(plan)) {
            if (r.failed()) {
                LOG.warn("replication slot {}: {}", r.action(), r.detail());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- long

    private void registerLongHandlers() {
        on(Action.Bootstrap.class, (a, u) -> {
            u.add(m -> m.withBootstrapping(true, null));
            return submit(LongAction.Kind.BOOTSTRAP, "bootstrap", cancel -> {
                node.setState(PostgresState.INITIALIZING);
                try {
                    pg.bootstrap(Duration.ofSeconds(Math.max(120, loop.pgCtlTimeoutSeconds() * 2L)));
                    node.setRole(Role.PRIMARY);
                    node.setState(PostgresState.RUNNING);
                    return List.of(m -> m.withBootstrapping(true, true));
                } catch (PostgresException e) {
                    LOG.error("bootstrap failed: {}", e.getMessage());
                    node.setState(PostgresState.INITDB_FAILED);
                    return List.of(m -> m.withBootstrapping(true, false));
                }
            });
        });
        on(Action.BootstrapStandbyLeader.class, (a, u) -> {
            u.add(m -> m.withBootstrapping(true, null));
            return submit(LongAction.Kind.BOOTSTRAP, "bootstrap a standby leader from " + a.remote(), cancel -> {
                if (!createReplica(a.remote())) {
                    return List.of(m -> m.withBootstrapping(true, false));
                }
                start(StartRequest.of(recovery(a.remote()), startTimeout(null)).withoutCallback(),
                        Role.STANDBY_LEADER);
                return List.of(m -> m.withBootstrapping(true, true).withRewind(RewindState.NOT_NEEDED));
            });
        });
        on(Action.CloneReplica.class, (a, u) -> submit(LongAction.Kind.CLONE, "bootstrap " + a.description(), cancel -> {
            clone(a.source());
            // a copy of the leader cannot have diverged from it: nothing to check when it starts
            return List.of(m -> m.withRewind(RewindState.NOT_NEEDED).withOnStartFired(false));
        }));
        on(Action.StartPrimary.class, (a, u) -> {
            return submit(LongAction.Kind.START_PRIMARY_AFTER_FAILURE, "starting primary after failure", cancel -> {
                start(StartRequest.asPrimary(startTimeout(a.timeoutSeconds())), Role.PRIMARY);
                // GET /primary answers 200 again the moment postgres takes writes (issue 17)
                loop.publishPostgresNow();
                loop.roleChanges().phase("start");
                loop.roleChanges().complete(Role.PRIMARY.wire());
                return List.of();
            });
        });
        on(Action.StartReplica.class, (a, u) -> submit(LongAction.Kind.START, a.description(), cancel -> {
            List<HaMemory.MemoryUpdate> out = new ArrayList<>();
            if (a.checkDivergenceFirst()) {
                Upstream up = upstream(a.target());
                Divergence d = up == null ? null : pg.checkDivergence(up);
                if (d != null) {
                    LOG.info("divergence check against {} before starting: {}", a.target(), d.reason());
                }
                RewindState after = RewindState.after(d);
                if (RewindState.keepsPostgresDown(d)) {
                    return List.of(m -> m.withRewind(RewindState.NEEDED));
                }
                if (after != null) {
                    out.add(m -> m.withRewind(after));
                }
            }
            Role before = node.role();
            StartRequest req = new StartRequest(recovery(a.target()), startTimeout(a.timeoutSeconds()),
                    before.isPrimary() || before == Role.DEMOTED || before != a.role() && before != Role.REPLICA
                            ? CallbackAction.ON_ROLE_CHANGE : CallbackAction.ON_START, a.role());
            start(req, a.role());
            return out;
        }));
        on(Action.Promote.class, (a, u) -> {
            return submit(LongAction.Kind.PROMOTE, "promote", cancel -> promote(cancel));
        });
        on(Action.Demote.class, (a, u) -> demote(a.mode()));
        on(Action.CrashRecovery.class, (a, u) -> submit(LongAction.Kind.CRASH_RECOVERY,
                "doing crash recovery in a single user mode", cancel -> {
                    pg.crashRecoverySingleUser(Duration.ofSeconds(Math.max(loop.dynamic().primaryStartTimeout(), 60)));
                    return List.of();
                }));
        on(Action.Rewind.class, (a, u) -> submit(LongAction.Kind.REWIND, "running pg_rewind from " + a.leader().memberName(),
                cancel -> {
                    if (pg.isRunning()) {
                        pg.stop(StopMode.FAST, false, stopTimeout());
                        node.setState(PostgresState.STOPPED);
                    }
                    try {
                        pg.rewind(upstream(a.leader()), Duration.ofSeconds(Math.max(300, loop.pgCtlTimeoutSeconds())));
                        return List.of(m -> m.withRewind(RewindState.SUCCESS));
                    } catch (PostgresException e) {
                        LOG.error("pg_rewind from {} failed: {}", a.leader(), e.getMessage());
                        return List.of(m -> m.withRewind(RewindState.FAILED));
                    }
                }));
        on(Action.Reinitialize.class, (a, u) -> submit(LongAction.Kind.REINITIALIZE, "reinitialize", cancel -> {
            pg.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(loop.dynamic().retryTimeout()));
            pg.removeDataDirectory();
            clone(a.source());
            // a copy of the leader cannot have diverged from it: nothing to check when it starts
            return List.of(m -> m.withRewind(RewindState.NOT_NEEDED).withOnStartFired(false));
        }));
        on(Action.Restart.class, (a, u) -> submit(LongAction.Kind.RESTART, "restart", cancel -> {
            restart(a.timeoutSeconds());
            return List.of(m -> m.withStartTimeout(null));
        }));
    }

    private boolean submit(LongAction.Kind kind, String actionName, LongActionRunner.Body body) {
        String busy = runner.submit(kind, actionName, body);
        if (busy != null) {
            LOG.warn("{} not started: {} already in progress", actionName, busy);
            return false;
        }
        return true;
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<HaMemory.MemoryUpdate> asyncUpdates =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private void runnerUpdate(HaMemory.MemoryUpdate u) {
        asyncUpdates.add(u);
        loop.wakeUp();
    }

    /** Memory updates from threads other than the runner (post-promote checkpoint). */
    public List<HaMemory.MemoryUpdate> drainAsyncUpdates() {
        List<HaMemory.MemoryUpdate> out = new ArrayList<>();
        HaMemory.MemoryUpdate u;
        while ((u = asyncUpdates.poll()) != null) {
            out.add(u);
        }
        return out;
    }

    /**
     * How long a start may take before the cycle calls it failed. Not a safety bound: a replica that starts slowly
     * harms nobody; the leader's start after a crash is bounded by the decider instead (master_start_timeout, §3.6),
     * which releases the lock rather than wait on a primary that may never come up.
     */
    Duration startTimeout(Integer seconds) {
        int s = seconds != null && seconds > 0 ? seconds : loop.pgCtlTimeoutSeconds();
        return Duration.ofSeconds(Math.max(1, s));
    }

    /**
     * How long a stop may take. With synchronous mode, primary_stop_timeout bounds it (§3.7): a primary stuck in a
     * smart/fast shutdown still holds the lock and blocks the failover, while an immediate stop after the bound may
     * lose no acknowledged write (synchronous standbys have it). Otherwise pg_ctl_timeout: the lock stays ours while
     * we stop, so waiting longer only delays the switchover; it never lets a second primary in (LeaseGuard stops
     * postgres if the lease would end first).
     */
    Duration stopTimeout() {
        int s = loop.dynamic().synchronousModeEffective() && loop.dynamic().primaryStopTimeout() > 0
                ? loop.dynamic().primaryStopTimeout() : loop.pgCtlTimeoutSeconds();
        return Duration.ofSeconds(Math.max(1, s));
    }

    private void start(StartRequest req, Role role) {
        node.setState(PostgresState.STARTING);
        try {
            pg.start(req);
            node.setRole(role);
            node.setState(PostgresState.RUNNING);
        } catch (PostgresException.StartTimedOut e) {
            LOG.warn("postgres is still starting after {}: {}", req.timeout(), e.getMessage());
            node.setRole(role);
        } catch (PostgresException.AlreadyRunning e) {
            node.setRole(role);
            node.setState(PostgresState.RUNNING);
        } catch (PostgresException e) {
            LOG.error("start failed: {}", e.getMessage());
            node.setState(PostgresState.START_FAILED);
        }
    }

    private void clone(FollowTarget source) {
        if (createReplica(source)) {
            start(StartRequest.of(recovery(currentLeader()), startTimeout(null)).withoutCallback(), Role.REPLICA);
        }
    }

    /** A new data directory copied from {@code source}; false (logged, state stopped) when that failed. */
    private boolean createReplica(FollowTarget source) {
        node.setState(PostgresState.CREATING_REPLICA);
        node.setRole(Role.UNINITIALIZED);
        String from = source == null ? "(without leader)" : "from " + source;
        try {
            pg.createReplica(upstream(source), Duration.ofSeconds(Math.max(3600, loop.pgCtlTimeoutSeconds())));
        } catch (PostgresException e) {
            LOG.error("failed to bootstrap {}: {}", from, e.getMessage());
            node.setState(PostgresState.STOPPED);
            return false;
        }
        LOG.info("bootstrapped {}", from);
        return true;
    }

    /** The leader to follow right now, from a fresh look at the cluster (a clone may take long). */
    private FollowTarget currentLeader() {
        try {
            ClusterView v = dcs.cluster();
            if (v.isUnlocked() || name.equals(v.leaderName())) {
                return FollowTarget.NONE;
            }
            return v.leaderMember().map(m -> FollowTarget.member(m.name(), m.connUrl(), null)).orElse(FollowTarget.NONE);
        } catch (DcsUnavailableException e) {
            return FollowTarget.NONE;
        }
    }

    private List<HaMemory.MemoryUpdate> promote(LongActionRunner.Cancel cancel) {
        if (cancel.requested()) {
            LOG.info("promotion cancelled: the leader lock was lost before pg_ctl promote");
            return List.of();
        }
        try {
            pg.promote(Duration.ofSeconds(Math.max(loop.dynamic().loopWait(), 10)));
            node.setRole(Role.PRIMARY);
            // GET /primary answers 200 the moment postgres takes writes, not at the next cycle (issue 17)
            loop.publishPostgresNow();
            loop.roleChanges().phase("promote");
            loop.roleChanges().complete(Role.PRIMARY.wire());
            return List.of(m -> m.withPromoteResult(true));
        } catch (PostgresException.HookFailed e) {
            LOG.warn("pre_promote refused the promotion: {}", e.getMessage());
            return List.of(m -> m.withPromoteResult(false));
        }
    }

    /** §3.7. Immediate modes stop inline (their point is to stop writes now); the rest runs in the background. */
    private boolean demote(DemoteMode mode) {
        LOG.info("Demoting self ({})", mode.wire());
        if (!mode.releaseLock()) {
            // Safety rule 1: a mode that keeps no lock stops believing in it now, before the snapshot this cycle
            // publishes (GET /primary), not when the background stop gets to it: an offline demote runs on the
            // runner, and /primary would answer 200 for another cycle of an unreachable etcd.
            lock.clear();
        }
        if (mode == DemoteMode.GRACEFUL) {
            return submit(LongAction.Kind.DEMOTE, "switchover: demote", cancel -> demoteBody(mode));
        }
        if (mode == DemoteMode.OFFLINE && !runner.busy()) {
            return submit(LongAction.Kind.DEMOTE, "demote offline", cancel -> demoteBody(mode));
        }
        demoteBody(mode);
        return true;
    }

    /** The member a pending switchover names as candidate, or null. */
    private String switchoverCandidate() {
        ClusterView v = loop.cluster();
        return v == null || v.failover() == null ? null : v.failover().candidate();
    }

    private List<HaMemory.MemoryUpdate> demoteBody(DemoteMode mode) {
        try {
            return stepDown(mode);
        } finally {
            // done or failed: the lock and postgres' role say again what this node is
            node.endStepDown();
            loop.publishNow();
        }
    }

    private List<HaMemory.MemoryUpdate> stepDown(DemoteMode mode) {
        List<HaMemory.MemoryUpdate> updates = new ArrayList<>();
        updates.add(HaMemory::triggerRewindCheck);
        if (!mode.releaseLock()) {
            // without the lock (or without etcd) we are not the leader any more, whatever happens next
            lock.clear();
        }
        if (mode.checkpoint()) {
            // The shutdown checkpoint is then short, and the primary keeps taking writes while this one runs: it is
            // not part of the time clients cannot write (issue 17). Patroni's order: checkpoint, then before_stop.
            try {
                pg.checkpoint();
            } catch (PostgresException e) {
                LOG.warn("CHECKPOINT before stopping failed, stopping anyway: {}", e.getMessage());
            }
        }
        // Issue 17: from here on this primary stops taking writes, and GET /primary says so at once (503, naming
        // the member taking over), not once postgres has stopped and the lock is released: a load balancer moves
        // clients away, and a client waits on the successor, while postgres shuts down. Not earlier (during the
        // checkpoint above): HAProxy would cut sessions (on-marked-down shutdown-sessions) that can still write.
        node.beginStepDown(switchoverCandidate());
        loop.publishNow();
        node.setState(PostgresState.STOPPING);
        StopResult stopped = pg.stop(mode.stopMode(), false,
                stopTimeout());
        node.setState(PostgresState.STOPPED);
        node.setRole(Role.DEMOTED);
        loop.roleChanges().phase("demote");
        if (mode.releaseLock()) {
            Long lastLsn = null;
            if (mode == DemoteMode.GRACEFUL && stopped.controlData() != null) {
                lastLsn = stopped.controlData().checkpointLocation().map(l -> l.value()).orElse(null);
            }
            try {
                final Long optime = lastLsn;
                lock.releasing(() -> dcs.releaseLeader(optime));
                LOG.info("Leader key released");
            } catch (DcsUnavailableException e) {
                LOG.error("could not release the leader key: {} (it expires with our lease)", e.getMessage());
            }
            loop.roleChanges().phase("release_lock");
        }
        // for this node the change is done: it no longer accepts writes and no longer holds the lock
        loop.roleChanges().complete(Role.DEMOTED.wire());
        if (loop.dynamic().synchronousModeEffective()) {
            try {
                pg.setSynchronousStandbyNames("");
            } catch (PostgresException e) {
                LOG.debug("clearing synchronous_standby_names on a stopped node: {}", e.getMessage());
            }
        }
        FollowTarget target = mode == DemoteMode.OFFLINE ? FollowTarget.NONE : currentLeader();
        if (mode == DemoteMode.GRACEFUL && !target.isNone()) {
            Upstream up = upstream(target);
            if (up != null && RewindState.keepsPostgresDown(pg.checkDivergence(up))) {
                LOG.info("diverged from {}: pg_rewind runs before postgres starts again", target);
                updates.add(m -> m.withRewind(RewindState.NEEDED));
                return updates;
            }
        }
        Runnable startAsReplica = () -> start(new StartRequest(recovery(target), startTimeout(null),
                CallbackAction.ON_ROLE_CHANGE, Role.REPLICA), Role.REPLICA);
        if (mode == DemoteMode.IMMEDIATE || mode == DemoteMode.IMMEDIATE_NOLOCK) {
            submit(LongAction.Kind.START, "starting after demotion", cancel -> {
                startAsReplica.run();
                return List.of();
            });
        } else {
            startAsReplica.run();
        }
        return updates;
    }

    /** A restart asked for through the REST API. @return null when started, else the action already running */
    public String submitRestart(Integer timeoutSeconds) {
        return runner.submit(LongAction.Kind.RESTART, "restart", cancel -> {
            restart(timeoutSeconds);
            return List.of(m -> m.withStartTimeout(null));
        });
    }

    /** A reinitialize asked for through the REST API. @return null when started, else the action already running */
    public String submitReinitialize(FollowTarget source) {
        return runner.submit(LongAction.Kind.REINITIALIZE, "reinitialize", cancel -> {
            pg.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(loop.dynamic().retryTimeout()));
            pg.removeDataDirectory();
            clone(source);
            return List.of(m -> m.withRewind(RewindState.NOT_NEEDED).withOnStartFired(false));
        });
    }

    private void restart(Integer timeoutSeconds) {
        node.setState(PostgresState.RESTARTING);
        Role role = node.role();
        Recovery recovery = role.isPrimary() ? Recovery.primary() : recovery(currentLeader());
        try {
            pg.restart(new StartRequest(recovery, startTimeout(timeoutSeconds != null ? timeoutSeconds
                    : loop.dynamic().primaryStartTimeout()), CallbackAction.ON_RESTART, role), stopTimeout());
            node.setState(PostgresState.RUNNING);
        } catch (PostgresException.StartTimedOut e) {
            node.setState(PostgresState.STARTING);
        } catch (PostgresException e) {
            LOG.error("restart failed: {}", e.getMessage());
            node.setState(PostgresState.restartFailed(PostgresState.RUNNING));
        }
    }

    public void close() {
        checkpointThread.shutdownNow();
    }
}
