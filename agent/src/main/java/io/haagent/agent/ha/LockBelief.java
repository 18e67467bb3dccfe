package io.haagent.agent.ha;

import io.haagent.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Whether this node believes it holds the leader lock (safety rule 1). The belief is set from the time a
 * successful acquire or renew was <em>sent</em>, plus {@code ttl}: etcd starts the lease's countdown when it
 * receives the request, which is never earlier, so the belief always ends before the lease can expire and
 * another node can be elected. It runs on the monotonic clock; nothing here reads the wall clock.
 */
public final class LockBelief {
    private final Clock clock;
    private volatile boolean held;
    private volatile long deadlineNanos;

    public LockBelief(Clock clock) {
        this.clock = clock;
    }

    /** A lock operation sent at {@code sentNanos} succeeded. */
    public void confirm(long sentNanos, int ttlSeconds) {
        deadlineNanos = sentNanos + TimeUnit.SECONDS.toNanos(ttlSeconds);
        held = true;
    }

    /** We lost or gave up the lock. Cleared before a release is sent, so /primary never outlives the key. */
    public void clear() {
        held = false;
    }

    /** Failsafe mode: all members agreed that we may go on as primary for another ttl. */
    public void extend(int ttlSeconds) {
        confirm(clock.nanoTime(), ttlSeconds);
    }

    public boolean held() {
        return held && clock.nanoTime() - deadlineNanos < 0;
    }

    /** True while the flag is set, even if the deadline passed (for the snapshot, which checks the time itself). */
    public boolean flagged() {
        return held;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    public long nanosLeft() {
        return held ? deadlineNanos - clock.nanoTime() : 0;
    }
}
