package io.haagent.sim;

import io.haagent.agent.ha.PeerClient;
import io.haagent.dcs.InMemoryDcs;
import io.haagent.dcs.InMemoryStore;
import io.haagent.ha.PeerStatus;
import io.haagent.pg.FakePostgres;
import io.haagent.time.FakeClock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * The world of one {@link SimRun} and its network: the one {@link FakeClock}, the {@link InMemoryStore} every agent's
 * {@link InMemoryDcs} shares, the nodes, the links between them (agent-to-agent REST, replication), the trace, and
 * the one scheduler whose queue of events, drawn from the seed's {@link Random}, decides the run.
 */
final class SimWorld {
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    /** An event of the scheduler; equal times run in the order they were scheduled. */
    record Event(long at, long seq, Runnable body) {
    }

    final Random rnd;
    final Variant variant;
    final FakeClock clock = new FakeClock();
    private final long t0 = clock.nanoTime();
    final InMemoryStore store = new InMemoryStore(clock);
    final FakePostgres.World pgWorld = new FakePostgres.World();
    /** The operator's and the judge's view of etcd. */
    final InMemoryDcs observer;
    final Map<String, SimNode> nodes = new LinkedHashMap<>();
    /** Cut REST links, {@code "a>b"}: a cannot reach b. */
    final Set<String> peerCut = new HashSet<>();
    /** Cut PostgreSQL links, {@code "a>b"}: a cannot connect to b (streaming, pg_basebackup, pg_rewind). */
    final Set<String> streamCut = new HashSet<>();
    /**
     * Slow or lossy links, {@code "a>b"}: each REST request from a to b times out with probability 1/2; a replica
     * streaming over one (either way) receives nothing in a round with probability 1/2 but stays connected, as TCP
     * retransmits (a primary's clean shutdown still waits for it), and tools connect over it as before.
     */
    final Set<String> lossy = new HashSet<>();
    final Trace trace = new Trace();
    final int ttl = 30;
    final int loopWait = 10;
    /** maximum_lag_on_failover in etcd now (the operator may edit it). */
    long maxLag;
    /** The largest maximum_lag_on_failover in force so far: a failover's loss is judged against it (invariant 3). */
    long maxLagBound;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;

    SimWorld(long seed, Variant variant, List<String> names) {
        this.rnd = new Random(seed);
        this.variant = variant;
        this.maxLag = variant.maxLag();
        this.maxLagBound = maxLag;
        this.observer = new InMemoryDcs(store, "sim", "sim-observer", ttl);
        pgWorld.setLinks((a, b) -> !streamCut.contains(a + ">" + b));
        for (String name : names) {
            nodes.put(name, new SimNode(name, SimConfigs.load(name, names.size(), variant.yaml()), pgWorld, clock));
        }
    }

    // ------------------------------------------------------------------------------------------------ scheduling

    /** Simulated time since the run began. */
    long now() {
        return clock.nanoTime() - t0;
    }

    void at(long when, Runnable body) {
        queue.add(new Event(Math.max(when, now()), seq++, body));
    }

    /** The next event, the clock advanced to its time; null when nothing is left to run. */
    Event next() {
        Event e = queue.poll();
        if (e != null && e.at > now()) {
            clock.advance(Duration.ofNanos(e.at - now()));
        }
        return e;
    }

    /** Peeks: the next event's time, or {@code Long.MAX_VALUE}. */
    long nextAt() {
        Event e = queue.peek();
        return e == null ? Long.MAX_VALUE : e.at;
    }

    // ------------------------------------------------------------------------------------------------ network

    /**
     * A watchdog guards this node: the variant has one, and the agent kept it armed (a paused cluster's agent disarms
     * it, as Patroni's does: in pause nothing fences a primary whose agent then freezes or dies). A restarted agent
     * has not armed it until it leads: the primary a dead agent left running in pause stays unfenced while the new
     * agent catches up.
     */
    boolean fenced(SimNode n) {
        return variant.watchdog() && !n.paused && n.lastKick != 0;
    }

    /** A message from a to b arrives in time: always on a sound link; on a slow or lossy one with probability 1/2. */
    boolean delivered(String a, String b) {
        return !lossy.contains(a + ">" + b) || rnd.nextBoolean();
    }

    /**
     * Before a round of streaming: each replica whose link to its upstream is slow or lossy either way stalls for the
     * round with probability 1/2 (connected, receiving nothing); the others as their stall faults say.
     */
    void lossyRound() {
        if (lossy.isEmpty()) {
            return;
        }
        for (SimNode n : nodes.values()) {
            String up = n.pg.upstream() == null ? null : n.pg.upstream().memberName();
            boolean slow = up != null && (lossy.contains(n.name + ">" + up) || lossy.contains(up + ">" + n.name));
            n.pg.stall(n.stalled || slow && rnd.nextBoolean());
        }
    }

    /** A lossy link healed: every replica stalls again only as its stall faults say. */
    void lossyHealed() {
        for (SimNode n : nodes.values()) {
            n.pg.stall(n.stalled);
        }
    }

    PeerClient peers(String self) {
        return new Peers(self);
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
                SimNode n = nodes.get(peer);
                if (n == null || n.agent != NodeView.Agent.UP || peerCut.contains(self + ">" + peer)
                        || !delivered(self, peer)) {
                    out.put(peer, PeerStatus.unreachable(peer, "timed out"));
                } else if (n.writable()) {
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
}
