package io.haagent.sim;

import static io.haagent.sim.SimWorld.MS;
import static io.haagent.sim.SimWorld.S;

import io.haagent.agent.ha.HaLoop;
import io.haagent.cluster.ClusterView;
import io.haagent.dcs.InMemoryStore;
import io.haagent.ha.Decision;
import io.haagent.ha.HaInput;
import io.haagent.pg.FakePostgres;
import io.haagent.time.FakeClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One simulated cluster, driven by one seed (issue 13): N agents with the real {@link HaLoop}, decider and executor on
 * one {@link InMemoryStore}, {@link FakePostgres} instances and one {@link FakeClock}. Everything happens as an event
 * of one scheduler, in simulated time: agents' cycles (at {@code loop_wait}, earlier when a DCS change, a postmaster's
 * death or a finished long action would have woken them), long actions (run when the scheduler says, not on threads),
 * replication, the client's writes, faults and operator actions. No thread is started and nothing reads a real clock,
 * so the seed alone decides the run, event for event. After every event the {@link Invariants} judge the world.
 *
 * <p>This class is the step loop and the judge; the world and its network are {@link SimWorld}, the agents
 * {@link SimAgents}, the client workload {@link SimWorkload}, the fault schedule {@link SimFaults}.
 */
public final class SimRun {

    /** What one run found. */
    public record Result(long seed, String variant, long events, List<Fault> faults, Breach breach, Trace trace,
            long overlapNanos, int overlapCommits, long lostBytes, int promotions) {
    }

    /** An invariant broken: where, and the events that led there. */
    public record Breach(String invariant, String detail, long atNanos) {
    }

    private final long seed;
    private final Variant variant;
    private final List<Fault> faults;
    private final Invariants invariants = Invariants.all();
    private final SimWorld world;
    private final SimAgents agents;
    private final SimWorkload workload;
    private final SimFaults faultPlayer;
    private final long healedAt;
    private final long endAt;
    private long events;
    private Breach breach;

    /**
     * @param faults the fault schedule, or null to draw it from the seed
     * @param mutant wraps every agent's decider (a deliberately broken variant), or null for the real one
     */
    public SimRun(long seed, int agents, List<Fault> faults,
            UnaryOperator<Function<HaInput, Decision.Outcome>> mutant) {
        this(seed, agents, faults, mutant, Fault.Kind.CLASSIC);
    }

    /**
     * @param kinds the kinds of fault a schedule drawn from the seed is made of ({@link Fault.Kind#CLASSIC}, CI's
     *     schedules, or all)
     */
    public SimRun(long seed, int agents, List<Fault> faults,
            UnaryOperator<Function<HaInput, Decision.Outcome>> mutant, List<Fault.Kind> kinds) {
        this.seed = seed;
        Random faultRandom = new Random(seed * 0x9E3779B97F4A7C15L + 13);
        this.variant = Variant.of(faultRandom);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= agents; i++) {
            names.add("pg" + i);
        }
        this.faults = faults != null ? List.copyOf(faults) : Fault.schedule(faultRandom, names, 40 * S, 240 * S,
                kinds);
        this.world = new SimWorld(seed, variant, names);
        this.agents = new SimAgents(world, mutant);
        this.workload = new SimWorkload(world, invariants);
        this.faultPlayer = new SimFaults(world, this.agents);
        long healed = 0;
        for (Fault f : this.faults) {
            healed = Math.max(healed, f.endNanos());
        }
        this.healedAt = healed;
        this.endAt = healed + settleNanos() + S;
    }

    /** How long after the last heal the cluster must have converged (invariant 4). */
    private long settleNanos() {
        return (world.ttl + 2L * world.loopWait) * S;
    }

    public Result run() {
        world.trace.add(0, "seed " + seed + ": " + world.nodes.size() + " agents, " + variant + "; faults " + faults);
        for (SimNode n : world.nodes.values()) {
            world.at(world.rnd.nextInt(2000) * MS, () -> agents.start(n));
        }
        world.at(500 * MS, workload::streamTick);
        world.at(1000 * MS, workload::writeTick);
        faultPlayer.schedule(faults);
        world.at(endAt, () -> { });
        while (world.nextAt() <= endAt && breach == null) {
            world.next().body().run();
            events++;
            agents.wakeUps();
            judge();
        }
        agents.close();
        world.observer.close();
        return new Result(seed, variant.toString(), events, faults, breach, world.trace,
                invariants.onePrimary().overlapNanos(), workload.overlapCommits, invariants.asyncLoss().lostBytes(),
                invariants.asyncLoss().promotions());
    }

    private void judge() {
        long now = world.now();
        boolean settled = now >= healedAt + settleNanos();
        List<NodeView> views = new ArrayList<>(world.nodes.size());
        for (SimNode n : world.nodes.values()) {
            FakePostgres pg = n.pg;
            NodeView.Agent agent = n.agent == NodeView.Agent.UP && n.resuming ? NodeView.Agent.RESUMING : n.agent;
            views.add(new NodeView(n.name, agent, world.fenced(n), n.writable(),
                    pg.running() && pg.accepting() && pg.inRecovery(), pg.timeline(), pg.lsn(), pg.history(),
                    pg.upstream() == null ? null : pg.upstream().memberName(), pg.streaming()));
        }
        String leader = null;
        if (settled) {
            ClusterView v = world.observer.freshCluster();
            leader = v.isUnlocked() ? null : v.leaderName();
        }
        StepView step = new StepView(now, views, leader, variant.syncMode(), variant.strict(), world.maxLagBound,
                workload.protectedAcked, agents.published, workload.acked, healedAt, settleNanos(),
                List.copyOf(agents.deaths), agents.promotionReports);
        agents.deaths.clear();
        for (Invariant inv : invariants.list()) {
            String b = inv.check(step);
            if (b != null && breach == null) {
                breach = new Breach(inv.name(), b, now);
                world.trace.add(now, "BREACH " + inv.name() + ": " + b);
            }
        }
    }
}
