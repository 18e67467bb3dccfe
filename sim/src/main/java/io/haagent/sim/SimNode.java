package io.haagent.sim;

import io.haagent.agent.ha.HaLoop;
import io.haagent.config.AgentConfig;
import io.haagent.dcs.InMemoryDcs;
import io.haagent.pg.FakePostgres;
import io.haagent.time.Clock;
import io.haagent.time.FakeClock;
import java.time.Instant;
import java.util.ArrayDeque;

/** One simulated node: its postgres, and its agent (a new {@link HaLoop} each time the process starts). */
final class SimNode {
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
     * The last cycle that kept the watchdog alive (a leader's cycle that held the lock): its timer runs from there; 0
     * when disarmed (the node never led, or stepped down since).
     */
    long lastKick;
    boolean dcsCut;
    boolean stepScheduled;
    /** The agent's last cycle saw the cluster paused: it disarmed the watchdog (§7.1, as Patroni does). */
    boolean paused;
    /** Back from a freeze or a crash: until a cycle ends with nothing left running, it may still be catching up. */
    boolean resuming;
    int pgEventsSeen;
    /** A {@link Fault.Kind#STALL} holds this replica's replication. */
    boolean stalled;
    /** Until then long actions take 10 to 70 s more: past the TTL ({@link Fault.Kind#TOOL_SLOW}); 0: not slow. */
    long toolsSlowUntil;
    /** How far this machine's wall clock is off ({@link Fault.Kind#CLOCK_JUMP}); its monotonic clock never is. */
    long wallOffsetSeconds;
    /** This machine's clocks: the world's monotonic clock, and a wall clock that may have jumped. */
    final Clock clock;

    SimNode(String name, AgentConfig config, FakePostgres.World world, FakeClock worldClock) {
        this.name = name;
        this.config = config;
        this.clock = new Clock() {
            @Override
            public long nanoTime() {
                return worldClock.nanoTime();
            }

            @Override
            public Instant now() {
                return worldClock.now().plusSeconds(wallOffsetSeconds);
            }
        };
        String[] addr = config.postgresql().connectAddress().split(":");
        this.pg = world.instance(name, addr[0], Integer.parseInt(addr[1]));
    }

    /** Its postgres accepts writes (a client that reaches it commits there). */
    boolean writable() {
        return pg.running() && pg.accepting() && !pg.inRecovery();
    }
}
