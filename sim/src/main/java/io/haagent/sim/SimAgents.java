package io.haagent.sim;

import static io.haagent.sim.SimWorld.MS;
import static io.haagent.sim.SimWorld.S;

import io.haagent.agent.ha.HaLoop;
import io.haagent.agent.ha.RoleChangeClock;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.api.StatusBoard;
import io.haagent.cluster.ClusterView;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.InMemoryDcs;
import io.haagent.ha.Decision;
import io.haagent.ha.HaInput;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The agents of one {@link SimRun}: each a real {@link HaLoop} (decider and executor) started, stopped and cycled by
 * the scheduler, its long actions run as events of their own (not on threads), its postgres events traced.
 */
final class SimAgents {
    /** SIM_DEBUG set: each cycle's actions, rewind state and notes in the trace too. */
    private static final boolean DEBUG = System.getenv("SIM_DEBUG") != null;

    private final SimWorld w;
    private final UnaryOperator<Function<HaInput, Decision.Outcome>> mutant;
    /** Deaths since the last judgement: an agent that exited or a loop that threw (invariant 5). */
    final List<String> deaths = new ArrayList<>();
    private final Set<String> dead = new HashSet<>();
    /** The highest position a leader published on each timeline (the async loss bound is measured from it). */
    final Map<Long, Long> published = new TreeMap<>();
    /** Per node, what its agent reported at its last decision to promote (invariant 3). */
    final Map<String, PromotionReport> promotionReports = new LinkedHashMap<>();

    SimAgents(SimWorld w, UnaryOperator<Function<HaInput, Decision.Outcome>> mutant) {
        this.w = w;
        this.mutant = mutant;
    }

    void start(SimNode n) {
        n.incarnation++;
        n.steps.clear();
        n.stepScheduled = false;
        n.dcs = new InMemoryDcs(w.store, "sim", n.name, w.ttl);
        n.dcs.setLinked(!n.dcsCut);
        int inc = n.incarnation;
        Map<String, Object> dynamic = n.config.bootstrap().dcs() == null ? Map.of() : n.config.bootstrap().dcs();
        n.loop = new HaLoop(n.config, n.dcs, n.pg, w.peers(n.name),
                new StatusBoard(NodeSnapshot.builder(n.config.scope(), n.name).build()), n.clock,
                new RoleChangeClock(n.clock, new RoleChangeRecorder()), dynamic, reason -> {
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
        n.lastCycle = w.now();
        n.lastKick = 0; // a new agent process arms the watchdog when it leads, not before
        n.nextDue = Long.MAX_VALUE;
        w.trace.add(w.now(), n.name + " agent starts");
        scheduleCycle(n, w.now());
    }

    void stop(SimNode n, String why) {
        n.agent = NodeView.Agent.DOWN;
        n.incarnation++;
        n.token++;
        n.nextDue = Long.MAX_VALUE;
        n.steps.clear();
        n.loop.close();
        n.dcs.close();
        n.pg.close(); // the dead process's postmaster listener goes with it
        w.trace.add(w.now(), n.name + " agent " + why);
    }

    /** A frozen agent resumes where it stopped: a cycle now, and the long action it was running. */
    void resume(SimNode n) {
        n.agent = NodeView.Agent.UP;
        n.resuming = true;
        w.trace.add(w.now(), n.name + " agent resumes");
        n.nextDue = Long.MAX_VALUE;
        scheduleCycle(n, w.now());
        if (!n.steps.isEmpty()) {
            scheduleStep(n, n.incarnation);
        }
    }

    /** An agent that died by itself stays dead (invariant 5 has it); one stopped by a fault comes back. */
    boolean deathless(SimNode n) {
        return !dead.contains(n.name);
    }

    void scheduleCycle(SimNode n, long when) {
        if (when >= n.nextDue) {
            return;
        }
        n.nextDue = when;
        long token = ++n.token;
        w.at(when, () -> cycle(n, token));
    }

    /** An agent that a DCS change, a postmaster's death or a finished long action would have woken cycles soon. */
    void wakeUps() {
        for (SimNode n : w.nodes.values()) {
            if (n.agent == NodeView.Agent.UP && n.dcs.takeChange()) {
                scheduleCycle(n, w.now() + (1 + w.rnd.nextInt(50)) * MS);
            }
        }
    }

    private void cycle(SimNode n, long token) {
        if (token != n.token || n.agent != NodeView.Agent.UP) {
            return;
        }
        n.nextDue = Long.MAX_VALUE;
        long start = w.now();
        Long soon = null;
        try {
            soon = n.loop.cycle();
            w.trace.add(w.now(), n.name + ": " + n.loop.lastDecision().summary());
            var done = n.loop.lastCycle();
            if (done != null && done.decision().roleChange() != null
                    && done.decision().has(io.haagent.ha.Action.Promote.class)) {
                promotionReports.put(n.name, new PromotionReport(n.pg.timeline(), done.decision().roleChange()));
            }
            if (DEBUG && n.loop.lastCycle() != null) {
                var c = n.loop.lastCycle();
                w.trace.add(w.now(), n.name + "   actions " + c.decision().actions() + ", rewind "
                        + c.input().memory().rewind() + " -> " + c.decision().memory().rewind() + ", notes "
                        + c.decision().notes() + ", sync " + (c.input().cluster() == null ? null
                                : c.input().cluster().sync()) + ", s_s_n '" + n.pg.synchronousStandbyNames() + "'");
            }
        } catch (RuntimeException e) {
            deaths.add(n.name + " loop threw " + e);
            w.trace.add(w.now(), n.name + " loop threw " + e);
        }
        n.lastCycle = w.now();
        if (n.loop.lock().held()) {
            n.lastKick = w.now(); // a leader's cycle that holds the lock keeps the watchdog alive
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
        if (n.writable()) {
            recordPublished(n);
        }
        if (n.agent != NodeView.Agent.UP) {
            return;
        }
        long due = start + n.loop.dynamic().loopWait() * S;
        if (soon != null) {
            due = Math.min(due, w.now() + soon * MS);
        }
        scheduleCycle(n, due);
    }

    void scheduleStep(SimNode n, int inc) {
        if (n.stepScheduled) {
            return;
        }
        n.stepScheduled = true;
        long took = (50 + w.rnd.nextInt(2500)) * MS;
        long slowFor = n.toolsSlowUntil - w.now();
        if (slowFor > 0) {
            // a slow disk or host: 10 to 70 s more, but the tool is done once the fault heals (the agent's timeouts
            // bound a tool that hangs for good; the fake's runs do not see them)
            took = Math.max(took, Math.min(took + (10_000 + w.rnd.nextInt(60_000)) * MS, slowFor));
        }
        w.at(w.now() + took, () -> longStep(n, inc));
    }

    /** The background executor runs one queued body (a long action, the post-promote CHECKPOINT). */
    private void longStep(SimNode n, int inc) {
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

    /** Copies the postgres events not traced yet into the trace. */
    void pgEvents(SimNode n) {
        List<String> ev = n.pg.events();
        for (int i = n.pgEventsSeen; i < ev.size(); i++) {
            w.trace.add(w.now(), n.name + " postgres: " + ev.get(i));
        }
        n.pgEventsSeen = ev.size();
    }

    private void recordPublished(SimNode n) {
        try {
            ClusterView v = w.observer.freshCluster();
            if (!v.isUnlocked() && n.name.equals(v.leaderName()) && v.status() != null) {
                published.merge(n.pg.timeline(), v.status().optime(), Math::max);
            }
        } catch (DcsUnavailableException e) {
            // nothing was published
        }
    }

    void close() {
        for (SimNode n : w.nodes.values()) {
            if (n.loop != null) {
                n.loop.close();
                n.dcs.close();
            }
        }
    }
}
