package io.haagent.ha;

/**
 * The long action running on the background runner (Patroni's async executor), with the name operators see
 * in "<name> in progress". One at a time: while it runs the decider only keeps the lock (§3.2 step 5).
 */
public record LongAction(Kind kind, String name, long startedNanos) {

    public enum Kind {
        BOOTSTRAP,
        POST_BOOTSTRAP,
        CLONE,
        START,
        START_PRIMARY_AFTER_FAILURE,
        RESTART,
        PROMOTE,
        DEMOTE,
        CRASH_RECOVERY,
        REWIND,
        REINITIALIZE,
        COPY_LOGICAL_SLOTS,
        OTHER
    }
}
