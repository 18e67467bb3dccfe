package io.haagent.agent.ha;

import io.haagent.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Whether this node believes it holds the leader lock (safety rule 1). The belief is set from the time a
 * successful acquire or renew was <em>sent</em>, plus {@code ttl}: etcd starts the lease's countdown when it
 * receives the request, which is never earlier, so the belief always ends before the lease can expire and
 * another node can be elected. It runs on the monotonic clock; nothing here reads the wall clock.
 *
 * <p>It also orders renewals against voluntary releases. The loop renews when the cluster view it read names us,
 * while a release may run on another thread (the graceful demote of a switchover, on the long-action runner). A
 * renewal that finds the key gone re-creates it (Patroni 3.3's repair, for a lease that was re-granted), so a
 * renewal decided on a view read before the release would take back the lock just handed over: the candidate then
 * fails to acquire it, and the old primary demotes a second time. Renewals and releases therefore run one at a
 * time, and a renewal is skipped when a release happened after the view was read.
 */
public final class LockBelief {
    private final Clock clock;
    private volatile boolean held;
    private volatile long deadlineNanos;
    private final Object keyOperations = new Object();
    private volatile long releases;

    public LockBelief(Clock clock) {
        this.clock = clock;
    }

    /** A lock operation sent at {@code sentNanos} succeeded. */
    public void confirm(long sentNanos, int ttlSeconds) {
        deadlineNanos = sentNanos + TimeUnit.SECONDS.toNanos(ttlSeconds);
        held = true;
        Thread w = watcher;
        if (w != null) {
            java.util.concurrent.locks.LockSupport.unpark(w);
        }
    }

    private volatile Thread watcher;

    /** The thread that sleeps until this belief's deadline ({@link LeaseGuard}): woken when the deadline moves. */
    void watchedBy(Thread t) {
        watcher = t;
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

    /** How many voluntary releases there have been: read it before reading the cluster view. */
    public long releases() {
        return releases;
    }

    /**
     * Renews through {@code renew} unless the key was released after {@code releasesSeen} was read.
     *
     * @return the renewal's outcome, or null when it was skipped because we released the key since
     */
    public Boolean renewUnlessReleasedSince(long releasesSeen, BooleanSupplier renew) {
        synchronized (keyOperations) {
            if (releases != releasesSeen) {
                return null;
            }
            return renew.getAsBoolean();
        }
    }

    /**
     * A voluntary release of the leader key through {@code release}: the belief ends first (/primary never outlives
     * the key), and no renewal runs at the same time or later on an older view.
     */
    public <T> T releasing(java.util.function.Supplier<T> release) {
        synchronized (keyOperations) {
            held = false;
            releases++;
            return release.get();
        }
    }

    public long nanosLeft() {
        return held ? deadlineNanos - clock.nanoTime() : 0;
    }
}
