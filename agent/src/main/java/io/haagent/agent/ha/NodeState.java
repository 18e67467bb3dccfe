package io.haagent.agent.ha;

import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.time.Clock;

/**
 * The role this node has taken on and the state it reports for its postgres (Patroni's
 * {@code state_handler.role} and {@code .state}). Written by the executor (and long actions on the runner),
 * read by the loop, the member key and the REST snapshot.
 */
public final class NodeState {
    private final Clock clock;
    private volatile Role role;
    private volatile String state;
    private volatile long stateSinceNanos;

    public NodeState(Clock clock, Role role, String state) {
        this.clock = clock;
        this.role = role;
        this.state = state;
        this.stateSinceNanos = clock.nanoTime();
    }

    public Role role() {
        return role;
    }

    public String state() {
        return state;
    }

    public void setRole(Role r) {
        role = r;
    }

    public synchronized void setState(String s) {
        if (!s.equals(state)) {
            state = s;
            stateSinceNanos = clock.nanoTime();
        }
    }

    /** Seconds spent in the current state (how long a start has been going on). */
    public long secondsInState() {
        return (clock.nanoTime() - stateSinceNanos) / 1_000_000_000L;
    }

    public boolean starting() {
        return PostgresState.STARTING.equals(state);
    }
}
