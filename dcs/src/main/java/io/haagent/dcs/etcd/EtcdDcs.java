package io.haagent.dcs.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
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
import io.haagent.dcs.codec.ClusterCodec;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Dcs} port on etcd v3 through jetcd, with Patroni's key layout, values and lock protocol
 * (reference §1), so Patroni nodes and {@code patronictl} read and write the same cluster.
 *
 * <p>Timing: every public call finishes within {@code retry_timeout} (plus scheduling noise): it is one
 * logical operation whose attempts and re-reads share one {@link Deadline}. "Lost the race" returns false;
 * "cannot tell" throws {@link DcsUnavailableException}. A transaction whose answer was lost
 * (UNAVAILABLE/DEADLINE after sending) may have been applied, so it is never blindly repeated: the key is
 * re-read, and only if the precondition still holds (the write did not happen) is it sent again.
 *
 * <p>Lease: one per agent, TTL = {@code ttl}, carrying the member key and, while leading, the leader key.
 * It is refreshed with one {@code keepAliveOnce} per call that needs it, never by a background stream: an HA
 * loop that hangs must lose its lock (DESIGN §4 rule 1).
 */
public final class EtcdDcs implements Dcs {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdDcs.class);
    /** How long cluster() waits for the watch stream to prove alive before reading etcd directly. */
    private static final Duration CONFIRM_WAIT = Duration.ofSeconds(2);
    /** Non-forced lease refreshes (touchMember, acquire) within this interval reuse the last keepalive. */
    private static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    private final EtcdConfig config;
    private final DcsKeys keys;
    private final String name;
    private final Clock clock;
    private final GarbageLog garbage = new GarbageLog();
    private final EtcdConnection conn;
    private final WatchCache cache;
    private final java.util.concurrent.atomic.AtomicLong servedFromCopy = new java.util.concurrent.atomic.AtomicLong();
    private final ByteSequence prefixBytes;
    /** A tool's connection (agentctl): it holds no lease, so no member key or leader lock can be written. */
    private final boolean tool;

    private final Object leaseLock = new Object();
    private volatile int ttl;
    private volatile Duration retryTimeout;
    private long leaseId;
    private long lastRefreshNanos;
    private volatile boolean skipNextWait;

    private final Object writeLock = new Object();
    private String lastStatus;
    private Map<String, String> lastFailsafe;
    private long lastLegacyOptime = -1;

    private EtcdDcs(EtcdConfig config, DcsKeys keys, String memberName, int ttl, int retryTimeout, Clock clock,
            boolean tool) {
        this.tool = tool;
        this.config = config;
        this.keys = keys;
        this.name = memberName;
        this.clock = clock;
        this.ttl = ttl;
        this.retryTimeout = Duration.ofSeconds(retryTimeout);
        this.prefixBytes = bytes(keys.prefix());
        this.conn = new EtcdConnection(config, this.retryTimeout, clock, this::onNewClient);
        this.cache = new WatchCache(conn, keys, memberName, clock, this::readPrefixForCache, garbage);
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
        EtcdDcs dcs = new EtcdDcs(config, DcsKeys.of(namespace, scope), memberName, ttl, retryTimeout, clock, false);
        dcs.cache.start();
        try {
            synchronized (dcs.leaseLock) {
                dcs.refreshLease(dcs.deadline(), false);
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

    /**
     * A connection for operators' tools ({@code agentctl}): no watch, no lease, nothing written until asked.
     * {@link #freshCluster()} reads etcd itself (linearizable); the CAS writes, {@link #deleteCluster()} and the
     * lookups below work as for a member. Anything that needs a lease (member key, leader lock) throws
     * {@link IllegalStateException}: a tool must never look like a member.
     *
     * @param toolName names the connection in logs only; it is never written to etcd
     * @param retryTimeout seconds every call may take at most
     */
    public static EtcdDcs connectTool(EtcdConfig config, String namespace, String scope, String toolName,
            int retryTimeout, Clock clock) {
        if (retryTimeout < 1) {
            throw new IllegalArgumentException("retry_timeout (" + retryTimeout + ") must be at least 1 second");
        }
        String name = toolName == null || toolName.isEmpty() ? "tool" : toolName.replace('/', '-');
        return new EtcdDcs(config, DcsKeys.of(namespace, scope), name, 1, retryTimeout, clock, true);
    }

    /** What etcd says of one lease: seconds granted, seconds left ({@code -1} once it expired or was revoked). */
    public record LeaseTtl(long id, long grantedSeconds, long remainingSeconds) {
        public boolean alive() {
            return remainingSeconds >= 0;
        }

        /** Seconds since the lease was last kept alive (granted minus left), or -1 when it is gone. */
        public long secondsSinceRenewal() {
            return alive() ? Math.max(0, grantedSeconds - remainingSeconds) : -1;
        }
    }

    /**
     * How long a lease (a member's, from {@link Member#lease()}) has left. A live agent keeps its lease alive every
     * HA cycle, so a lease that has not been renewed for longer than that belongs to an agent that stopped.
     */
    public LeaseTtl leaseTimeToLive(long leaseId) {
        try {
            var r = retrying("read the time to live of a lease", "lease " + Long.toHexString(leaseId), deadline(),
                    c -> c.getLeaseClient().timeToLive(leaseId, io.etcd.jetcd.options.LeaseOption.DEFAULT));
            return new LeaseTtl(leaseId, r.getGrantedTTL(), r.getTTL() < 0 ? -1 : r.getTTL());
        } catch (LeaseGone g) {
            return new LeaseTtl(leaseId, 0, -1);
        }
    }

    /**
     * The names of the clusters that have keys under this connection's namespace (sorted), so that a tool can
     * say which clusters exist when it is given a name that does not.
     */
    public List<String> clusterNames() {
        String base = keys.prefix().substring(0, keys.prefix().length() - 1);
        String ns = base.substring(0, base.lastIndexOf('/') + 1);
        ByteSequence nsBytes = bytes(ns);
        GetResponse r = retrying("list the clusters", ns, deadline(),
                c -> c.getKVClient().get(nsBytes, GetOption.builder().isPrefix(true).withKeysOnly(true).build()));
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (KeyValue kv : r.getKvs()) {
            String rest = string(kv.getKey()).substring(ns.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                names.add(rest.substring(0, slash));
            }
        }
        return List.copyOf(names);
    }

    @Override
    public String memberName() {
        return name;
    }

    /** The cluster prefix this instance works under, e.g. {@code /service/batman/}. */
    public String prefix() {
        return keys.prefix();
    }

    // ------------------------------------------------------------------ reads

    @Override
    public ClusterView cluster() {
        Deadline d = deadline();
        Duration half = d.remaining().dividedBy(2);
        WatchCache.Confirmation c = cache.confirm(half.compareTo(CONFIRM_WAIT) > 0 ? CONFIRM_WAIT : half);
        if (c == WatchCache.Confirmation.CONFIRMED) {
            servedFromCopy.incrementAndGet();
            return cache.view();
        }
        // the copy cannot be trusted now: read etcd itself (and fail if it does not answer either)
        ClusterView fresh = readCluster(d);
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
        return readCluster(deadline());
    }

    private ClusterView readCluster(Deadline d) {
        GetResponse r = retrying("read the cluster", keys.prefix(), d,
                c -> c.getKVClient().get(prefixBytes, GetOption.builder().isPrefix(true).build()));
        List<RawKey> raw = new ArrayList<>();
        for (KeyValue kv : r.getKvs()) {
            String rel = keys.relative(string(kv.getKey()));
            if (rel != null) {
                raw.add(new RawKey(rel, string(kv.getValue()), kv.getModRevision(), kv.getLease()));
            }
        }
        return ClusterCodec.decode(keys, raw, r.getHeader().getRevision(), garbage);
    }

    private GetResponse readPrefixForCache() {
        return retrying("read the cluster for the watch", keys.prefix(), deadline(),
                c -> c.getKVClient().get(prefixBytes, GetOption.builder().isPrefix(true).build()));
    }

    /** One key, linearizable, retried until the deadline. */
    private KeyValue readKey(String what, String rel, Deadline d) {
        GetResponse r = retrying(what, keys.key(rel), d, c -> c.getKVClient().get(key(rel)));
        KeyValue kv = r.getKvs().isEmpty() ? null : r.getKvs().get(0);
        cache.offer(rel, kv, r.getHeader().getRevision());
        return kv;
    }

    // ------------------------------------------------------------------ the lease

    /**
     * Our lease, alive: a {@code keepAliveOnce} (skipped when not forced and the last one is under a second
     * old), or a new grant when the lease is gone. Must hold {@link #leaseLock}.
     *
     * <p>Safety: a successful keepalive restarts the TTL at some instant after this call began, so a lock
     * belief of "call start + ttl" (the HA loop's) always ends before the lease does.
     */
    private long refreshLease(Deadline d, boolean force) {
        if (tool) {
            throw new IllegalStateException("a tool's etcd connection holds no lease: it cannot write member keys"
                    + " or the leader lock");
        }
        long now = clock.nanoTime();
        if (leaseId != 0 && !force && now - lastRefreshNanos < REFRESH_INTERVAL.toNanos()) {
            return leaseId;
        }
        if (leaseId != 0) {
            long id = leaseId;
            try {
                retrying("keep the lease alive", "lease " + Long.toHexString(id), d,
                        c -> c.getLeaseClient().keepAliveOnce(id));
                lastRefreshNanos = now;
                return id;
            } catch (LeaseGone g) {
                LOG.warn("our lease {} is gone (expired or revoked); granting a new one", Long.toHexString(id));
                leaseId = 0;
            }
        }
        int t = ttl;
        LeaseGrantResponse r = retrying("grant a lease", "ttl " + t, d, c -> c.getLeaseClient().grant(t));
        leaseId = r.getID();
        lastRefreshNanos = now;
        LOG.debug("granted lease {} with ttl {}", Long.toHexString(leaseId), t);
        return leaseId;
    }

    /** After a write found our lease gone: a new lease, or the failure to get one. Must hold leaseLock. */
    private long regrant(Deadline d) {
        leaseId = 0;
        return refreshLease(d, true);
    }

    // ------------------------------------------------------------------ the leader lock

    @Override
    public boolean acquireLeader() {
        synchronized (leaseLock) {
            Deadline d = deadline();
            long lease = refreshLease(d, false);
            boolean regranted = false;
            while (true) {
                long l = lease;
                try {
                    TxnResponse r = conn.call(c -> c.getKVClient().txn()
                            .If(new Cmp(key(DcsKeys.LEADER), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                            .Then(Op.put(key(DcsKeys.LEADER), bytes(name), leased(l)))
                            .Else(Op.get(key(DcsKeys.LEADER), GetOption.DEFAULT))
                            .commit(), d);
                    long rev = r.getHeader().getRevision();
                    if (r.isSucceeded()) {
                        cache.ownPut(DcsKeys.LEADER, name, rev, l);
                        return true;
                    }
                    KeyValue holder = firstKv(r);
                    cache.offer(DcsKeys.LEADER, holder, rev);
                    // our own earlier attempt, whose answer was lost, may be the holder
                    return holder != null && name.equals(string(holder.getValue())) && holder.getLease() == l;
                } catch (EtcdFailure f) {
                    if (f.kind() == EtcdErrors.Kind.LEASE_NOT_FOUND && !regranted) {
                        // Patroni: on LeaseNotFound grant a new lease and retry once within the deadline
                        lease = regrant(d);
                        regranted = true;
                        continue;
                    }
                    if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                        throw unavailable("acquire the leader lock", DcsKeys.LEADER, f);
                    }
                    KeyValue now = readKey("find out whether the leader lock was taken", DcsKeys.LEADER, d);
                    if (now == null) {
                        continue;
                    }
                    return name.equals(string(now.getValue())) && now.getLease() == l;
                }
            }
        }
    }

    @Override
    public boolean takeLeader() {
        synchronized (leaseLock) {
            Deadline d = deadline();
            long lease = refreshLease(d, false);
            long rev;
            try {
                rev = put(DcsKeys.LEADER, name, lease, "take the leader lock", d);
            } catch (LeaseGone g) {
                lease = regrant(d);
                rev = put(DcsKeys.LEADER, name, lease, "take the leader lock", d);
            }
            cache.ownPut(DcsKeys.LEADER, name, rev, lease);
            return true;
        }
    }

    /**
     * The leader key as etcd has it right now, read only when it names us (one round trip: a txn whose
     * condition is the value); null when it names somebody else or is gone.
     */
    private RawKey readLeaderIfOurs(Deadline d) {
        // a read-only txn: idempotent, so it is retried on another endpoint like any read
        TxnResponse r = retrying("read the leader lock", DcsKeys.LEADER, d, c -> c.getKVClient().txn()
                .If(new Cmp(key(DcsKeys.LEADER), Cmp.Op.EQUAL, CmpTarget.value(bytes(name))))
                .Then(Op.get(key(DcsKeys.LEADER), GetOption.DEFAULT))
                .commit());
        if (!r.isSucceeded() || r.getGetResponses().isEmpty() || r.getGetResponses().get(0).getKvs().isEmpty()) {
            return null;
        }
        KeyValue kv = r.getGetResponses().get(0).getKvs().get(0);
        return new RawKey(DcsKeys.LEADER, string(kv.getValue()), kv.getModRevision(), kv.getLease());
    }

    @Override
    public boolean renewLeader() {
        synchronized (leaseLock) {
            Deadline d = deadline();
            long lease = refreshLease(d, true);
            // Ask etcd, not the watch cache: on a three-member etcd the cache may lag a commit by a heartbeat,
            // and a stale "still ours" would let us go on as primary after somebody else took the key.
            RawKey current = readLeaderIfOurs(d);
            if (current != null && name.equals(current.value()) && current.lease() == lease) {
                return true;
            }
            // Patroni 3.3's repair: the key names us but carries another lease (ours was re-granted), or it is
            // gone. Move it onto our lease only if it still names us, else create it only if nobody holds it:
            // another member's key is never overwritten.
            boolean regranted = false;
            while (true) {
                long l = lease;
                try {
                    TxnResponse r = conn.call(c -> c.getKVClient().txn()
                            .If(new Cmp(key(DcsKeys.LEADER), Cmp.Op.EQUAL, CmpTarget.value(bytes(name))))
                            .Then(Op.put(key(DcsKeys.LEADER), bytes(name), leased(l)))
                            .Else(Op.txn(new Cmp[] {new Cmp(key(DcsKeys.LEADER), Cmp.Op.EQUAL,
                                            CmpTarget.createRevision(0))},
                                    new Op[] {Op.put(key(DcsKeys.LEADER), bytes(name), leased(l))},
                                    new Op[] {Op.get(key(DcsKeys.LEADER), GetOption.DEFAULT)}))
                            .commit(), d);
                    long rev = r.getHeader().getRevision();
                    boolean created = !r.isSucceeded() && !r.getTxnResponses().isEmpty()
                            && r.getTxnResponses().get(0).isSucceeded();
                    if (r.isSucceeded() || created) {
                        if (created) {
                            LOG.warn("the leader key was gone when renewing; re-created it with our lease {}",
                                    Long.toHexString(l));
                        }
                        cache.ownPut(DcsKeys.LEADER, name, rev, l);
                        return true;
                    }
                    KeyValue holder = r.getTxnResponses().isEmpty() ? null : firstKv(r.getTxnResponses().get(0));
                    cache.offer(DcsKeys.LEADER, holder, rev);
                    return false;
                } catch (EtcdFailure f) {
                    if (f.kind() == EtcdErrors.Kind.LEASE_NOT_FOUND && !regranted) {
                        lease = regrant(d);
                        regranted = true;
                        continue;
                    }
                    if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                        throw unavailable("renew the leader lock", DcsKeys.LEADER, f);
                    }
                    KeyValue now = readKey("find out whether the leader lock was renewed", DcsKeys.LEADER, d);
                    if (now == null || name.equals(string(now.getValue())) && now.getLease() != l) {
                        continue;
                    }
                    return name.equals(string(now.getValue()));
                }
            }
        }
    }

    @Override
    public boolean releaseLeader(Long lastLsn) {
        Deadline d = deadline();
        if (lastLsn != null && lastLsn > 0) {
            writeStatus(ClusterStatus.of(lastLsn, Map.of()), d);
        }
        while (true) {
            try {
                TxnResponse r = conn.call(c -> c.getKVClient().txn()
                        .If(new Cmp(key(DcsKeys.LEADER), Cmp.Op.EQUAL, CmpTarget.value(bytes(name))))
                        .Then(Op.delete(key(DcsKeys.LEADER), DeleteOption.DEFAULT))
                        .Else(Op.get(key(DcsKeys.LEADER), GetOption.DEFAULT))
                        .commit(), d);
                long rev = r.getHeader().getRevision();
                if (r.isSucceeded()) {
                    cache.ownDelete(DcsKeys.LEADER, rev);
                    return true;
                }
                cache.offer(DcsKeys.LEADER, firstKv(r), rev);
                return false;
            } catch (EtcdFailure f) {
                if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                    throw unavailable("release the leader lock", DcsKeys.LEADER, f);
                }
                KeyValue now = readKey("find out whether the leader lock was released", DcsKeys.LEADER, d);
                if (now == null) {
                    return true;
                }
                if (name.equals(string(now.getValue()))) {
                    continue;
                }
                return false;
            }
        }
    }

    // ------------------------------------------------------------------ member, initialize

    @Override
    public void touchMember(Member member) {
        String rel = DcsKeys.MEMBERS + name;
        String value = MemberCodec.encode(member);
        synchronized (leaseLock) {
            Deadline d = deadline();
            long lease = refreshLease(d, false);
            RawKey current = cache.isReady() ? cache.get(rel) : null;
            if (current != null && current.value().equals(value) && current.lease() == lease) {
                return;
            }
            long rev;
            try {
                rev = put(rel, value, lease, "write our member key", d);
            } catch (LeaseGone g) {
                lease = regrant(d);
                rev = put(rel, value, lease, "write our member key", d);
            }
            cache.ownPut(rel, value, rev, lease);
        }
    }

    @Override
    public boolean initialize(boolean createNew, String sysid) {
        String value = sysid == null ? "" : sysid;
        Deadline d = deadline();
        if (!createNew) {
            long rev = put(DcsKeys.INITIALIZE, value, 0, "write the initialize key", d);
            cache.ownPut(DcsKeys.INITIALIZE, value, rev, 0);
            return true;
        }
        while (true) {
            try {
                TxnResponse r = conn.call(c -> c.getKVClient().txn()
                        .If(new Cmp(key(DcsKeys.INITIALIZE), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then(Op.put(key(DcsKeys.INITIALIZE), bytes(value), PutOption.DEFAULT))
                        .Else(Op.get(key(DcsKeys.INITIALIZE), GetOption.DEFAULT))
                        .commit(), d);
                long rev = r.getHeader().getRevision();
                if (r.isSucceeded()) {
                    cache.ownPut(DcsKeys.INITIALIZE, value, rev, 0);
                    return true;
                }
                cache.offer(DcsKeys.INITIALIZE, firstKv(r), rev);
                return false;
            } catch (EtcdFailure f) {
                if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                    throw unavailable("take the initialize key", DcsKeys.INITIALIZE, f);
                }
                KeyValue now = readKey("find out whether the initialize key was taken", DcsKeys.INITIALIZE, d);
                if (now == null) {
                    continue;
                }
                // The key carries no owner: if it holds our value we cannot tell whether we won. Losing is
                // the safe answer (two bootstraps would make two clusters); the cluster then waits visibly.
                LOG.warn("the answer to our initialize race was lost and {} now exists; treating the race as lost",
                        keys.key(DcsKeys.INITIALIZE));
                return false;
            }
        }
    }

    @Override
    public boolean cancelInitialization() {
        Deadline d = deadline();
        deleteKey(DcsKeys.INITIALIZE, "delete the initialize key", d);
        return true;
    }

    // ------------------------------------------------------------------ CAS writes

    @Override
    public boolean setConfig(Map<String, Object> config, long expectedRevision) {
        return casPut(DcsKeys.CONFIG, ConfigCodec.encode(config), expectedRevision, "write the configuration");
    }

    @Override
    public boolean setFailover(FailoverRequest request, long expectedRevision) {
        return casPut(DcsKeys.FAILOVER, FailoverCodec.encode(request), expectedRevision, "write the failover key");
    }

    @Override
    public boolean setSync(SyncState state, long expectedRevision) {
        return casPut(DcsKeys.SYNC, SyncCodec.encode(state), expectedRevision, "write the sync key");
    }

    @Override
    public boolean deleteSync(long expectedRevision) {
        if (expectedRevision == ANY_REVISION) {
            deleteKey(DcsKeys.SYNC, "delete the sync key", deadline());
            return true;
        }
        return deleteAtRevision(DcsKeys.SYNC, expectedRevision, "delete the sync key");
    }

    @Override
    public boolean deleteLeader(long expectedModRevision) {
        return deleteAtRevision(DcsKeys.LEADER, expectedModRevision, "delete the unusable leader key");
    }

    /**
     * Delete {@code rel} only while its mod_revision is {@code expectedRevision}. An unknown outcome is resolved by
     * re-reading: gone means done, still at that revision means not applied (sent again), else somebody changed it.
     */
    private boolean deleteAtRevision(String rel, long expectedRevision, String what) {
        Deadline d = deadline();
        while (true) {
            try {
                TxnResponse r = conn.call(c -> c.getKVClient().txn()
                        .If(new Cmp(key(rel), Cmp.Op.EQUAL, CmpTarget.modRevision(expectedRevision)))
                        .Then(Op.delete(key(rel), DeleteOption.DEFAULT))
                        .Else(Op.get(key(rel), GetOption.DEFAULT))
                        .commit(), d);
                long rev = r.getHeader().getRevision();
                if (r.isSucceeded()) {
                    cache.ownDelete(rel, rev);
                    return true;
                }
                cache.offer(rel, firstKv(r), rev);
                return false;
            } catch (EtcdFailure f) {
                if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                    throw unavailable(what, rel, f);
                }
                KeyValue now = readKey("find out whether the key was deleted (" + what + ")", rel, d);
                if (now == null) {
                    return true;
                }
                if (now.getModRevision() == expectedRevision) {
                    continue;
                }
                return false;
            }
        }
    }

    /**
     * A write compared with the key's {@code mod_revision} ({@code 0}: only if absent), or a plain put with
     * {@link #ANY_REVISION}. An unknown outcome is resolved by re-reading: still at the expected revision means
     * not applied (sent again); holding our value means applied; anything else means somebody else won.
     */
    private boolean casPut(String rel, String value, long expected, String what) {
        Deadline d = deadline();
        if (expected == ANY_REVISION) {
            long rev = put(rel, value, 0, what, d);
            cache.ownPut(rel, value, rev, 0);
            return true;
        }
        while (true) {
            try {
                TxnResponse r = conn.call(c -> c.getKVClient().txn()
                        .If(new Cmp(key(rel), Cmp.Op.EQUAL, CmpTarget.modRevision(expected)))
                        .Then(Op.put(key(rel), bytes(value), PutOption.DEFAULT))
                        .Else(Op.get(key(rel), GetOption.DEFAULT))
                        .commit(), d);
                long rev = r.getHeader().getRevision();
                if (r.isSucceeded()) {
                    cache.ownPut(rel, value, rev, 0);
                    return true;
                }
                cache.offer(rel, firstKv(r), rev);
                return false;
            } catch (EtcdFailure f) {
                if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                    throw unavailable(what, rel, f);
                }
                KeyValue now = readKey("find out whether " + keys.key(rel) + " was written", rel, d);
                if (now == null ? expected == 0 : now.getModRevision() == expected) {
                    continue;
                }
                return now != null && value.equals(string(now.getValue()));
            }
        }
    }

    // ------------------------------------------------------------------ plain writes

    @Override
    public void setHistory(TimelineHistory history) {
        String value = HistoryCodec.encode(history);
        long rev = put(DcsKeys.HISTORY, value, 0, "write the history key", deadline());
        cache.ownPut(DcsKeys.HISTORY, value, rev, 0);
    }

    @Override
    public void writeStatus(ClusterStatus status) {
        writeStatus(status, deadline());
    }

    private void writeStatus(ClusterStatus status, Deadline d) {
        String value = StatusCodec.encode(status);
        synchronized (writeLock) {
            if (!value.equals(lastStatus) || !unchangedInCache(DcsKeys.STATUS, value)) {
                long rev = put(DcsKeys.STATUS, value, 0, "write the status key", d);
                cache.ownPut(DcsKeys.STATUS, value, rev, 0);
                lastStatus = value;
            }
            // optime/leader only while some member is older than Patroni 2.1.0, which reads nothing else
            if (status.optime() != lastLegacyOptime && cache.isReady() && hasMemberOlderThan210()) {
                String legacy = StatusCodec.encodeLegacyOptime(status.optime());
                long rev = put(DcsKeys.LEADER_OPTIME, legacy, 0, "write the optime/leader key", d);
                cache.ownPut(DcsKeys.LEADER_OPTIME, legacy, rev, 0);
                lastLegacyOptime = status.optime();
            }
        }
    }

    @Override
    public void writeFailsafe(Map<String, String> failsafe) {
        Map<String, String> copy = new LinkedHashMap<>(failsafe == null ? Map.of() : failsafe);
        String value = FailsafeCodec.encode(copy);
        synchronized (writeLock) {
            if (copy.equals(lastFailsafe) && unchangedInCache(DcsKeys.FAILSAFE, value)) {
                return;
            }
            long rev = put(DcsKeys.FAILSAFE, value, 0, "write the failsafe key", deadline());
            cache.ownPut(DcsKeys.FAILSAFE, value, rev, 0);
            lastFailsafe = copy;
        }
    }

    /** True unless the watch copy shows somebody else changed the key since (then we write again). */
    private boolean unchangedInCache(String rel, String value) {
        if (!cache.isReady()) {
            return true;
        }
        RawKey k = cache.get(rel);
        return k != null && k.value().equals(value);
    }

    private boolean hasMemberOlderThan210() {
        for (var m : cache.view().members()) {
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
        Deadline d = deadline();
        retrying("delete the cluster", keys.prefix(), d,
                c -> c.getKVClient().delete(prefixBytes, DeleteOption.builder().isPrefix(true).build()));
        synchronized (writeLock) {
            lastStatus = null;
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
        this.retryTimeout = Duration.ofSeconds(retryTimeout);
        conn.setRetryTimeout(this.retryTimeout);
        synchronized (leaseLock) {
            if (ttl != this.ttl) {
                LOG.info("ttl changed from {} to {}: the next renewal grants a lease with the new ttl", this.ttl, ttl);
                this.ttl = ttl;
                leaseId = 0;
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
        return cache.awaitChange(timeout);
    }

    @Override
    public void wakeUp() {
        cache.wakeUp();
    }

    @Override
    public void close() {
        cache.close();
        conn.close();
    }

    // ------------------------------------------------------------------ plumbing

    private Deadline deadline() {
        return Deadline.after(clock, retryTimeout);
    }

    private void onNewClient() {
        WatchCache c = cache;
        if (c != null) {
            c.resync("new etcd client");
        }
    }

    /** A plain put, retried until the deadline (a repeated put of the same value is harmless). */
    private long put(String rel, String value, long lease, String what, Deadline d) {
        PutOption opt = lease == 0 ? PutOption.DEFAULT : leased(lease);
        return retrying(what, keys.key(rel), d, c -> c.getKVClient().put(key(rel), bytes(value), opt))
                .getHeader().getRevision();
    }

    /** Deletes one key unconditionally, retried until the deadline. */
    private void deleteKey(String rel, String what, Deadline d) {
        long rev = retrying(what, keys.key(rel), d, c -> c.getKVClient().delete(key(rel))).getHeader().getRevision();
        cache.ownDelete(rel, rev);
    }

    /**
     * Repeats an idempotent call on UNREACHABLE until the deadline; {@link LeaseGone} when etcd says our lease
     * does not exist; otherwise {@link DcsUnavailableException} naming the operation, key and endpoints.
     */
    private <T> T retrying(String what, String target, Deadline d, Function<Client, CompletableFuture<T>> call) {
        long backoff = 50;
        EtcdFailure last = null;
        while (true) {
            try {
                return conn.call(call, d);
            } catch (EtcdFailure f) {
                last = f;
                if (f.kind() == EtcdErrors.Kind.LEASE_NOT_FOUND) {
                    throw new LeaseGone();
                }
                if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                    throw unavailable(what, target, f);
                }
            }
            long left = d.remaining().toMillis();
            if (left <= 0) {
                throw unavailable(what, target, last);
            }
            try {
                Thread.sleep(Math.min(backoff, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable(what, target, last);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
        }
    }

    private DcsUnavailableException unavailable(String what, String target, EtcdFailure f) {
        String where = target.startsWith("/") || target.startsWith("lease") || target.startsWith("ttl") ? target
                : keys.key(target);
        String endpoints = String.join(",", conn.endpoints());
        String s = config.section() == null ? "etcd3" : config.section();
        if (f.kind() == EtcdErrors.Kind.REJECTED) {
            String hint = "";
            Throwable cause = EtcdErrors.unwrap(f.getCause());
            io.grpc.Status.Code code = EtcdErrors.code(cause);
            if (code == io.grpc.Status.Code.UNAUTHENTICATED) {
                hint = "; check " + s + ".username and " + s + ".password";
            } else if (code == io.grpc.Status.Code.PERMISSION_DENIED) {
                hint = "; the etcd user " + config.username() + " needs read/write permission on " + keys.prefix();
            }
            return new DcsUnavailableException("etcd at " + endpoints + " refused to " + what + " (" + where + "): "
                    + f.getMessage() + hint, f);
        }
        return new DcsUnavailableException("cannot " + what + " (" + where + "): etcd at " + endpoints
                + " did not answer within retry_timeout=" + retryTimeout.toSeconds() + "s (" + f.getMessage() + ")", f);
    }

    private static KeyValue firstKv(TxnResponse r) {
        if (r.getGetResponses().isEmpty() || r.getGetResponses().get(0).getKvs().isEmpty()) {
            return null;
        }
        return r.getGetResponses().get(0).getKvs().get(0);
    }

    private static RawKey raw(String rel, KeyValue kv) {
        return kv == null ? null : new RawKey(rel, string(kv.getValue()), kv.getModRevision(), kv.getLease());
    }

    private ByteSequence key(String rel) {
        return bytes(keys.key(rel));
    }

    private static PutOption leased(long lease) {
        return PutOption.builder().withLeaseId(lease).build();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    /** etcd said our lease does not exist. */
    private static final class LeaseGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LeaseGone() {
            super(null, null, false, false);
        }
    }
}
