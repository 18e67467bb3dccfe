package io.haagent.sim;

import io.haagent.agent.ha.HaLoop;
import io.haagent.agent.ha.PeerClient;
import io.haagent.agent.ha.RoleChangeClock;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.api.StatusBoard;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.config.AgentConfig;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.InMemoryDcs;
import io.haagent.dcs.InMemoryStore;
import io.haagent.ha.PeerStatus;
import io.haagent.pg.FakePostgres;
import io.haagent.time.FakeClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One simulated cluster, driven by one seed (issue 13): N agents with the real {@link HaLoop}, decider and executor on
 * one {@link InMemoryStore}, {@link FakePostgres} instances and one {@link FakeClock}. Everything happens as an event
 * of one scheduler, in simulated time: agents' cycles (at {@code loop_wait}, earlier when a DCS change, a postmaster's
 * death or a finished long action would have woken them), long actions (run when the scheduler says, not on threads),
 * replication, the client's writes, faults and operator actions. No thread is started and nothing reads a real clock,
 * so the seed alone decides the run, event for event. After every event the {@link Invariants} judge the world.
 */
public final class SimRun {
    /** SIM_DEBUG set: each cycle's actions, rewind state and notes in the trace too. */
    private static final boolean DEBUG = System.getenv("SIM_DEBUG") != null;
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final Pattern COUNT = Pattern.compile("^\\s*(?:(ANY|FIRST)\\s+)?(\\d+)\\s*\\(",
            Pattern.CASE_INSENSITIVE);

    /** What one run found. */
    public record Result(long seed, String variant, long events, List<Fault> faults, Breach breach, Trace trace,
            long overlapNanos, int overlapCommits, long lostBytes, int promotions) {
    }

    /** An invariant broken: where, and the events that led there. */
    public record Breach(String invariant, String detail, long atNanos) {
    }

    /** The cluster's settings for one run, drawn from the seed. */
    record Variant(String syncMode, boolean strict, long maxLag, boolean watchdog) {
        static Variant of(Random r) {
            String mode = new String[] {"off", "off", "on", "quorum"}[r.nextInt(4)];
            return new Variant(mode, !mode.equals("off") && r.nextBoolean(),
                    new long[] {16384, 65536, 1 << 20}[r.nextInt(3)], r.nextBoolean());
        }

        String yaml() {
            return "    maximum_lag_on_failover: " + maxLag + "\n"
                    + "    synchronous_mode: " + (syncMode.equals("off") ? "false" : syncMode.equals("on") ? "true"
                            : "quorum") + "\n"
                    + "    synchronous_mode_strict: " + strict + "\n"
                    + "    postgresql:\n      use_pg_rewind: true\n";
        }

        @Override
        public String toString() {
            return "synchronous_mode " + syncMode + (strict ? " strict" : "") + ", maximum_lag_on_failover " + maxLag
                    + (watchdog ? ", watchdog" : ", no watchdog");
        }
    }

    private record Event(long at, long seq, Runnable body) {
    }

    private record Commit(Node node, long tl, long lsn) {
    }

    /** One node: its postgres, and its agent (a new {@link HaLoop} each time the process starts). */
    private final class Node {
        final String name;
        final AgentConfig config;
        final FakePostgres pg;
        final ArrayDeque<Runnable> steps = new ArrayDeque<>();
        HaLoop loop;
        InMemoryDcs dcs;
        NodeView.Agent agent = NodeView.Agent.DOWN;
        int incarnation;
        long token;
        long nextDue = Long.MAX_VALUE;
        long lastCycle;
        /**
         * The last cycle that kept the watchdog alive (a leader's cycle that held the lock): its timer runs from there;
         * 0 when disarmed (the node never led, or stepped down since).
         */
        long lastKick;
        boolean dcsCut;
        boolean stepScheduled;
        /** The agent's last cycle saw the cluster paused: it disarmed the watchdog (§7.1, as Patroni does). */
        boolean paused;
        /** Back from a freeze or a crash: until a cycle ends with nothing left running, it may still be catching up. */
        boolean resuming;
        int pgEventsSeen;

        Node(String name, AgentConfig config) {
            this.name = name;
            this.config = config;
            String[] addr = config.postgresql().connectAddress().split(":");
            this.pg = world.instance(name, addr[0], Integer.parseInt(addr[1]));
        }
    }

    /** The agents' REST links ({@code GET /patroni}): an agent that is not up, or a cut link, does not answer. */
    private final class Peers implements PeerClient {
        private final String self;

        Peers(String self) {
            this.self = self;
        }

        @Override
        public Map<String, PeerStatus> statuses(Map<String, String> apiUrls) {
            Map<String, PeerStatus> out = new LinkedHashMap<>();
            for (String peer : apiUrls.keySet()) {
                Node n = nodes.get(peer);
                if (n == null || n.agent != NodeView.Agent.UP || peerCut.contains(self + ">" + peer)) {
                    out.put(peer, PeerStatus.unreachable(peer, "timed out"));
                } else if (n.pg.running() && n.pg.accepting() && !n.pg.inRecovery()) {
                    out.put(peer, PeerStatus.primary(peer, n.pg.timeline(), n.config.tags()));
                } else {
                    out.put(peer, PeerStatus.replica(peer, n.pg.running() ? n.pg.lsn() : 0, n.pg.timeline(),
                            n.config.tags()));
                }
            }
            return out;
        }

        @Override
        public boolean failsafeHeartbeat(String selfName, Map<String, String> failsafe, Map<String, Object> body) {
            return false; // failsafe_mode is not among the simulated settings yet
        }
    }

    private final long seed;
    private final Random rnd;
    private final Variant variant;
    private final List<Fault> faults;
    private final java.util.function.UnaryOperator<java.util.function.Function<io.haagent.ha.HaInput,
            io.haagent.ha.Decision.Outcome>> mutant;
    private final FakeClock clock = new FakeClock();
    private final long t0 = clock.nanoTime();
    private final InMemoryStore store = new InMemoryStore(clock);
    private final FakePostgres.World world = new FakePostgres.World();
    private final InMemoryDcs observer;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Set<String> peerCut = new HashSet<>();
    private final Set<String> streamCut = new HashSet<>();
    private final Trace trace = new Trace();
    private final Invariants invariants = Invariants.all();
    private final List<String> deaths = new ArrayList<>();
    private final Set<String> dead = new HashSet<>();
    private final List<Commit> pending = new ArrayList<>();
    private final Map<Long, Long> acked = new TreeMap<>();
    private final Map<Long, Long> protectedAcked = new TreeMap<>();
    private final Map<Long, Long> published = new TreeMap<>();
    private final Map<String, PromotionReport> promotionReports = new LinkedHashMap<>();
    private final long healedAt;
    private final long endAt;
    private final int ttl = 30;
    private final int loopWait = 10;
    private long seq;
    private long events;
    private int overlapCommits;
    private Breach breach;

    /**
     * @param faults the fault schedule, or null to draw it from the seed
     * @param mutant wraps every agent's decider (a deliberately broken variant), or null for the real one
     */
    public SimRun(long seed, int agents, List<Fault> faults, java.util.function.UnaryOperator<
            java.util.function.Function<io.haagent.ha.HaInput, io.haagent.ha.Decision.Outcome>> mutant) {
        this.seed = seed;
        this.rnd = new Random(seed);
        Random faultRandom = new Random(seed * 0x9E3779B97F4A7C15L + 13);
        this.variant = Variant.of(faultRandom);
        this.mutant = mutant;
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= agents; i++) {
            names.add("pg" + i);
        }
        this.faults = faults != null ? List.copyOf(faults) : Fault.schedule(faultRandom, names, 40 * S, 240 * S);
        this.observer = new InMemoryDcs(store, "sim", "sim-observer", ttl);
        world.setLinks((a, b) -> !streamCut.contains(a + ">" + b));
        for (String name : names) {
            nodes.put(name, new Node(name, SimConfigs.load(name, agents, variant.yaml())));
        }
        long healed = 0;
        for (Fault f : this.faults) {
            healed = Math.max(healed, f.endNanos());
        }
        this.healedAt = healed;
        this.endAt = healed + (ttl + 2L * loopWait) * S + S;
    }

    public Result run() {
        trace.add(0, "seed " + seed + ": " + nodes.size() + " agents, " + variant + "; faults " + faults);
        for (Node n : nodes.values()) {
            at(rnd.nextInt(2000) * MS, () -> startAgent(n));
        }
        at(500 * MS, this::streamTick);
        at(1000 * MS, this::writeTick);
        for (Fault f : faults) {
            at(f.atNanos(), () -> begin(f));
            if (!f.kind().instantaneous()) {
                at(f.endNanos(), () -> end(f));
            }
        }
        at(endAt, () -> { });
        while (!queue.isEmpty() && breach == null) {
            Event e = queue.poll();
            if (e.at > endAt) {
                break;
            }
            long now = clock.nanoTime() - t0;
            if (e.at > now) {
                clock.advance(Duration.ofNanos(e.at - now));
            }
            e.body.run();
            events++;
            wakeUps();
            judge();
        }
        for (Node n : nodes.values()) {
            if (n.loop != null) {
                n.loop.close();
                n.dcs.close();
            }
        }
        observer.close();
        return new Result(seed, variant.toString(), events, faults, breach, trace,
                invariants.onePrimary().overlapNanos(), overlapCommits, invariants.asyncLoss().lostBytes(),
                invariants.asyncLoss().promotions());
    }

    // ------------------------------------------------------------------------------------------------ scheduling

    private long now() {
        return clock.nanoTime() - t0;
    }

    private void at(long when, Runnable body) {
        queue.add(new Event(Math.max(when, now()), seq++, body));
    }

    private void scheduleCycle(Node n, long when) {
        if (when >= n.nextDue) {
            return;
        }
        n.nextDue = when;
        long token = ++n.token;
        at(when, () -> cycle(n, token));
    }

    /** An agent that a DCS change, a postmaster's death or a finished long action would have woken cycles soon. */
    private void wakeUps() {
        for (Node n : nodes.values()) {
            if (n.agent == NodeView.Agent.UP && n.dcs.takeChange()) {
                scheduleCycle(n, now() + (1 + rnd.nextInt(50)) * MS);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ agents

    private void startAgent(Node n) {
        n.incarnation++;
        n.steps.clear();
        n.stepScheduled = false;
        n.dcs = new InMemoryDcs(store, "sim", n.name, ttl);
        n.dcs.setLinked(!n.dcsCut);
        int inc = n.incarnation;
        Map<String, Object> dynamic = n.config.bootstrap().dcs() == null ? Map.of() : n.config.bootstrap().dcs();
        n.loop = new HaLoop(n.config, n.dcs, n.pg, new Peers(n.name),
                new StatusBoard(NodeSnapshot.builder(n.config.scope(), n.name).build()), clock,
                new RoleChangeClock(clock, new RoleChangeRecorder()), dynamic, reason -> {
                    deaths.add(n.name + " exited: " + reason);
                    dead.add(n.name);
                    n.agent = NodeView.Agent.DOWN;
                }, r -> {
                    n.steps.add(r);
                    scheduleStep(n, inc);
                });
        if (mutant != null) {
            n.loop.decideWith(mutant);
        }
        n.loop.adoptRunningPostgres();
        n.agent = NodeView.Agent.UP;
        n.resuming = n.incarnation > 1;
        n.lastCycle = now();
        n.lastKick = 0; // a new agent process arms the watchdog when it leads, not before
        n.nextDue = Long.MAX_VALUE;
        trace.add(now(), n.name + " agent starts");
        scheduleCycle(n, now());
    }

    private void stopAgent(Node n, String why) {
        n.agent = NodeView.Agent.DOWN;
        n.incarnation++;
        n.token++;
        n.nextDue = Long.MAX_VALUE;
        n.steps.clear();
        n.loop.close();
        n.dcs.close();
        n.pg.close(); // the dead process's postmaster listener goes with it
        trace.add(now(), n.name + " agent " + why);
    }

    private void cycle(Node n, long token) {
        if (token != n.token || n.agent != NodeView.Agent.UP) {
            return;
        }
        n.nextDue = Long.MAX_VALUE;
        long start = now();
        Long soon = null;
        try {
            soon = n.loop.cycle();
            trace.add(now(), n.name + ": " + n.loop.lastDecision().summary());
            var done = n.loop.lastCycle();
            if (done != null && done.decision().roleChange() != null
                    && done.decision().has(io.haagent.ha.Action.Promote.class)) {
                promotionReports.put(n.name, new PromotionReport(n.pg.timeline(), done.decision().roleChange()));
            }
            if (DEBUG && n.loop.lastCycle() != null) {
                var c = n.loop.lastCycle();
                trace.add(now(), n.name + "   actions " + c.decision().actions() + ", rewind " + c.input().memory()
                        .rewind() + " -> " + c.decision().memory().rewind() + ", notes " + c.decision().notes() + ", sync "
                        + (c.input().cluster() == null ? null : c.input().cluster().sync()) + ", s_s_n '"
                        + n.pg.synchronousStandbyNames() + "'");
            }
        } catch (RuntimeException e) {
            deaths.add(n.name + " loop threw " + e);
            trace.add(now(), n.name + " loop threw " + e);
        }
        n.lastCycle = now();
        if (n.loop.lock().held()) {
            n.lastKick = now(); // a leader's cycle that holds the lock keeps the watchdog alive
        } else if (!n.pg.running() || n.pg.inRecovery()) {
            n.lastKick = 0; // stepped down (or never led): disarmed
        }
        n.paused = n.loop.dynamic().pause();
        pgEvents(n);
        // (in pause the agent keeps its hands off postgres, as Patroni does: an overlap that began while the agent
        // was gone lasts until the operator resumes the cluster)
        if (n.resuming && n.steps.isEmpty() && !n.loop.runner().busy() && !n.loop.dynamic().pause()) {
            n.resuming = false;
        }
        if (n.pg.running() && n.pg.accepting() && !n.pg.inRecovery()) {
            recordPublished(n);
        }
        if (n.agent != NodeView.Agent.UP) {
            return;
        }
        long due = start + n.loop.dynamic().loopWait() * S;
        if (soon != null) {
            due = Math.min(due, now() + soon * MS);
        }
        scheduleCycle(n, due);
    }

    private void scheduleStep(Node n, int inc) {
        if (n.stepScheduled) {
            return;
        }
        n.stepScheduled = true;
        at(now() + (50 + rnd.nextInt(2500)) * MS, () -> longStep(n, inc));
    }

    /** The background executor runs one queued body (a long action, the post-promote CHECKPOINT). */
    private void longStep(Node n, int inc) {
        if (inc != n.incarnation) {
            return;
        }
        n.stepScheduled = false;
        if (n.agent != NodeView.Agent.UP) {
            return; // frozen: resumes with the agent
        }
        Runnable r = n.steps.poll();
        if (r == null) {
            return;
        }
        try {
            r.run();
        } catch (RuntimeException e) {
            deaths.add(n.name + " background action threw " + e);
        }
        pgEvents(n);
        if (!n.steps.isEmpty()) {
            scheduleStep(n, inc);
        }
    }

    private void pgEvents(Node n) {
        List<String> ev = n.pg.events();
        for (int i = n.pgEventsSeen; i < ev.size(); i++) {
            trace.add(now(), n.name + " postgres: " + ev.get(i));
        }
        n.pgEventsSeen = ev.size();
    }

    private void recordPublished(Node n) {
        try {
            ClusterView v = observer.freshCluster();
            if (!v.isUnlocked() && n.name.equals(v.leaderName()) && v.status() != null) {
                published.merge(n.pg.timeline(), v.status().optime(), Math::max);
            }
        } catch (DcsUnavailableException e) {
            // nothing was published
        }
    }

    // ------------------------------------------------------------------------------------------------ world

    private void streamTick() {
        world.stream();
        ackPending();
        at(now() + (200 + rnd.nextInt(500)) * MS, this::streamTick);
    }

    /** The client commits on every node that accepts writes (through HAProxy, a stale connection, ...). */
    private void writeTick() {
        for (Node n : nodes.values()) {
            if (writable(n)) {
                n.pg.write(100 + rnd.nextInt(8000));
                Commit c = new Commit(n, n.pg.timeline(), n.pg.lsn());
                if (syncNeeded(n.pg.synchronousStandbyNames())) {
                    pending.add(c);
                } else {
                    ack(c, false);
                }
            }
        }
        ackPending();
        at(now() + (100 + rnd.nextInt(900)) * MS, this::writeTick);
    }

    private static boolean writable(Node n) {
        return n.pg.running() && n.pg.accepting() && !n.pg.inRecovery();
    }

    private static boolean syncNeeded(String ssn) {
        return ssn != null && !ssn.isBlank();
    }

    private void ack(Commit c, boolean sync) {
        acked.merge(c.tl, c.lsn, Math::max);
        boolean unfenced = (c.node.agent != NodeView.Agent.UP || c.node.resuming) && !fenced(c.node);
        if (sync && !unfenced) {
            protectedAcked.merge(c.tl, c.lsn, Math::max);
        }
        if (unfenced && invariants.onePrimary().overlappingNow()) {
            overlapCommits++;
        }
    }

    /** Commits waiting for synchronous standbys: acknowledged once enough confirmed, unknown if the primary went. */
    private void ackPending() {
        for (var it = pending.iterator(); it.hasNext();) {
            Commit c = it.next();
            Node p = c.node;
            if (!writable(p) || p.pg.timeline() != c.tl) {
                it.remove(); // the client saw its connection drop: outcome unknown
            } else if (confirmed(p, c)) {
                ack(c, true);
                it.remove();
            }
        }
    }

    /** synchronous_standby_names semantics: FIRST k (priority) or ANY k (quorum) of the named, connected standbys. */
    private boolean confirmed(Node p, Commit c) {
        String ssn = p.pg.synchronousStandbyNames();
        if (!syncNeeded(ssn)) {
            return true;
        }
        Matcher m = COUNT.matcher(ssn);
        boolean any = false;
        int k = 1;
        if (m.find()) {
            any = "ANY".equalsIgnoreCase(m.group(1));
            k = Integer.parseInt(m.group(2));
        }
        List<String> names = FakePostgres.syncNames(ssn);
        List<Node> connected = new ArrayList<>();
        if (names.contains("*")) {
            for (Node r : nodes.values()) {
                if (connectedTo(r, p)) {
                    connected.add(r);
                }
            }
        } else {
            for (String name : names) {
                Node r = nodes.get(name);
                if (r != null && connectedTo(r, p)) {
                    connected.add(r);
                }
            }
        }
        if (any) {
            return connected.stream().filter(r -> r.pg.lsn() >= c.lsn).count() >= k;
        }
        if (connected.size() < k) {
            return false;
        }
        return connected.subList(0, k).stream().allMatch(r -> r.pg.lsn() >= c.lsn);
    }

    private static boolean connectedTo(Node r, Node p) {
        return r != p && r.pg.running() && r.pg.inRecovery() && r.pg.streaming() && r.pg.upstream() != null
                && r.pg.upstream().memberName().equals(p.name) && r.pg.timeline() == p.pg.timeline();
    }

    // ------------------------------------------------------------------------------------------------ faults

    private void begin(Fault f) {
        trace.add(now(), "FAULT " + f);
        Node a = f.a() == null ? null : nodes.get(f.a());
        switch (f.kind()) {
            case AGENT_CRASH -> {
                if (a.agent != NodeView.Agent.DOWN) {
                    stopAgent(a, "crashes");
                    watchdogAt(a);
                }
            }
            case POSTMASTER_CRASH -> {
                a.pg.crash();
                pgEvents(a);
            }
            case AGENT_FREEZE -> {
                if (a.agent == NodeView.Agent.UP) {
                    a.agent = NodeView.Agent.FROZEN;
                    watchdogAt(a);
                }
            }
            case DCS_DOWN -> store.setReachable(false);
            case DCS_CUT -> {
                a.dcsCut = true;
                if (a.dcs != null) {
                    a.dcs.setLinked(false);
                }
            }
            case PEER_CUT -> cut(peerCut, f, true);
            case STREAM_CUT -> cut(streamCut, f, true);
            case STALL -> a.pg.stall(true);
            case SWITCHOVER, FAILOVER -> operatorFailover(f);
            case PAUSE -> pause(true);
        }
    }

    private void end(Fault f) {
        trace.add(now(), "HEAL " + f);
        Node a = f.a() == null ? null : nodes.get(f.a());
        switch (f.kind()) {
            case AGENT_CRASH -> {
                if (a.agent == NodeView.Agent.DOWN && deathless(a)) {
                    startAgent(a);
                }
            }
            case AGENT_FREEZE -> {
                if (a.agent == NodeView.Agent.FROZEN) {
                    a.agent = NodeView.Agent.UP;
                    a.resuming = true;
                    trace.add(now(), a.name + " agent resumes");
                    a.nextDue = Long.MAX_VALUE;
                    scheduleCycle(a, now());
                    if (!a.steps.isEmpty()) {
                        scheduleStep(a, a.incarnation);
                    }
                } else if (a.agent == NodeView.Agent.DOWN && deathless(a)) {
                    startAgent(a); // the watchdog reset the machine meanwhile
                }
            }
            case DCS_DOWN -> store.setReachable(true);
            case DCS_CUT -> {
                a.dcsCut = false;
                if (a.dcs != null) {
                    a.dcs.setLinked(true);
                }
            }
            case PEER_CUT -> cut(peerCut, f, false);
            case STREAM_CUT -> cut(streamCut, f, false);
            case STALL -> a.pg.stall(false);
            case PAUSE -> pause(false);
            default -> {
            }
        }
    }

    /** An agent that died by itself stays dead (invariant 5 has it); one stopped by a fault comes back. */
    private boolean deathless(Node n) {
        return !dead.contains(n.name);
    }

    private static void cut(Set<String> links, Fault f, boolean cut) {
        List<String> keys = f.oneWay() ? List.of(f.a() + ">" + f.b()) : List.of(f.a() + ">" + f.b(), f.b() + ">" + f.a());
        if (cut) {
            links.addAll(keys);
        } else {
            links.removeAll(keys);
        }
    }

    /**
     * The watchdog (a fence outside the agent): armed by the leader's cycles, it resets the machine when the agent has
     * not kept it alive for {@code ttl - safety_margin} (5 s), so the lease cannot expire while postgres still accepts
     * writes. Its timer runs from the last keepalive, not the last cycle: a leader's cycle that could not renew the
     * lock (etcd cut, a demote begun) does not keep it alive, as Patroni's and the agent's do not.
     */
    private void watchdogAt(Node n) {
        if (!fenced(n) || n.lastKick == 0) {
            return; // disarmed: the node never led, or stepped down
        }
        int inc = n.incarnation;
        long kick = n.lastKick;
        at(Math.max(now(), kick + (ttl - 5L) * S), () -> {
            // (it resets the machine whatever postgres does at that moment: a start as primary the frozen agent began
            // would otherwise finish, in the model, when the agent resumes; the real pg_ctl child goes on meanwhile)
            if (n.lastKick == kick && n.agent != NodeView.Agent.UP) {
                trace.add(now(), n.name + " watchdog fires: the machine resets");
                n.pg.crash();
                pgEvents(n);
                if (n.agent == NodeView.Agent.FROZEN && inc == n.incarnation) {
                    stopAgent(n, "is reset with its machine");
                }
            }
        });
    }

    /**
     * A watchdog guards this node: the variant has one, and the agent kept it armed (a paused cluster's agent disarms
     * it, as Patroni's does: in pause nothing fences a primary whose agent then freezes or dies). A restarted agent
     * has not armed it until it leads: the primary a dead agent left running in pause stays unfenced while the new
     * agent catches up.
     */
    private boolean fenced(Node n) {
        return variant.watchdog && !n.paused && n.lastKick != 0;
    }

    private void operatorFailover(Fault f) {
        try {
            ClusterView v = observer.freshCluster();
            String leader = v.isUnlocked() ? null : v.leaderName();
            FailoverRequest req;
            if (f.kind() == Fault.Kind.SWITCHOVER) {
                if (leader == null) {
                    trace.add(now(), "operator: no leader to switch over from");
                    return;
                }
                String candidate = leader.equals(f.b()) ? null : f.b();
                if (candidate != null && variant.syncMode.equals("on")
                        && (v.sync() == null || !v.sync().syncStandbys().contains(candidate))) {
                    // Patroni's POST /switchover refuses it (412 'candidate name does not match with
                    // sync_standby'): a request nobody but the frozen leader could have cleared
                    trace.add(now(), "operator: switchover to " + candidate + " refused: candidate name does not match"
                            + " with sync_standby");
                    return;
                }
                req = FailoverRequest.of(leader, candidate, null);
            } else {
                String candidate = f.b();
                if (!variant.syncMode.equals("off") && v.sync() != null && !v.sync().isEmpty()) {
                    // A manual failover in synchronous mode to a node that lacks commits the others confirmed (an
                    // asynchronous one, or under quorum commit a voter that fell behind) gives them up: Patroni
                    // allows it as the operator's choice, with patronictl showing the lag. This operator, as a
                    // careful one, names the synchronous standby furthest ahead instead.
                    candidate = v.sync().syncStandbys().stream().filter(nodes::containsKey)
                            .max(java.util.Comparator.comparingLong((String c) -> nodes.get(c).pg.lsn())
                                    .thenComparing(java.util.Comparator.reverseOrder()))
                            .orElse(null);
                    if (candidate == null) {
                        trace.add(now(), "operator: no synchronous standby to fail over to");
                        return;
                    }
                }
                Node named = candidate == null ? null : nodes.get(candidate);
                if (named != null && variant.syncMode.equals("off") && named.pg.lsn() < v.lastLsn() - variant.maxLag) {
                    // Patroni lets a manual failover's candidate promote in a cluster without a leader whatever its
                    // lag (rest_api.rst, 'Healthy standby': the operator's accepted loss). This operator, reading
                    // the lag in patronictl list, names the member furthest ahead instead of one that lags more
                    // than maximum_lag_on_failover behind the leader's last published position.
                    String leaderName = leader;
                    candidate = nodes.values().stream().filter(n -> !n.name.equals(leaderName))
                            .max(java.util.Comparator.comparingLong((Node n) -> n.pg.lsn())
                                    .thenComparing(n -> n.name, java.util.Comparator.reverseOrder()))
                            .map(n -> n.name).orElse(candidate);
                }
                req = FailoverRequest.of(null, candidate, null);
            }
            observer.setFailover(req, Dcs.ANY_REVISION);
        } catch (DcsUnavailableException e) {
            trace.add(now(), "operator: " + e.getMessage());
        }
    }

    private void pause(boolean on) {
        try {
            ClusterView v = observer.freshCluster();
            Map<String, Object> cfg = new LinkedHashMap<>(v.config() == null ? Map.of() : v.config().data());
            cfg.put("pause", on);
            observer.setConfig(cfg, Dcs.ANY_REVISION);
        } catch (DcsUnavailableException e) {
            trace.add(now(), "operator: " + e.getMessage());
            if (!on) {
                at(now() + S, () -> pause(false)); // the operator retries the resume until it lands
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ judging

    private void judge() {
        boolean settled = now() >= healedAt + (ttl + 2L * loopWait) * S;
        List<NodeView> views = new ArrayList<>(nodes.size());
        for (Node n : nodes.values()) {
            FakePostgres pg = n.pg;
            NodeView.Agent agent = n.agent == NodeView.Agent.UP && n.resuming ? NodeView.Agent.RESUMING : n.agent;
            views.add(new NodeView(n.name, agent, fenced(n), writable(n),
                    pg.running() && pg.accepting() && pg.inRecovery(), pg.timeline(), pg.lsn(), pg.history(),
                    pg.upstream() == null ? null : pg.upstream().memberName(), pg.streaming()));
        }
        String leader = null;
        if (settled) {
            ClusterView v = observer.freshCluster();
            leader = v.isUnlocked() ? null : v.leaderName();
        }
        StepView step = new StepView(now(), views, leader, variant.syncMode, variant.strict, variant.maxLag,
                protectedAcked, published, acked, healedAt, (ttl + 2L * loopWait) * S, List.copyOf(deaths),
                promotionReports);
        deaths.clear();
        for (Invariant inv : invariants.list()) {
            String b = inv.check(step);
            if (b != null && breach == null) {
                breach = new Breach(inv.name(), b, now());
                trace.add(now(), "BREACH " + inv.name() + ": " + b);
            }
        }
    }
}
