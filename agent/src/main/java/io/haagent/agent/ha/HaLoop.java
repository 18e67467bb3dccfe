package io.haagent.agent.ha;

import io.haagent.api.DecisionRecord;
import io.haagent.api.StatusBoard;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.config.AgentConfig;
import io.haagent.config.DynamicConfig;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.Action;
import io.haagent.ha.CycleRecord;
import io.haagent.ha.Decision;
import io.haagent.ha.HaDecider;
import io.haagent.ha.HaInput;
import io.haagent.ha.HaMemory;
import io.haagent.ha.Outcome;
import io.haagent.ha.RoleChangeRecord;
import io.haagent.pg.PostgresControl;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
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
    private final SecondPhase deciding;
    private final RoleNamesFollower roleNames;
    private final Consumer<String> onFatal;

    private volatile boolean stopping;
    private HaMemory memory;
    private volatile ClusterView view;
    private volatile ClusterView lastView;
    private final HeartbeatLog heartbeatLog;
    private final ConfigGate configGate;
    private volatile long lastViewNanos;
    private volatile long dcsLastSeenEpoch;
    private volatile Map<String, Object> dynamicRaw;
    private volatile DynamicConfig dynamic;
    private long appliedConfigRevision = -1;
    private final RoleChangeStart roleChangeStart;
    private volatile long nextRunNanos;
    private final RestRequests requests = new RestRequests();
    private final FailsafeContacts failsafe;
    private final ClusterReader clusterReader;
    private volatile boolean failsafeActive;
    private volatile Observation lastObservation;
    private volatile CycleRecord lastCycle;
    private final StatusRefresher refresher;
    private final Publisher publisher;
    private final Watchdog watchdog;

    public HaLoop(AgentConfig config, Dcs dcs, PostgresControl pg, PeerClient peers, StatusBoard board, Clock clock,
            RoleChangeClock roleChanges, Map<String, Object> initialDynamic, Consumer<String> onFatal) {
        this(config, dcs, pg, peers, board, clock, roleChanges, initialDynamic, onFatal, null);
    }

    /**
     * @param background where long actions and the post-promote CHECKPOINT run; null: threads of their own. A loop
     *                   test or the simulator passes an executor it steps itself and calls {@link #cycle()} directly
     *                   (with its FakeClock): then nothing in a cycle runs on a thread or a clock it does not drive.
     */
    public HaLoop(AgentConfig config, Dcs dcs, PostgresControl pg, PeerClient peers, StatusBoard board, Clock clock,
            RoleChangeClock roleChanges, Map<String, Object> initialDynamic, Consumer<String> onFatal,
            java.util.concurrent.Executor background) {
        this.config = config;
        this.name = config.name();
        this.dcs = dcs;
        this.pg = pg;
        this.peers = peers;
        this.board = board;
        this.clock = clock;
        this.roleChanges = roleChanges;
        this.node = new NodeState(clock, Role.UNINITIALIZED, PostgresState.STOPPED);
        this.roleNames = new RoleNamesFollower(name, node, pg);
        this.heartbeatLog = new HeartbeatLog(config.log() != null && config.log().deduplicateHeartbeatLogs());
        this.roleChangeStart = new RoleChangeStart(clock, roleChanges, node);
        this.onFatal = onFatal;
        this.dynamicRaw = initialDynamic;
        this.dynamic = DynamicConfig.from(initialDynamic);
        // postgres runs (or will start) with these parameters: a config key that differs makes it reload
        this.memory = HaMemory.INITIAL.withAppliedParameters(dynamic.parameters());
        this.configGate = new ConfigGate(initialDynamic);
        this.failsafe = new FailsafeContacts(clock, peers);
        this.deciding = new SecondPhase(pg, peers, () -> failsafe.heartbeat(name, config.postgresql().connUrl(),
                config.restapi().apiUrl(), StatusKeys.statusSlots(pg, name, dynamic, lastObservation)));
        this.lock = new LockBelief(clock);
        this.clusterReader = new ClusterReader(name, dcs, lock, configGate, clock);
        this.runner = new LongActionRunner(clock, dcs::wakeUp, background);
        this.leaseGuard = new LeaseGuard(lock, node, pg, () -> dynamic.pause() || failsafeActive);
        java.nio.file.Path dataDir = java.nio.file.Path.of(config.postgresql().dataDir());
        this.watchdog = new Watchdog(config.watchdog());
        this.executor = new ActionExecutor(name, dcs, pg, node, lock, runner, this, dataDir, clock, background);
        this.reader = new LocalStateReader(pg, node, dataDir,
                () -> dynamic.usePgRewind() || config.postgresql().usePgRewind(), () -> dynamic.useSlots());
        this.publisher = new Publisher(board, clock, node, lock, pg);
        this.refresher = new StatusRefresher(pg, clock, publisher::offerFreshStatus, publisher::newestReadingNanos);
        roleChanges.onChange(change -> publisher.update(
                s -> s.toBuilder().lastRoleChange(change).roleChangeStats(roleChanges.stats()).build()));
        pg.setDynamicConfig(dynamic);
        pg.addPostmasterListener(event -> {
            if (!event.expected()) {
                roleChangeStart.postmasterDied();
                LOG.warn("postmaster (pid {}) died", event.pid());
            } else if (runner.busy()) {
                // a stop the running long action asked for (a switchover's demote): the runner wakes the loop when
                // the action ends; a cycle now would only renew the lock the demote is about to release, and hold
                // up that release (issue 17)
                return;
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

    /** A postgres already running when the agent starts is taken as it is (Patroni attaches to it); run() does it. */
    public void adoptRunningPostgres() {
        if (node.adopt(pg)) {
            LOG.info("found postgres running as {}", node.role());
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

    /** SIGTERM (§3.10), after the loop thread has stopped: {@link ShutdownHandover}. */
    public void shutdown() {
        ShutdownHandover.run(lastView, dcs, pg, node, lock, runner, Duration.ofSeconds(pgCtlTimeoutSeconds()),
                executor.stopTimeout(), now -> MemberKey.build(memberFacts(), reader.read(), now));
    }

    /**
     * One cycle.
     *
     * @return run the next cycle within this many milliseconds, or null for the normal {@code loop_wait}
     */
    public Long cycle() {
        long now = clock.nanoTime();
        // what came back from the last cycle's actions: typed outcomes, applied by their own rules
        List<Outcome> back = new java.util.ArrayList<>(runner.drainFinished());
        back.addAll(executor.drainAsyncUpdates());
        if (!back.isEmpty()) {
            LOG.debug("outcomes: {}", back);
            memory = Outcome.applyAll(memory, back);
        }

        // 1. etcd, and the lock renewal, as one read of the world
        ClusterReader.Result read = clusterReader.read(this::applyDynamicConfig, () -> dynamic.ttl());
        ClusterView v = read.view();
        if (v != null) {
            dcsLastSeenEpoch = clock.now().getEpochSecond();
        }
        view = v;
        if (v != null) {
            failsafe.read(v);
            lastView = v;
            lastViewNanos = now;
            roleChangeStart.sawView(v, now);
            roleNames.follow(config.roleNames(), v);
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

        // 3. decide (asking peers only when an election needs them)
        HaInput in = new HaInput(NodeSettingsOf.of(config, dynamic, dynamicRaw, watchdog), v, read.dcsError(),
                read.lock(), local, runner.currentWithOutcomes(l -> memory = Outcome.applyAll(memory, l)), null,
                memory, failsafe.last(), null, requests.scheduled(), clock.nanoTime(), clock.now())
                .withRequest(requests.next()).withLastCluster(lastView);
        CycleRecord record = deciding.decide(in);
        lastCycle = record;
        Decision decision = record.decision();
        memory = decision.memory();
        roleChangeStart.begin(decision);

        // 4. act
        ActionExecutor.Report report = executor.apply(decision);
        memory = Outcome.applyAll(memory, report.updates());
        if (report.stopped() && requests.refuseUnanswered(record.input().request(), report.summary())) {
            memory = memory.withRequestInFlight(null);
        }
        // the decider's verdict (§3.8): the REST API reports it, the lease guard stands by while it lasts
        failsafeActive = memory.failsafe().activeAt(clock.nanoTime());
        String summary = report.summary();
        for (String note : decision.notes()) {
            LOG.info(note);
        }
        if (heartbeatLog.shouldLog(summary, !decision.notes().isEmpty())) {
            LOG.info(summary);
        }
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
                dcs.touchMember(MemberKey.build(memberFacts(), after, v));
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

    // ------------------------------------------------------------------------------------------------- inputs

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

    // ------------------------------------------------------------------------------------------------- outputs

    private MemberKey.Facts memberFacts() {
        return new MemberKey.Facts(config, node, lock, memory, runner.current(), requests.scheduledRequest(),
                requests.scheduled());
    }

    private void publish(Observation obs, long obsNanos, String summary, List<Action> actions,
            RoleChangeRecord roleChange) {
        publisher.publish(obs, obsNanos, summary, actions, roleChange, new Publisher.Facts(config, view,
                clusterReader.lastRaw(), lastViewNanos, dynamic, failsafeActive, dcsLastSeenEpoch,
                requests.scheduledRequest(), nextRunNanos, roleChanges, configGate.rejection(),
                watchdog.required() && !watchdog.usable()));
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
    public String apiUrl() {
        return config.restapi().apiUrl();
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
        requests.clearScheduled();
    }

    @Override
    public void answerRequest(long id, boolean ok, String text) {
        requests.answer(id, ok, text);
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
        publisher.publishNow();
    }

    @Override
    public void publishPostgresNow() {
        publisher.publishPostgresNow();
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

    public Watchdog watchdog() {
        return watchdog;
    }

    @Override
    public FailsafeContacts failsafeContacts() {
        return failsafe;
    }

    /** The REST requests this loop carries out (scheduled restart, immediate restart, reinitialize). */
    RestRequests requests() {
        return requests;
    }

    /** A restart or reinitialize handed to the loop without waiting for its answer (the simulator's operator). */
    public void submitRequest(java.util.function.LongFunction<io.haagent.ha.NodeRequest> request) {
        requests.submit(request, this::wakeUp);
    }

    /** A POST /failsafe accepted: the decider judges it in the next cycle, which runs now (§3.8). */
    public void acceptFailsafe(io.haagent.ha.FailsafeContact f) {
        failsafe.accept(f);
        dcs.wakeUp();
    }

    public Observation lastObservation() {
        return lastObservation;
    }

    /** Wraps the decider (simulator of issue 13 only: its mutants, to show its invariants catch them). */
    public void decideWith(UnaryOperator<Function<HaInput, Decision.Outcome>> wrap) {
        deciding.decideWith(wrap);
    }

    /** The last cycle's input and decision: replayable ({@link CycleRecord#replay()}), for tests and the simulator. */
    public CycleRecord lastCycle() {
        return lastCycle;
    }

    /** The decision record the REST API shows: why this node did what it last did. */
    public io.haagent.api.DecisionRecord lastDecision() {
        return publisher.lastDecision();
    }

    @Override
    public void close() {
        stop();
        leaseGuard.close();
        board.freshener(null);
        refresher.close();
        runner.close();
        executor.close();
        // the loop has stopped: nobody keeps the watchdog alive any more (a magic close, or the machine resets)
        watchdog.disable();
    }
}
