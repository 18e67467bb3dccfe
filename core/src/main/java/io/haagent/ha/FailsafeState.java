package io.haagent.ha;

/**
 * Whether failsafe mode is active on this node (§3.8, §7.5), as the decider keeps it between cycles: Patroni's
 * {@code Failsafe} object. On a primary it is active from the cycle that kept running because every member accepted
 * its {@code POST /failsafe}, for {@code ttl}; on a replica for {@code ttl} after the last such call it accepted.
 * Either ends at once when this node holds the lock with etcd in reach again (it then forgets the contacts before
 * that moment, so that a call that came before its election does not make a new leader follow its predecessor).
 *
 * @param activeUntilNanos monotonic time until which failsafe is active; 0 when it is not
 * @param resetAtNanos     contacts that arrived at or before this moment are ignored; 0 when never reset
 */
public record FailsafeState(long activeUntilNanos, long resetAtNanos) {
    public static final FailsafeState INACTIVE = new FailsafeState(0, 0);

    public boolean activeAt(long nowNanos) {
        return activeUntilNanos != 0 && activeUntilNanos - nowNanos > 0;
    }

    /** A contact that arrived after the last reset and less than {@code ttlNanos} ago counts. */
    public boolean counts(FailsafeContact c, long nowNanos, long ttlNanos) {
        return c != null && (resetAtNanos == 0 || c.atNanos() - resetAtNanos > 0) && nowNanos - c.atNanos() < ttlNanos;
    }

    public FailsafeState activeUntil(long untilNanos) {
        long until = activeUntilNanos != 0 && activeUntilNanos - untilNanos > 0 ? activeUntilNanos : untilNanos;
        return new FailsafeState(until, resetAtNanos);
    }

    public FailsafeState inactive() {
        return new FailsafeState(0, resetAtNanos);
    }

    public FailsafeState reset(long nowNanos) {
        return new FailsafeState(0, nowNanos);
    }
}
