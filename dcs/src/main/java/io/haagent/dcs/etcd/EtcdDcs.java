package io.haagent.dcs.etcd;

import static io.haagent.dcs.etcd.EtcdKv.bytes;
import static io.haagent.dcs.etcd.EtcdKv.firstKv;

import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.TimelineHistory;
import io.haagent.config.EtcdConfig;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.codec.ConfigCodec;
import io.haagent.dcs.codec.FailoverCodec;
import io.haagent.dcs.codec.FailsafeCodec;
import io.haagent.dcs.codec.GarbageLog;
import io.haagent.dcs.codec.HistoryCodec;
import io.haagent.dcs.codec.MemberCodec;
import io.haagent.dcs.codec.RawKey;
import io.haagent.dcs.codec.StatusCodec;
import io.haagent.dcs.codec.SyncCodec;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Dcs} port on etcd v3 through jetcd, with Patroni's key layout, values and lock protocol
 * (reference §1), so Patroni nodes and {@code patronictl} read and write the same cluster. A member's connection:
 * its lease ({@link EtcdLease}), the leader lock ({@link LeaderLock}), its watch copy of the cluster
 * ({@link WatchCache}, {@link ClusterCopy}); reads and writes go through {@link EtcdKv}. Operators' tools use
 * {@link EtcdToolConnection} instead.
 *
 * <p>Timing: every public call finishes within {@code retry_timeout} (plus scheduling noise): it is one
 * logical operation whose attempts and re-reads share one {@link Deadline}. "Lost the race" returns false;
 * "cannot tell" throws {@link DcsUnavailableException}. A transaction whose answer was lost
 * (UNAVAILABLE/DEADLINE after sending) may have been applied, so it is never blindly repeated: the key is
 * re-read, and only if the precondition still holds (the write did not happen) is it sent again
 * ({@link EtcdKv#send}).
 */
public final class EtcdDcs implements Dcs {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdDcs.class);
    /** How long cluster() waits for the watch stream to prove alive before reading etcd directly. */
    private static final Duration CONFIRM_WAIT = Duration.ofSeconds(2);

    private final String name;
    private final EtcdKv kv;
    private final ClusterCopy copy;
    private final WatchCache cache;
    private final EtcdLease lease;
    private final LeaderLock leader;
    private final AtomicLong servedFromCopy = new AtomicLong();
    private volatile boolean skipNextWait;

    private final Object writeLock = new Object();
    private String lastStatus;
    /** The last status this node wrote (under writeLock), whose slots a release carries over. */
    private ClusterStatus lastWritten;
    private Map<String, String> lastFailsafe;
    private long lastLegacyOptime = -1;

    private EtcdDcs(EtcdConfig config, DcsKeys keys, String memberName, int ttl, int retryTimeout, Clock clock) {
        this.name = memberName;
        GarbageLog garbage = new GarbageLog();
        this.kv = new EtcdKv(config, keys, Duration.ofSeconds(retryTimeout), clock, garbage, this::onNewClient);
        this.copy = new ClusterCopy(keys, memberName, clock, garbage);
        kv.follow(copy);
        this.cache = new WatchCache(kv.conn, keys, memberName, clock,
                () -> kv.readPrefix("read the cluster for the watch", kv.deadline()), copy);
        this.lease = new EtcdLease(kv, clock, ttl);
        this.leader = new LeaderLock(kv, lease, copy, memberName);
    }

    /**
     * Connects (without waiting longer than {@code retryTimeout}): builds the client, starts the watch and
     * tries to grant the lease. etcd being down is not an error here (calls fail until it is back); bad
     * settings and refused credentials are, with the offending key named.
     *
     * @param namespace Patroni's {@code namespace} (default {@code service}), slashes allowed
     * @param ttl       lease TTL in seconds (the leader lock's and the member key's life without renewal)
     * @param retryTimeout seconds every call may take at most
     */
    public static EtcdDcs connect(EtcdConfig config, String namespace, String scope, String memberName, int ttl,
            int retryTimeout, Clock clock) {
        if (memberName == null || memberName.isEmpty() || memberName.contains("/")) {
            throw new IllegalArgumentException("name: '" + memberName + "' cannot name an etcd member key");
        }
        if (ttl < 1 || retryTimeout < 1) {
            throw new IllegalArgumentException("ttl (" + ttl + ") and retry_timeout (" + retryTimeout
                    + ") must be at least 1 second");
        }
        EtcdDcs dcs = new EtcdDcs(config, DcsKeys.of(namespace, scope), memberName, ttl, retryTimeout, clock);
        dcs.cache.start();
        try {
            synchronized (dcs.lease) {
                dcs.lease.refresh(dcs.kv.deadline(), false);
            }
        } catch (DcsUnavailableException e) {
            if (e.getCause() instanceof EtcdFailure f && f.kind() == EtcdErrors.Kind.REJECTED) {
                dcs.close();
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            LOG.warn("waiting on etcd: {}", e.getMessage());
        }
        return dcs;
    }

    @Override
    public String memberName() {
        return name;
    }

    /** The cluster prefix this instance works under, e.g. {@code /service/batman/}. */
    public String prefix() {
        return kv.keys.prefix();
    }

    // ------------------------------------------------------------------ reads

    @Override
    public ClusterView cluster() {
        Deadline d = kv.deadline();
        Duration half = d.remaining().dividedBy(2);
        // during an outage the copy is not trusted anyway: spend the short budget on etcd itself
        WatchCache.Confirmation c = kv.conn.inOutage() ? WatchCache.Confirmation.NOT_READY
                : cache.confirm(half.compareTo(CONFIRM_WAIT) > 0 ? CONFIRM_WAIT : half);
        if (c == WatchCache.Confirmation.CONFIRMED) {
            servedFromCopy.incrementAndGet();
            return copy.view();
        }
        // the copy cannot be trusted now: read etcd itself (and fail if it does not answer either)
        ClusterView fresh = kv.readCluster(d);
        if (c == WatchCache.Confirmation.NO_ANSWER) {
            cache.resync("the watch did not answer a progress request");
        }
        return fresh;
    }

    /** How many {@link #cluster()} calls the confirmed watch copy answered (the rest read etcd). */
    long servedFromCopy() {
        return servedFromCopy.get();
    }

    @Override
    public ClusterView freshCluster() {
        return kv.readCluster(kv.deadline());
    }

    // ------------------------------------------------------------------ the leader lock

    @Override
    public boolean acquireLeader() {
        return leader.acquire();
    }

    @Override
    public boolean takeLeader() {
        return leader.take();
    }

    @Override
    public boolean renewLeader() {
        return leader.renew();
    }

    @Override
    public boolean releaseLeader(Long lastLsn) {
        if (lastLsn == null || lastLsn <= 0) {
            return leader.release();
        }
        synchronized (writeLock) {
            // Patroni's write_status keeps the last slots and retain_slots beside the new optime: a new leader
            // adopts retain_slots from this key (RetainedSlots)
            ClusterStatus status = lastWritten == null ? ClusterStatus.of(lastLsn, Map.of())
                    : ClusterStatus.of(lastLsn, lastWritten.slots(), lastWritten.retainSlots());
            String value = StatusCodec.encode(status);
            if (status.optime() != lastLegacyOptime && cache.isReady() && hasMemberOlderThan210()) {
                // optime/leader only while some member is older than Patroni 2.1.0, which reads nothing else
                kv.put(DcsKeys.LEADER_OPTIME, StatusCodec.encodeLegacyOptime(status.optime()), 0,
                        "write the optime/leader key", kv.deadline());
                lastLegacyOptime = status.optime();
            }
            // the status and the deletion in one transaction (LeaderLock#release(String))
            boolean released = leader.release(value);
            if (released) {
                lastStatus = value;
                lastWritten = status;
            }
            return released;
        }
    }

    // ------------------------------------------------------------------ member, initialize

    @Override
    public void touchMember(Member member) {
        String rel = DcsKeys.MEMBERS + name;
        String value = MemberCodec.encode(member);
        synchronized (lease) {
            Deadline d = kv.deadline();
            long l = lease.refresh(d, false);
            RawKey current = cache.isReady() ? copy.get(rel) : null;
            if (current != null && current.value().equals(value) && current.lease() == l) {
                return;
            }
            try {
                kv.put(rel, value, l, "write our member key", d);
            } catch (EtcdKv.LeaseGone g) {
                kv.put(rel, value, lease.regrant(d), "write our member key", d);
            }
        }
    }

    @Override
    public boolean initialize(boolean createNew, String sysid) {
        String value = sysid == null ? "" : sysid;
        String rel = DcsKeys.INITIALIZE;
        Deadline d = kv.deadline();
        if (!createNew) {
            kv.put(rel, value, 0, "write the initialize key", d);
            return true;
        }
        return kv.send("take the initialize key", rel, d, 0, null,
                (c, l) -> c.getKVClient().txn()
                        .If(new Cmp(kv.key(rel), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(Op.put(kv.key(rel), bytes(value), PutOption.DEFAULT))
                        .Else(Op.get(kv.key(rel), GetOption.DEFAULT))
                        .commit(),
                (r, l) -> {
                    long rev = r.getHeader().getRevision();
                    if (r.isSucceeded()) {
                        copy.ownPut(rel, value, rev, 0);
                        return true;
                    }
                    copy.offer(rel, firstKv(r), rev);
                    return false;
                },
                (now, l) -> {
                    if (now == null) {
                        return EtcdKv.Outcome.SEND_AGAIN;
                    }
                    // The key carries no owner: if it holds our value we cannot tell whether we won. Losing is
                    // the safe answer (two bootstraps would make two clusters); the cluster then waits visibly.
                    LOG.warn("the answer to our initialize race was lost and {} now exists; treating the race as"
                            + " lost", kv.keys.key(rel));
                    return EtcdKv.Outcome.NOT_APPLIED;
                });
    }

    @Override
    public boolean cancelInitialization() {
        kv.deleteKey(DcsKeys.INITIALIZE, "delete the initialize key", kv.deadline());
        return true;
    }

    // ------------------------------------------------------------------ CAS writes

    @Override
    public boolean setConfig(Map<String, Object> config, long expectedRevision) {
        return kv.casPut(DcsKeys.CONFIG, ConfigCodec.encode(config), expectedRevision, "write the configuration");
    }

    @Override
    public boolean setFailover(FailoverRequest request, long expectedRevision) {
        return kv.casPut(DcsKeys.FAILOVER, FailoverCodec.encode(request), expectedRevision, "write the failover key");
    }

    @Override
    public boolean setSync(SyncState state, long expectedRevision) {
        return kv.casPut(DcsKeys.SYNC, SyncCodec.encode(state), expectedRevision, "write the sync key");
    }

    @Override
    public boolean deleteSync(long expectedRevision) {
        if (expectedRevision == ANY_REVISION) {
            kv.deleteKey(DcsKeys.SYNC, "delete the sync key", kv.deadline());
            return true;
        }
        return kv.deleteAtRevision(DcsKeys.SYNC, expectedRevision, "delete the sync key");
    }

    @Override
    public boolean deleteLeader(long expectedModRevision) {
        return kv.deleteAtRevision(DcsKeys.LEADER, expectedModRevision, "delete the unusable leader key");
    }

    // ------------------------------------------------------------------ plain writes

    @Override
    public void setHistory(TimelineHistory history) {
        kv.put(DcsKeys.HISTORY, HistoryCodec.encode(history), 0, "write the history key", kv.deadline());
    }

    @Override
    public void writeStatus(ClusterStatus status) {
        writeStatus(status, kv.deadline());
    }

    private void writeStatus(ClusterStatus status, Deadline d) {
        String value = StatusCodec.encode(status);
        synchronized (writeLock) {
            if (!value.equals(lastStatus) || !unchangedInCopy(DcsKeys.STATUS, value)) {
                kv.put(DcsKeys.STATUS, value, 0, "write the status key", d);
                lastStatus = value;
            }
            lastWritten = status;
            // optime/leader only while some member is older than Patroni 2.1.0, which reads nothing else
            if (status.optime() != lastLegacyOptime && cache.isReady() && hasMemberOlderThan210()) {
                String legacy = StatusCodec.encodeLegacyOptime(status.optime());
                kv.put(DcsKeys.LEADER_OPTIME, legacy, 0, "write the optime/leader key", d);
                lastLegacyOptime = status.optime();
            }
        }
    }

    @Override
    public void writeFailsafe(Map<String, String> failsafe) {
        Map<String, String> fs = new LinkedHashMap<>(failsafe == null ? Map.of() : failsafe);
        String value = FailsafeCodec.encode(fs);
        synchronized (writeLock) {
            if (fs.equals(lastFailsafe) && unchangedInCopy(DcsKeys.FAILSAFE, value)) {
                return;
            }
            kv.put(DcsKeys.FAILSAFE, value, 0, "write the failsafe key", kv.deadline());
            lastFailsafe = fs;
        }
    }

    /** True unless the watch copy shows somebody else changed the key since (then we write again). */
    private boolean unchangedInCopy(String rel, String value) {
        if (!cache.isReady()) {
            return true;
        }
        RawKey k = copy.get(rel);
        return k != null && k.value().equals(value);
    }

    private boolean hasMemberOlderThan210() {
        for (var m : copy.view().members()) {
            int[] v = version(m.version());
            if (v != null && (v[0] < 2 || v[0] == 2 && v[1] < 1)) {
                return true;
            }
        }
        return false;
    }

    private static int[] version(String s) {
        if (s == null) {
            return null;
        }
        String[] parts = s.split("\\.");
        try {
            return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void deleteCluster() {
        kv.deletePrefix("delete the cluster");
        synchronized (writeLock) {
            lastStatus = null;
            lastWritten = null;
            lastFailsafe = null;
            lastLegacyOptime = -1;
        }
        cache.resync("cluster deleted");
    }

    // ------------------------------------------------------------------ timeouts and waiting

    @Override
    public void setTimeouts(int ttl, int retryTimeout) {
        if (ttl < 1 || retryTimeout < 1) {
            throw new IllegalArgumentException("ttl (" + ttl + ") and retry_timeout (" + retryTimeout
                    + ") must be at least 1 second");
        }
        kv.setRetryTimeout(Duration.ofSeconds(retryTimeout));
        synchronized (lease) {
            if (ttl != lease.ttl()) {
                LOG.info("ttl changed from {} to {}: the next renewal grants a lease with the new ttl", lease.ttl(),
                        ttl);
                lease.setTtl(ttl);
                skipNextWait = true;
            }
        }
    }

    @Override
    public boolean awaitChange(Duration timeout) throws InterruptedException {
        if (skipNextWait) {
            skipNextWait = false;
            return true;
        }
        return copy.awaitChange(timeout);
    }

    @Override
    public void wakeUp() {
        copy.wakeUp();
    }

    @Override
    public void close() {
        cache.close();
        kv.close();
    }

    private void onNewClient() {
        WatchCache c = cache;
        if (c != null) {
            c.resync("new etcd client");
        }
    }
}
