package io.haagent.ha;

/**
 * Where this node stands with respect to divergence from the leader (§4.7), like Patroni's rewind states.
 * CHECK is set by the decider ("check whether we diverged when a leader is known"); the next cycle's decider asks
 * for the check against the leader and reads its answer ({@link #after}) into NEEDED / NOT_NEEDED; the rewind
 * action records SUCCESS / FAILED.
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

    /**
     * The one reading of a divergence check (§4.7): not diverged, or diverged (whether pg_rewind can fix it or
     * not: the decider chooses rewind, reinitialize or neither from the data directory and the configuration).
     * Null: undetermined (the leader could not be asked), the state stays as it was.
     */
    public static RewindState after(io.haagent.pg.Divergence d) {
        if (d instanceof io.haagent.pg.Divergence.NotDiverged) {
            return NOT_NEEDED;
        }
        if (d instanceof io.haagent.pg.Divergence.RewindNeeded || d instanceof io.haagent.pg.Divergence.RewindImpossible) {
            return NEEDED;
        }
        return null;
    }

    /**
     * Postgres must stay down rather than start following the leader: it diverged and a rewind or a reinitialize
     * can fix it (Patroni's {@code rewind_or_reinitialize_needed_and_possible}). Diverged with neither possible,
     * it starts anyway (the operator must act; a stopped replica helps nobody).
     */
    public static boolean keepsPostgresDown(io.haagent.pg.Divergence d) {
        return d instanceof io.haagent.pg.Divergence.RewindNeeded
                || d instanceof io.haagent.pg.Divergence.RewindImpossible r && r.removeDataDirectoryAllowed();
    }
}
