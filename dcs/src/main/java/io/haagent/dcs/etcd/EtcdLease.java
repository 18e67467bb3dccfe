package io.haagent.dcs.etcd;

import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.haagent.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's one lease, TTL = {@code ttl}, carrying its member key and, while it leads, the leader key. It is
 * refreshed with one {@code keepAliveOnce} per call that needs it, never by a background stream: an HA loop that
 * hangs must lose its lock (DESIGN §4 rule 1). Callers hold this object's monitor for the whole operation that
 * uses the lease (refresh, then write).
 */
final class EtcdLease {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdLease.class);
    /** Non-forced refreshes (touchMember, acquire) within this interval reuse the last keepalive. */
    private static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);

    private final EtcdKv kv;
    private final Clock clock;
    private int ttl;
    private long leaseId;
    private long lastRefreshNanos;

    EtcdLease(EtcdKv kv, Clock clock, int ttl) {
        this.kv = kv;
        this.clock = clock;
        this.ttl = ttl;
    }

    /**
     * Our lease, alive: a {@code keepAliveOnce} (skipped when not forced and the last one is under a second
     * old), or a new grant when the lease is gone. Must hold this object's monitor.
     *
     * <p>Safety: a successful keepalive restarts the TTL at some instant after this call began, so a lock
     * belief of "call start + ttl" (the HA loop's) always ends before the lease does.
     */
    long refresh(Deadline d, boolean force) {
        long now = clock.nanoTime();
        if (leaseId != 0 && !force && now - lastRefreshNanos < REFRESH_INTERVAL.toNanos()) {
            return leaseId;
        }
        if (leaseId != 0) {
            long id = leaseId;
            try {
                kv.retrying("keep the lease alive", "lease " + Long.toHexString(id), d,
                        c -> c.getLeaseClient().keepAliveOnce(id));
                lastRefreshNanos = now;
                return id;
            } catch (EtcdKv.LeaseGone g) {
                LOG.warn("our lease {} is gone (expired or revoked); granting a new one", Long.toHexString(id));
                leaseId = 0;
            }
        }
        int t = ttl;
        LeaseGrantResponse r = kv.retrying("grant a lease", "ttl " + t, d, c -> c.getLeaseClient().grant(t));
        leaseId = r.getID();
        lastRefreshNanos = now;
        LOG.debug("granted lease {} with ttl {}", Long.toHexString(leaseId), t);
        return leaseId;
    }

    /** After a write found our lease gone: a new lease, or the failure to get one. Must hold the monitor. */
    long regrant(Deadline d) {
        leaseId = 0;
        return refresh(d, true);
    }

    int ttl() {
        return ttl;
    }

    /** A new TTL takes effect with the next grant: the current lease is dropped. Must hold the monitor. */
    void setTtl(int t) {
        ttl = t;
        leaseId = 0;
    }
}
