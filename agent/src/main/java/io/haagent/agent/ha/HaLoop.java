package io.haagent.agent.ha;

import io.haagent.api.CandidateCheck;
import io.haagent.api.DecisionRecord;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RestartRequest;
import io.haagent.api.RoleChangeKind;
import io.haagent.api.StatusBoard;
import io.haagent.api.Version;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.cluster.Tags;
import io.haagent.config.AgentConfig;
import io.haagent.config.DynamicConfig;
import io.haagent.config.SlotSpec;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.Action;
import io.haagent.ha.Decision;
import io.haagent.ha.HaDecider;
import io.haagent.ha.HaInput;
import io.haagent.ha.HaMemory;
import io.haagent.ha.LockStatus;
import io.haagent.ha.NodeSettings;
import io.haagent.ha.PeerStatus;
import io.haagent.ha.RewindState;
import io.haagent.ha.RoleChangeRecord;
import io.haagent.ha.ScheduledRestart;
import io.haagent.pg.Divergence;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import io.haagent.pg.SlotNames;
import io.haagent.pg.Upstream;
import io.haagent.slots.ReplicationSlot;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HA loop (DESIGN §3): each cycle reads the world once (etcd view, lock renewal, local postgres, peers when an
 * election needs them), asks the pure {@link HaDecider}, hands the actions to the {@link ActionExecutor}, writes
 * the member key, publishes the snapshot the REST API serves, and waits until {@code loop_wait} passes or
 * something happens: the etcd watch (leader or config changed, or the leader lease expired), the postmaster's
 * death, a long action finishing, a REST request (safety rule 4: react to events, not to ticks).
 */
public final class HaLoop implements LoopContext, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HaLoop.class);

    private volatile AgentConfig config;
    private final String name;
    private final Dcs dcs;
    private final PostgresControl pg;
    private final PeerClient peers;
    private final StatusBoard board;
    private final Clock clock;
    private final NodeState node;
    private final LockBelief lock;
    private final LongActionRunner runner;
    private final ActionExecutor executor;
    private final LocalStateReader reader;
    private final RoleChangeClock roleChanges;
    private final LeaseGuard leaseGuard;
    private final HaDecider decider = new HaDecider();
    private final Consumer<String> onFatal;

    private volatile boolean stopping;
    private HaMemory memory;
    private volatile ClusterView view;
    private volatile ClusterView lastView;
    /** The last view as etcd had it (its config key unfiltered), for the REST API's /config and /cluster. */
    private volatile ClusterView lastRawView;
    private final ConfigGate configGate;
    private volatile long lastViewNanos;
    private volatile long dcsLastSeenEpoch;
    private volatile Map<String, Object> dynamicRaw;
    private volatile DynamicConfig dynamic;
    private long appliedConfigRevision = -1;
    private long leaderMissingSinceNanos;
    private long postmasterDiedNanos;
    private volatile long nextRunNanos;
    private volatile ScheduledRestart scheduledRestart;
    private volatile RestartRequest scheduledRestartRequest;
    private final AtomicReference<FailsafeLeader> failsafeLeader = new AtomicReference<>();
    private volatile boolean failsafeActive;
    private volatile DecisionRecord lastDecision;
    private volatile Observation lastObservation;
    private final StatusRefresher refresher;
    /** Guards the published postgres status: the newest reading wins, whether the loop's or the refresher's. */
    private final Object statusLock = new Object();
    private ServerStatus freshStatus;
    private long freshStatusNanos;
    private long publishedStatusNanos;

    /** A primary that called our POST /failsafe: it counts as the leader for ttl (§3.8). */
    public record FailsafeLeader(String name, String apiUrl, String connUrl, Map<String, Long> slots, long atNanos) {
    }

    public HaLoop(AgentConfig config, Dcs dcs, PostgresControl pg, PeerClient peers, StatusBoard board, Clock clock,
            RoleChangeClock roleChanges, Map<String, Object> initialDynamic, Consumer<String> onFatal) {
        this.config = config;
        this.name = config.name();
        this.dcs = dcs;
        this.pg = pg;
        this.peers = peers;
        this.board = board;
        this.clock = clock;
        this.roleChanges = roleChanges;
        this.onFatal = onFatal;
        this.dynamicRaw = initialDynamic;
        this.dynamic = DynamicConfig.from(initialDynamic);
        // postgres runs (or will start) with these parameters: a config key that differs makes it reload
        this.memory = HaMemory.INITIAL.withAppliedParameters(dynamic.parameters());
        this.configGate = new ConfigGate(initialDynamic);
        this.node = new NodeState(clock, Role.UNINITIALIZED, PostgresState.STOPPED);
        this.lock = new LockBelief(clock);
        this.runner = new LongActionRunner(clock, dcs::wakeUp);
        this.leaseGuard = new LeaseGuard(lock, node, pg, () -> dynamic.pause() || failsafeActive);
        java.nio.file.Path dataDir = java.nio.file.Path.of(config.postgresql().dataDir());
        this.executor = new ActionExecutor(name, dcs, pg, node, lock, runner, this, dataDir, clock);
        this.reader = new LocalStateReader(pg, node, dataDir,
                () -> dynamic.usePgRewind() || config.postgresql().usePgRewind());
        this.refresher = new StatusRefresher(pg, clock, this::offerFreshStatus, () -> {
            synchronized (statusLock) {
                return Math.max(publishedStatusNanos, freshStatusNanos);
            }
        });
        roleChanges.onChange(change -> {
            synchronized (statusLock) {
                board.update(s -> s.toBuilder().lastRoleChange(change).roleChangeStats(roleChanges.stats()).build());
            }
        });
        pg.setDynamicConfig(dynamic);
        pg.addPostmasterListener(event -> {
            if (!event.expected()) {
                postmasterDiedNanos = clock.nanoTime();
                LOG.warn("postmaster (pid {}) died", event.pid());
            }
            dcs.wakeUp();
        });
    }

    // ------------------------------------------------------------------------------------------------- running

    /** Runs cycles until {@link #stop()}. */
    public void run() {
        adoptRunningPostgres();
        leaseGuard.start();
        board.freshener(refresher::ensureFresh);
        while (!stopping) {
            long start = clock.nanoTime();
            Long soon = null;
            try {
                soon = cycle();
            } catch (RuntimeException e) {
                LOG.error("Unexpected exception raised, please report it as a BUG", e);
            }
            if (stopping) {
                break;
            }
            long loopWait = TimeUnit.SECONDS.toNanos(dynamic.loopWait());
            long due = start + loopWait;
            if (soon != null) {
                due = Math.min(due, clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(soon));
            }
            nextRunNanos = due;
            long wait = due - clock.nanoTime();
            if (wait <= 0) {
                if (soon == null) {
                    LOG.warn("Loop time exceeded, rescheduling immediately.");
                }
                continue;
            }
            try {
                dcs.awaitChange(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** A postgres already running when the agent starts is taken as it is (Patroni attaches to it). */
    private void adoptRunningPostgres() {
        try {
            if (pg.isRunning()) {
                ServerStatus st = pg.state();
                node.setRole(st.isPrimary() ? Role.PRIMARY : Role.REPLICA);
                node.setState(PostgresState.RUNNING);
                LOG.info("found postgres running as {}", node.role());
            }
        } catch (PostgresException e) {
            node.setState(PostgresState.RUNNING);
        }
    }

    /**
     * A re-read local configuration: tags, REST addresses and timeouts apply from the next cycle. Changes of the
     * {@code postgresql} section apply when the agent restarts (the running postgres keeps its files until then).
     */
    public void reload(AgentConfig next) {
        if (!next.postgresql().equals(config.postgresql())) {
            LOG.warn("postgresql settings changed in the configuration file: they apply after ha-agent restarts");
        }
        config = next;
        dcs.wakeUp();
    }

    public void stop() {
        stopping = true;
        dcs.wakeUp();
    }

    /**
     * SIGTERM (§3.10), after the loop thread has stopped. Not paused: stop postgres (fast, no extra checkpoint);
     * a leader then deletes its key with the shutdown checkpoint as {@code optime}, so a replica that has it takes
     * over at once instead of after the lease. Paused: leave postgres and the key alone.
     */
    public void shutdown() {
        ClusterView v = lastView;
        if (v != null && v.isPaused()) {
            LOG.info("Leader key is not deleted and Postgresql is not stopped due paused state");
            return;
        }
        runner.cancel();
        try {
            runner.awaitIdle(Duration.ofSeconds(pgCtlTimeoutSeconds()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean leader = lock.flagged();
        Long checkpoint = null;
        if (pg.isRunning()) {
            node.setState(PostgresState.STOPPING);
            try {
                var stopped = pg.stop(io.haagent.pg.StopMode.FAST, false, executor.stopTimeout());
                if (stopped.controlData() != null) {
                    checkpoint = stopped.controlData().checkpointLocation().map(io.haagent.cluster.Lsn::value)
                            .orElse(null);
                }
            } catch (PostgresException e) {
                LOG.error("could not stop postgres: {}; the leader key is kept", e.getMessage());
                return;
            }
        }
        node.setState(PostgresState.STOPPED);
        try {
            if (leader) {
                final Long optime = checkpoint;
                lock.releasing(() -> dcs.releaseLeader(optime));
                LOG.info("Leader key released");
            }
            ClusterView now = dcs.cluster();
            dcs.touchMember(member(reader.read(), now));
        } catch (DcsUnavailableException e) {
            LOG.warn("etcd unreachable during shutdown: {}", e.getMessage());
        }
    }

    /**
     * One cycle.
     *
     * @return run the next cycle within this many milliseconds, or null for the normal {@code loop_wait}
     */
    Long cycle() {
        long now = clock.nanoTime();
        memory = HaMemory.MemoryUpdate.applyAll(memory, runner.drainFinished());
        memory = HaMemory.MemoryUpdate.applyAll(memory, executor.drainAsyncUpdates());

        // 1. etcd, and the lock renewal, as one read of the world (safety rule 2: the first failure of the cycle
        //    ends etcd access for it, so a primary cut off from etcd decides within one retry_timeout)
        String dcsError = null;
        LockStatus lockStatus = LockStatus.NOT_HELD;
        ClusterView v = null;
        try {
            long releasesSeen = lock.releases();
            ClusterView raw = dcs.cluster();
            lastRawView = raw;
            v = configGate.admit(raw);
            applyDynamicConfig(v);
            if (name.equals(v.leaderName())) {
                long sent = clock.nanoTime();
                Boolean renewed = lock.renewUnlessReleasedSince(releasesSeen, dcs::renewLeader);
                if (renewed == null) {
                    // we released the key after etcd showed it to us (a switchover's demote): look again
                    ClusterView again = dcs.cluster();
                    lastRawView = again;
                    v = configGate.admit(again);
                    applyDynamicConfig(v);
                } else if (renewed) {
                    lock.confirm(sent, dynamic.ttl());
                    lockStatus = LockStatus.HELD;
                } else {
                    lock.clear();
                    lockStatus = LockStatus.LOST;
                    LOG.error("failed to update leader lock");
                }
            } else if (lock.flagged()) {
                lock.clear();
            }
            dcsLastSeenEpoch = clock.now().getEpochSecond();
        } catch (DcsUnavailableException e) {
            dcsError = e.getMessage();
            LOG.error("Error communicating with DCS: {}", e.getMessage());
            v = null;
            lockStatus = lock.held() ? LockStatus.HELD : LockStatus.NOT_HELD;
        }
        view = v;
        if (v != null) {
            lastView = v;
            lastViewNanos = now;
            trackLeaderPresence(v, now);
        }

        // 2. the local node
        long obsNanos = clock.nanoTime();
        Observation obs = reader.read();
        lastObservation = obs;
        io.haagent.ha.LocalState local = obs.local();
        if (obs.queryFailed()) {
            if (v != null) {
                publish(obs, obsNanos, "Error communicating with PostgreSQL. Will try again later", List.of(), null);
                LOG.info("Error communicating with PostgreSQL. Will try again later ({})", obs.queryError());
                return 1000L;
            }
            // etcd is unreachable too. Safety rule 2 still holds: a postmaster that may be a primary must stop
            // before our lease can expire, so decide as if it were the primary it last was.
            local = assumeStillPrimaryIfWeWere(local);
        }
        checkDivergenceIfAsked(v, obs);

        // 3. decide (asking peers only when an election needs them)
        HaInput in = new HaInput(settings(), v, dcsError, lockStatus, local, runner.current(), null, memory,
                failsafeLeaderName(), null, scheduledRestart, clock.nanoTime(), clock.now());
        Decision decision = decide(in);
        memory = decision.memory();
        beginRoleChange(decision);

        // 4. act
        ActionExecutor.Report report = executor.apply(decision);
        memory = HaMemory.MemoryUpdate.applyAll(memory, report.updates());
        failsafeActive = decision.has(Action.KeepLeaderByFailsafe.class) && !report.stopped();
        if (v != null && lock.held() && obs.status() != null && obs.status().isPrimary()) {
            writeStatus(obs.status());
            if (dynamic.failsafeMode()) {
                writeFailsafe(v);
            }
        }
        String summary = report.summary();
        for (String note : decision.notes()) {
            LOG.info(note);
        }
        LOG.info(summary);
        RoleChangeRecord change = decision.roleChange();
        if (change != null && report.stopped() && !(decision.has(Action.Demote.class) && !decision.has(Action.AcquireLock.class))) {
            // the chain stopped before the change happened (lost the lock race, CAS on /sync): nothing changed
            roleChanges.cancel();
            change = null;
        }
        if (change != null) {
            LOG.info("role change decision: {}", RoleChangeLog.json(change, name, clock.now()));
        }

        // 5. member key and snapshot (not when etcd failed this cycle)
        long afterNanos = decision.actions().isEmpty() ? obsNanos : clock.nanoTime();
        Observation after = decision.actions().isEmpty() ? obs : reader.read();
        if (v != null) {
            try {
                dcs.touchMember(member(after, v));
            } catch (DcsUnavailableException e) {
                LOG.warn("could not write the member key: {}", e.getMessage());
            }
        }
        publish(after, afterNanos, summary, decision.actions(), change);
        if (report.stopped()) {
            return 100L;
        }
        return decision.nextCycleInMillis();
    }

    /** The local state with {@code primary} set when postgres runs and this node last took the primary role. */
    private io.haagent.ha.LocalState assumeStillPrimaryIfWeWere(io.haagent.ha.LocalState l) {
        return l.running() && node.role().isPrimary() ? l.asRunningPrimary() : l;
    }

    private Decision decide(HaInput in) {
        HaInput input = in;
        for (int i = 0; i < 4; i++) {
            Decision.Outcome out = decider.decide(input);
            if (out.decision() != null) {
                return out.decision();
            }
            if (out.failsafeCheckNeeded()) {
                input = input.withFailsafeTopologyOk(failsafeHeartbeat());
            } else {
                Map<String, PeerStatus> answers = peers.statuses(out.peersNeeded());
                input = input.withPeers(answers);
            }
        }
        throw new IllegalStateException("the decider kept asking for more input");
    }

    // ------------------------------------------------------------------------------------------------- inputs

    private NodeSettings settings() {
        var pgc = config.postgresql();
        boolean withoutLeader = false;
        for (String m : pgc.createReplicaMethods()) {
            Map<String, Object> section = pgc.replicaMethods().get(m);
            if (section != null && (io.haagent.config.Values.truthy(section.get("no_leader"))
                    || io.haagent.config.Values.truthy(section.get("no_master")))) {
                withoutLeader = true;
            }
        }
        boolean removeOnDiverged = dynamic.removeDataDirectoryOnDivergedTimelines() != null
                ? dynamic.removeDataDirectoryOnDivergedTimelines() : pgc.removeDataDirectoryOnDivergedTimelines();
        boolean watchdogRequired = "required".equalsIgnoreCase(config.watchdog().mode());
        return new NodeSettings(name, config.scope(), config.tags(), config.bootstrap() != null
                && config.bootstrap() != io.haagent.config.BootstrapConfig.NONE, dynamicRaw, withoutLeader,
                watchdogRequired, false, removeOnDiverged);
    }

    private void applyDynamicConfig(ClusterView v) {
        if (v.config() == null || v.config().isEmpty() || v.config().modRevision() == appliedConfigRevision) {
            return;
        }
        dynamicRaw = v.config().data();
        dynamic = v.config().dynamic();
        appliedConfigRevision = v.config().modRevision();
        for (String w : dynamic.warnings()) {
            LOG.warn("dynamic configuration: {}", w);
        }
        pg.setDynamicConfig(dynamic);
        dcs.setTimeouts(dynamic.ttl(), dynamic.retryTimeout());
        DynamicConfigCache.save(java.nio.file.Path.of(config.postgresql().dataDir()), dynamicRaw);
        // postgres re-reads its files when the decider sees the parameters changed (Action.ApplyParameters)
    }

    private void trackLeaderPresence(ClusterView v, long now) {
        if (v.isUnlocked()) {
            if (leaderMissingSinceNanos == 0) {
                leaderMissingSinceNanos = now;
            }
        } else {
            leaderMissingSinceNanos = 0;
        }
    }

    /** §4.7: the decider asked whether we diverged; find out against the current leader. */
    private void checkDivergenceIfAsked(ClusterView v, Observation obs) {
        if (memory.rewind() != RewindState.CHECK || v == null || v.isUnlocked() || name.equals(v.leaderName())
                || obs.local().primary() || runner.busy()) {
            return;
        }
        boolean removeOnDiverged = settings().removeDataDirectoryOnDivergedTimelines();
        if (!obs.local().canRewind() && !removeOnDiverged) {
            return;
        }
        Member leader = v.leaderMember().orElse(null);
        if (leader == null || leader.roleEnum() != Role.PRIMARY || leader.host() == null) {
            return;
        }
        Divergence d = pg.checkDivergence(Upstream.of(leader));
        LOG.info("divergence check against {}: {}", leader.name(), d.reason());
        if (d instanceof Divergence.NotDiverged) {
            memory = memory.withRewind(RewindState.NOT_NEEDED);
        } else if (d instanceof Divergence.RewindNeeded || d instanceof Divergence.RewindImpossible) {
            memory = memory.withRewind(RewindState.NEEDED);
        }
    }

    private String failsafeLeaderName() {
        FailsafeLeader f = failsafeLeader.get();
        if (f == null || clock.nanoTime() - f.atNanos() > TimeUnit.SECONDS.toNanos(dynamic.ttl())) {
            return null;
        }
        return f.name();
    }

    private boolean failsafeHeartbeat() {
        ClusterView last = lastView;
        Map<String, String> fs = last == null ? null : last.failsafe();
        if (fs == null || !fs.containsKey(name)) {
            return false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("conn_url", config.postgresql().connUrl());
        body.put("api_url", config.restapi().apiUrl());
        Observation obs = lastObservation;
        if (obs != null && obs.status() != null) {
            body.put("slots", Map.of(SlotNames.fromMemberName(name), obs.status().xlogLocation().value()));
        }
        return peers.failsafeHeartbeat(name, fs, body);
    }

    // ------------------------------------------------------------------------------------------------- outputs

    private void beginRoleChange(Decision d) {
        RoleChangeRecord r = d.roleChange();
        if (r == null) {
            return;
        }
        long now = clock.nanoTime();
        switch (r.kind()) {
            case FAILOVER -> {
                // the new primary (lock then promote), or the old one stepping down for a manual failover
                if (d.has(Action.AcquireLock.class) || d.has(Action.Promote.class) || d.has(Action.Demote.class)) {
                    roleChanges.begin(RoleChangeKind.FAILOVER, node.role().wire(), r.decision(),
                            leaderMissingSinceNanos == 0 ? now : leaderMissingSinceNanos);
                }
            }
            case SWITCHOVER -> roleChanges.begin(RoleChangeKind.SWITCHOVER, node.role().wire(), r.decision(),
                    d.has(Action.AcquireLock.class) && leaderMissingSinceNanos != 0 ? leaderMissingSinceNanos : now);
            case CRASH_RESTART -> roleChanges.begin(RoleChangeKind.CRASH_RESTART, node.role().wire(), r.decision(),
                    postmasterDiedNanos == 0 ? now : postmasterDiedNanos);
            default -> {
            }
        }
    }

    private void writeStatus(ServerStatus st) {
        Map<String, Long> slots = new LinkedHashMap<>();
        if (useSlots()) {
            Map<String, SlotSpec> permanent = dynamic.slots();
            if (!permanent.isEmpty()) {
                try {
                    for (ReplicationSlot s : pg.replicationSlots()) {
                        if (permanent.containsKey(s.name()) && s.position() != null) {
                            slots.put(s.name(), s.position().value());
                        }
                    }
                } catch (PostgresException e) {
                    LOG.debug("slots for status: {}", e.getMessage());
                }
            }
            slots.put(SlotNames.fromMemberName(name), st.xlogLocation().value());
        }
        try {
            dcs.writeStatus(ClusterStatus.of(st.xlogLocation().value(), slots));
        } catch (DcsUnavailableException e) {
            LOG.warn("could not write status: {}", e.getMessage());
        }
    }

    private void writeFailsafe(ClusterView v) {
        Map<String, String> fs = new LinkedHashMap<>();
        for (Member m : v.members()) {
            if (m.apiUrl() != null && !m.apiUrl().isBlank()) {
                fs.put(m.name(), m.apiUrl());
            }
        }
        fs.put(name, config.restapi().apiUrl());
        try {
            dcs.writeFailsafe(fs);
        } catch (DcsUnavailableException e) {
            LOG.warn("could not write failsafe: {}", e.getMessage());
        }
    }

    private Member member(Observation obs, ClusterView v) {
        var pgc = config.postgresql();
        Tags tags = config.tags();
        Member.Builder b = Member.builder(name)
                .connUrl(pgc.connUrl())
                .apiUrl(config.restapi().apiUrl())
                .state(node.state())
                .role(node.role())
                .version(Version.PATRONI_COMPATIBLE)
                .proxyUrl(pgc.proxyUrl())
                .tags(tags)
                .pause(v.isPaused());
        if (lock.held() && memory.checkpointAfterPromotePending()) {
            b.checkpointAfterPromote(false);
        }
        ServerStatus st = obs.status();
        if (st != null) {
            if (st.pendingRestartNeeded()) {
                b.pendingRestart(true);
                Map<String, Map<String, String>> reason = new LinkedHashMap<>();
                st.pendingRestart().forEach((k, p) -> reason.put(k, Map.of("old_value", String.valueOf(p.oldValue()),
                        "new_value", String.valueOf(p.newValue()))));
                b.pendingRestartReason(reason);
            }
            String state = node.state();
            boolean busyOtherThanPromote = runner.busy() && runner.current().kind() != io.haagent.ha.LongAction.Kind.PROMOTE;
            if (!busyOtherThanPromote && (PostgresState.RUNNING.equals(state) || PostgresState.RESTARTING.equals(state)
                    || PostgresState.STARTING.equals(state))) {
                b.xlogLocation(st.xlogLocation().value());
                if (st.replicationState() != null) {
                    b.replicationState(st.replicationState());
                }
            }
            if (st.timeline() > 0) {
                b.timeline((int) st.timeline());
            }
        }
        RestartRequest sr = scheduledRestartRequest;
        if (sr != null) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("schedule", sr.schedule().toString());
            ScheduledRestart s = scheduledRestart;
            if (s != null && s.postmasterStartTime() != null) {
                data.put("postmaster_start_time", s.postmasterStartTime());
            }
            if (sr.role() != null) {
                data.put("role", sr.role());
            }
            if (sr.postgresVersion() != null) {
                data.put("postgres_version", sr.postgresVersion());
            }
            if (sr.restartPending()) {
                data.put("restart_pending", true);
            }
            if (sr.timeoutSeconds() != null) {
                data.put("timeout", sr.timeoutSeconds());
            }
            b.scheduledRestart(data);
        }
        return b.build();
    }

    /**
     * A monitoring result read between cycles (§2.4: Patroni answers GET /patroni from a live query, and peers
     * compare the WAL positions in it during elections and switchover checks): it replaces the published postgres
     * status when it is newer than what the last cycle published.
     */
    private void offerFreshStatus(ServerStatus st, long readStartedNanos) {
        synchronized (statusLock) {
            if (readStartedNanos <= publishedStatusNanos || readStartedNanos <= freshStatusNanos) {
                return;
            }
            freshStatus = st;
            freshStatusNanos = readStartedNanos;
            board.update(s -> s.toBuilder().postgres(SnapshotBuilder.postgres(st, node)).build());
        }
    }

    private void publish(Observation obs, long obsNanos, String summary, List<Action> actions,
            RoleChangeRecord roleChange) {
        List<CandidateCheck> candidates = new ArrayList<>();
        if (roleChange != null) {
            for (RoleChangeRecord.Candidate c : roleChange.candidates()) {
                candidates.add(new CandidateCheck(c.name(), c.eligible(), c.reason()));
            }
        }
        Map<String, String> inputs = new LinkedHashMap<>();
        ClusterView v = view;
        inputs.put("leader", v == null ? "unknown (etcd unreachable)" : v.isUnlocked() ? "none" : v.leaderName());
        inputs.put("lock", lock.held() ? "held" : "not held");
        inputs.put("postgres", node.state() + " as " + node.role().wire());
        inputs.put("wal_position", io.haagent.cluster.Lsn.of(obs.local().walPosition()).toString());
        inputs.put("timeline", String.valueOf(obs.local().timeline()));
        if (v != null) {
            inputs.put("last_leader_lsn", io.haagent.cluster.Lsn.of(v.lastLsn()).toString());
        }
        DecisionRecord record = new DecisionRecord(clock.now(), summary,
                actions.stream().map(ActionExecutor::describe).toList(), inputs, candidates);
        if (roleChange != null || lastDecision == null || !summary.equals(lastDecision.summary())) {
            lastDecision = record;
        } else {
            lastDecision = new DecisionRecord(clock.now(), summary, lastDecision.actions(), lastDecision.inputs(),
                    lastDecision.candidates());
        }
        synchronized (statusLock) {
            Observation shown = obs;
            if (freshStatus != null && freshStatusNanos > obsNanos) {
                // the refresher read postgres after this cycle did: publish the newer reading
                shown = new Observation(obs.local(), freshStatus, obs.controlData(), false, null);
            }
            publishedStatusNanos = Math.max(obsNanos, freshStatusNanos);
            board.publish(SnapshotBuilder.build(config, shown, node, lock, lastRawView, lastViewNanos, dynamic,
                    failsafeActive, dcsLastSeenEpoch, scheduledRestartRequest, nextRunNanos, lastDecision,
                    roleChanges.last(), roleChanges.stats()).toBuilder().configRejection(configGate.rejection())
                    .build());
        }
    }

    // ------------------------------------------------------------------------------------------------- LoopContext

    @Override
    public DynamicConfig dynamic() {
        return dynamic;
    }

    @Override
    public ClusterView cluster() {
        return view;
    }

    @Override
    public int pgCtlTimeoutSeconds() {
        Integer d = dynamic.pgCtlTimeout();
        return d != null ? d : config.postgresql().pgCtlTimeout();
    }

    @Override
    public boolean useSlots() {
        return dynamic.useSlots();
    }

    @Override
    public void clearScheduledRestart() {
        scheduledRestart = null;
        scheduledRestartRequest = null;
    }

    @Override
    public void exit(String reason) {
        stopping = true;
        onFatal.accept(reason);
    }

    @Override
    public void wakeUp() {
        dcs.wakeUp();
    }

    @Override
    public RoleChangeClock roleChanges() {
        return roleChanges;
    }

    @Override
    public void publishNow() {
        synchronized (statusLock) {
            board.update(s -> withBeliefs(s.toBuilder()).build());
        }
    }

    @Override
    public void publishPostgresNow() {
        long started = clock.nanoTime();
        ServerStatus st = null;
        try {
            if (pg.isRunning()) {
                st = pg.state();
            }
        } catch (PostgresException e) {
            LOG.debug("status read to publish at once: {}", e.getMessage());
        }
        synchronized (statusLock) {
            NodeSnapshot.Builder b = withBeliefs(board.current().toBuilder());
            if (st != null && started > publishedStatusNanos && started > freshStatusNanos) {
                freshStatus = st;
                freshStatusNanos = started;
                b.postgres(SnapshotBuilder.postgres(st, node));
            }
            board.publish(b.build());
        }
    }

    /** The lock belief and the step-down state as they are now. */
    private NodeSnapshot.Builder withBeliefs(NodeSnapshot.Builder b) {
        if (lock.flagged()) {
            b.leaderLockUntil(lock.deadlineNanos());
        } else {
            b.noLeaderLock();
        }
        return b.steppingDown(node.steppingDown(), node.steppingDownTo());
    }

    // ------------------------------------------------------------------------------------------------- for the REST port

    public NodeState node() {
        return node;
    }

    public LockBelief lock() {
        return lock;
    }

    public LongActionRunner runner() {
        return runner;
    }

    public ActionExecutor executor() {
        return executor;
    }

    public HaMemory memory() {
        return memory;
    }

    public ClusterView lastView() {
        return lastView;
    }

    public boolean scheduleRestart(RestartRequest r, ScheduledRestart s) {
        if (scheduledRestart != null) {
            return false;
        }
        scheduledRestartRequest = r;
        scheduledRestart = s;
        return true;
    }

    public boolean hasScheduledRestart() {
        return scheduledRestart != null;
    }

    public void acceptFailsafe(FailsafeLeader f) {
        failsafeLeader.set(f);
    }

    public Observation lastObservation() {
        return lastObservation;
    }

    @Override
    public void close() {
        stop();
        leaseGuard.close();
        board.freshener(null);
        refresher.close();
        runner.close();
        executor.close();
    }
}
