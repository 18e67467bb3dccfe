package io.haagent.agent.ha;

import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.cluster.RoleNames;
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
    private volatile boolean steppingDown;
    private volatile String steppingDownTo;
    private volatile RoleNames roleNames = RoleNames.NEW_CLUSTER;

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

    /**
     * A postgres already running when the agent starts is taken as it is (Patroni attaches to it): its role, and
     * RUNNING (a postmaster that does not answer yet too).
     *
     * @return whether it runs
     */
    boolean adopt(io.haagent.pg.PostgresControl pg) {
        try {
            if (!pg.isRunning()) {
                return false;
            }
            setRole(pg.state().isPrimary() ? Role.PRIMARY : Role.REPLICA);
        } catch (io.haagent.pg.PostgresException e) {
            // running, not answering: the first cycle looks again
        }
        setState(PostgresState.RUNNING);
        return true;
    }

    /** How this node spells a primary in what it writes (member key, {@code /patroni}, callbacks). */
    public RoleNames roleNames() {
        return roleNames;
    }

    public void setRoleNames(RoleNames names) {
        roleNames = names;
    }

    /** The role as written to the member key and served: {@code promoted} counts as the primary. */
    public String roleName() {
        Role r = role;
        return roleNames.of(r == Role.PROMOTED ? Role.PRIMARY : r);
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

    /**
     * This primary is stepping down (to {@code to}, a switchover's candidate, or null) and stops taking writes now:
     * from here on GET /primary answers 503, though the lock is kept until postgres has stopped (issue 17).
     */
    public void beginStepDown(String to) {
        steppingDownTo = to;
        steppingDown = true;
    }

    /** The demotion ended (done or failed): the lock and postgres' role say again what this node is. */
    public void endStepDown() {
        steppingDown = false;
        steppingDownTo = null;
    }

    public boolean steppingDown() {
        return steppingDown;
    }

    public String steppingDownTo() {
        return steppingDownTo;
    }

    public boolean starting() {
        return PostgresState.STARTING.equals(state);
    }
}
