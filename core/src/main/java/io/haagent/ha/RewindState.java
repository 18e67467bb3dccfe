package io.haagent.ha;

/**
 * Where this node stands with respect to divergence from the leader (§4.7), like Patroni's rewind states.
 * CHECK is set by the decider ("check whether we diverged when a leader is known"); the loop runs the check
 * against the leader and records NEEDED / NOT_NEEDED; the rewind action records SUCCESS / FAILED.
 */
public enum RewindState {
    INITIAL,
    CHECK,
    NOT_NEEDED,
    /** Diverged from the leader: pg_rewind (when usable) or a reinitialize must fix it before following. */
    NEEDED,
    SUCCESS,
    FAILED;

    public boolean executed() {
        return this == SUCCESS || this == FAILED;
    }
}
