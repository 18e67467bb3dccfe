package io.haagent.dcs;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.cluster.TimelineHistory;
import io.haagent.time.Clock;
import io.haagent.time.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@link Dcs} port on an {@link InMemoryStore}, with the semantics of {@code EtcdDcs} (the same contract
 * suite runs against both): one lease per member with TTL {@code ttl} on the store's clock carrying the member
 * key and the leader key, create-only acquire, guarded renew, owner-only release, CAS by mod revision, and
 * wake-ups per {@link WakeRule} (lease expiry included). Values are kept as the typed objects, normalised as
 * the etcd codecs would round-trip them (a {@code checkpoint_after_promote} of {@code true} is not stored,
 * an empty failover request reads as none, ...).
 *
 * <p>Time: with a {@code FakeClock}, {@link #awaitChange} waits on that clock alone: it returns true at a change or
 * a wake-up, false once the clock passes the timeout, and each advance of the clock (a lease may have expired)
 * makes it look again; it never waits on the wall clock. With a real clock it polls the store every few ms.
 */
public final class InMemoryDcs implements Dcs {
    private static final long POLL_MILLIS = 5;
    /** A mutation that succeeded without changing anything. */
    private static final List<InMemoryStore.Change> OK = Collections.singletonList(null);

    private final InMemoryStore store;
    private final DcsKeys keys;
    private final String name;
    private final Clock clock;
    private final Consumer<InMemoryStore.Change> watcher = this::onChange;
    private final Object wakeLock = new Object();
    private boolean changed;
    /** The fake clock advanced since the waiter last looked (guarded by wakeLock). */
    private boolean clockMoved;
    private volatile boolean skipNextWait;
    private int ttl;
    private long lease;
    private ClusterStatus lastStatus;
    private Map<String, String> lastFailsafe;
    private boolean closed;
    /** This member's own link to the store (the simulator's agent-to-DCS partitions); the store's own flag cuts all. */
    private volatile boolean linked = true;

    public InMemoryDcs(InMemoryStore store, String namespace, String scope, String memberName, int ttl) {
        this.store = store;
        this.keys = DcsKeys.of(namespace, scope);
        this.name = memberName;
        this.clock = store.clock();
        this.ttl = ttl;
        store.watch(watcher);
    }

    /** A member of cluster {@code scope} under the default namespace. */
    public InMemoryDcs(InMemoryStore store, String scope, String memberName, int ttl) {
        this(store, DcsKeys.DEFAULT_NAMESPACE, scope, memberName, ttl);
    }

    public InMemoryStore store() {
        return store;
    }

    /** Cut this member off from the store (false) or reconnect it (true); the others keep their links. */
    public void setLinked(boolean linked) {
        this.linked = linked;
    }

    private void checkReachable(String what) {
        store.checkReachable(what);
        if (!linked) {
            throw new DcsUnavailableException("cannot " + what + ": this member's link to the store is cut (simulated)");
        }
    }

    /** The lease this member holds now (0 before the first grant). */
    public synchronized long leaseId() {
        return lease;
    }

    @Override
    public String memberName() {
        return name;
    }

    // ---- reads

    @Override
    public ClusterView cluster() {
        return freshCluster();
    }

    @Override
    public ClusterView freshCluster() {
        checkReachable("read the cluster");
        store.expire();
        synchronized (store) {
            Map<String, InMemoryStore.Entry> all = store.range(keys.prefix());
            String initialize = null;
            ClusterConfig config = null;
            Leader leader = null;
            ClusterStatus status = null;
            ClusterStatus legacyStatus = null;
            List<Member> members = new ArrayList<>();
            FailoverRequest failover = null;
            SyncState sync = null;
            TimelineHistory history = null;
            Map<String, String> failsafe = null;
            for (Map.Entry<String, InMemoryStore.Entry> e : all.entrySet()) {
                String rel = keys.relative(e.getKey());
                InMemoryStore.Entry v = e.getValue();
                long rev = v.modRevision();
                String memberName = DcsKeys.memberName(rel);
                if (memberName != null) {
                    members.add(withMeta((Member) v.value(), memberName, rev, v.lease()));
                    continue;
                }
                switch (rel) {
                    case DcsKeys.INITIALIZE -> initialize = (String) v.value();
                    case DcsKeys.CONFIG -> config = ClusterConfig.of(cast(v.value()), rev);
                    case DcsKeys.LEADER -> leader = new Leader((String) v.value(), rev, v.lease());
                    case DcsKeys.STATUS -> {
                        ClusterStatus s = (ClusterStatus) v.value();
                        status = new ClusterStatus(s.optime(), s.slots(), s.retainSlots(), rev);
                    }
                    case DcsKeys.LEADER_OPTIME -> legacyStatus = new ClusterStatus(
                            Long.parseLong((String) v.value()), Map.of(), rev);
                    case DcsKeys.FAILOVER -> {
                        FailoverRequest f = (FailoverRequest) v.value();
                        failover = new FailoverRequest(f.leader(), f.candidate(), f.scheduledAt(), rev);
                    }
                    case DcsKeys.SYNC -> {
                        SyncState s = (SyncState) v.value();
                        sync = new SyncState(s.leader(), s.syncStandbys(), s.quorum(), rev);
                    }
                    case DcsKeys.HISTORY -> history = new TimelineHistory(((TimelineHistory) v.value()).lines(), false,
                            rev);
                    case DcsKeys.FAILSAFE -> failsafe = cast(v.value());
                    default -> {
                    }
                }
            }
            return new ClusterView(initialize, config, leader, status != null ? status : legacyStatus, members,
                    failover, sync, history, failsafe, store.currentRevision());
        }
    }

    // ---- the lease

    /** Our lease, alive (a new one when it expired or was revoked). Holds the store's monitor. */
    private long refreshLease() {
        if (lease != 0 && store.keepAlive(lease)) {
            return lease;
        }
        lease = store.grant(ttl);
        return lease;
    }

    // ---- the leader lock

    @Override
    public boolean acquireLeader() {
        return write("acquire the leader lock", () -> {
            long l = refreshLease();
            InMemoryStore.Entry cur = store.get(keys.key(DcsKeys.LEADER));
            if (cur != null) {
                // as EtcdDcs: our own earlier acquire (whose answer was lost) counts as won
                return name.equals(cur.value()) && cur.lease() == l ? OK : List.of();
            }
            return List.of(store.put(keys.key(DcsKeys.LEADER), name, l));
        });
    }

    @Override
    public boolean takeLeader() {
        return write("take the leader lock", () -> List.of(store.put(keys.key(DcsKeys.LEADER), name, refreshLease())));
    }

    @Override
    public boolean renewLeader() {
        return write("renew the leader lock", () -> {
            long l = refreshLease();
            InMemoryStore.Entry cur = store.get(keys.key(DcsKeys.LEADER));
            if (cur != null && name.equals(cur.value()) && cur.lease() == l) {
                return OK;
            }
            if (cur == null || name.equals(cur.value())) {
                return List.of(store.put(keys.key(DcsKeys.LEADER), name, l));
            }
            return List.of();
        });
    }

    @Override
    public boolean releaseLeader(Long lastLsn) {
        checkReachable("release the leader lock");
        // as EtcdDcs: the last position and the deletion in one transaction, only while the key names us
        return write("release the leader lock", () -> {
            InMemoryStore.Entry cur = store.get(keys.key(DcsKeys.LEADER));
            if (cur == null || !name.equals(cur.value())) {
                return List.of();
            }
            if (lastLsn == null || lastLsn <= 0) {
                return List.of(store.delete(keys.key(DcsKeys.LEADER)));
            }
            ClusterStatus s = lastStatus == null ? ClusterStatus.of(lastLsn, Map.of())
                    : ClusterStatus.of(lastLsn, lastStatus.slots(), lastStatus.retainSlots());
            lastStatus = s;
            return List.of(store.put(keys.key(DcsKeys.STATUS), s, 0), store.delete(keys.key(DcsKeys.LEADER)));
        });
    }

    @Override
    public boolean deleteLeader(long expectedModRevision) {
        return write("delete the unusable leader key", () -> {
            InMemoryStore.Entry cur = store.get(keys.key(DcsKeys.LEADER));
            if (cur == null) {
                return OK;
            }
            if (cur.modRevision() != expectedModRevision) {
                return List.of();
            }
            return List.of(store.delete(keys.key(DcsKeys.LEADER)));
        });
    }

    // ---- member and initialize

    @Override
    public void touchMember(Member member) {
        Member value = normalise(member);
        write("write our member key", () -> {
            long l = refreshLease();
            InMemoryStore.Entry cur = store.get(keys.member(name));
            if (cur != null && cur.value().equals(value) && cur.lease() == l) {
                return OK;
            }
            return List.of(store.put(keys.member(name), value, l));
        });
    }

    @Override
    public boolean initialize(boolean createNew, String sysid) {
        String value = sysid == null ? "" : sysid;
        return write("write the initialize key", () -> {
            if (createNew && store.get(keys.key(DcsKeys.INITIALIZE)) != null) {
                return List.of();
            }
            return List.of(store.put(keys.key(DcsKeys.INITIALIZE), value, 0));
        });
    }

    @Override
    public boolean cancelInitialization() {
        write("delete the initialize key", () -> {
            store.delete(keys.key(DcsKeys.INITIALIZE));
            return OK;
        });
        return true;
    }

    // ---- CAS writes

    @Override
    public boolean setConfig(Map<String, Object> config, long expectedRevision) {
        Map<String, Object> copy = Collections.unmodifiableMap(new LinkedHashMap<>(config == null ? Map.of() : config));
        return cas(DcsKeys.CONFIG, copy, expectedRevision, "write the configuration");
    }

    @Override
    public boolean setFailover(FailoverRequest request, long expectedRevision) {
        FailoverRequest r = request == null ? FailoverRequest.of(null, null, null)
                : FailoverRequest.of(request.leader(), request.candidate(), request.scheduledAt());
        return cas(DcsKeys.FAILOVER, r, expectedRevision, "write the failover key");
    }

    @Override
    public boolean setSync(SyncState state, long expectedRevision) {
        return cas(DcsKeys.SYNC, new SyncState(state.leader(), state.syncStandbys(), state.quorum(), 0), expectedRevision,
                "write the sync key");
    }

    @Override
    public boolean deleteSync(long expectedRevision) {
        return write("delete the sync key", () -> {
            InMemoryStore.Entry cur = store.get(keys.key(DcsKeys.SYNC));
            if (expectedRevision != ANY_REVISION && (cur == null ? 0 : cur.modRevision()) != expectedRevision) {
                return List.of();
            }
            InMemoryStore.Change c = store.delete(keys.key(DcsKeys.SYNC));
            return c == null ? OK : List.of(c);
        });
    }

    private boolean cas(String rel, Object value, long expected, String what) {
        return write(what, () -> {
            InMemoryStore.Entry cur = store.get(keys.key(rel));
            if (expected != ANY_REVISION && (cur == null ? 0 : cur.modRevision()) != expected) {
                return List.of();
            }
            return List.of(store.put(keys.key(rel), value, 0));
        });
    }

    // ---- plain writes

    @Override
    public void setHistory(TimelineHistory history) {
        TimelineHistory h = new TimelineHistory(history.lines(), false, 0);
        write("write the history key", () -> List.of(store.put(keys.key(DcsKeys.HISTORY), h, 0)));
    }

    @Override
    public void writeStatus(ClusterStatus status) {
        ClusterStatus s = new ClusterStatus(status.optime(), status.slots(), status.retainSlots(), 0);
        write("write the status key", () -> {
            InMemoryStore.Entry cur = store.get(keys.key(DcsKeys.STATUS));
            if (s.equals(lastStatus) && cur != null && s.equals(cur.value())) {
                return OK;
            }
            lastStatus = s;
            return List.of(store.put(keys.key(DcsKeys.STATUS), s, 0));
        });
    }

    @Override
    public void writeFailsafe(Map<String, String> failsafe) {
        Map<String, String> f = Collections.unmodifiableMap(new LinkedHashMap<>(failsafe == null ? Map.of() : failsafe));
        write("write the failsafe key", () -> {
            InMemoryStore.Entry cur = store.get(keys.key(DcsKeys.FAILSAFE));
            if (f.equals(lastFailsafe) && cur != null && f.equals(cur.value())) {
                return OK;
            }
            lastFailsafe = f;
            return List.of(store.put(keys.key(DcsKeys.FAILSAFE), f, 0));
        });
    }

    @Override
    public void deleteCluster() {
        write("delete the cluster", () -> {
            lastStatus = null;
            lastFailsafe = null;
            List<InMemoryStore.Change> changes = new ArrayList<>(store.deletePrefix(keys.prefix()));
            changes.add(null);
            return changes;
        });
    }

    @Override
    public synchronized void setTimeouts(int ttl, int retryTimeout) {
        if (ttl != this.ttl) {
            this.ttl = ttl;
            lease = 0;
            skipNextWait = true;
        }
    }

    // ---- waiting

    @Override
    public boolean awaitChange(Duration timeout) throws InterruptedException {
        if (skipNextWait) {
            skipNextWait = false;
            return true;
        }
        FakeClock fake = clock instanceof FakeClock f ? f : null;
        Runnable tick = () -> {
            synchronized (wakeLock) {
                clockMoved = true;
                wakeLock.notifyAll();
            }
        };
        if (fake != null) {
            fake.onAdvance(tick);
        }
        try {
            long clockEnd = clock.nanoTime() + timeout.toNanos();
            long realEnd = System.nanoTime() + timeout.toNanos();
            while (true) {
                store.expire();
                synchronized (wakeLock) {
                    if (changed) {
                        changed = false;
                        return true;
                    }
                    if (clock.nanoTime() - clockEnd >= 0 || fake == null && System.nanoTime() - realEnd >= 0) {
                        return false;
                    }
                    if (!clockMoved) {
                        wakeLock.wait(fake != null ? 0 : POLL_MILLIS);
                    }
                    clockMoved = false; // (an advance between expire() and here: expire again before waiting)
                }
            }
        } finally {
            if (fake != null) {
                fake.removeOnAdvance(tick);
            }
        }
    }

    /**
     * Without waiting: whether a change (or a {@link #wakeUp()}) came since the last call, which it consumes. The
     * simulator of issue 13 uses this instead of {@link #awaitChange}: it runs each member's next cycle itself, on
     * its own scheduler and clock, earlier when this says the member would have been woken.
     */
    public boolean takeChange() {
        store.expire();
        synchronized (wakeLock) {
            boolean c = changed || skipNextWait;
            changed = false;
            skipNextWait = false;
            return c;
        }
    }

    @Override
    public void wakeUp() {
        synchronized (wakeLock) {
            changed = true;
            wakeLock.notifyAll();
        }
    }

    private void onChange(InMemoryStore.Change c) {
        String rel = keys.relative(c.key());
        if (rel == null) {
            return;
        }
        InMemoryStore.Entry leader = store.get(keys.key(DcsKeys.LEADER));
        boolean iHoldLeader = leader != null && name.equals(leader.value());
        if (WakeRule.wakes(rel, c.oldValue(), c.newValue(), iHoldLeader) && writer != Thread.currentThread()) {
            wakeUp();
        }
    }

    /**
     * Own writes do not wake their writer (as with the etcd watch cache, which already holds them): the thread that
     * is writing through this member, while it notifies. Per member, not per thread: in the simulator one thread
     * writes for every member, and another member's write must wake this one.
     */
    private volatile Thread writer;

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            store.unwatch(watcher);
        }
    }

    // ---- plumbing

    private interface Mutation {
        /** The changes made; an empty list means the condition failed; a null element means "ok, no change". */
        List<InMemoryStore.Change> apply();
    }

    private boolean write(String what, Mutation m) {
        checkReachable(what);
        store.expire();
        List<InMemoryStore.Change> changes;
        synchronized (this) {
            synchronized (store) {
                try {
                    changes = m.apply();
                } catch (IllegalStateException e) {
                    throw new DcsUnavailableException("cannot " + what + ": " + e.getMessage(), e);
                }
            }
        }
        writer = Thread.currentThread();
        try {
            store.notifyAll(changes);
        } finally {
            writer = null;
        }
        return !changes.isEmpty();
    }

    /** A member as the etcd codec round-trips it, without name and etcd metadata. */
    static Member normalise(Member m) {
        return new Member("", m.connUrl(), m.apiUrl(), m.state(), m.role(), m.version(),
                m.proxyUrl() == null || m.proxyUrl().isEmpty() ? null : m.proxyUrl(),
                Boolean.FALSE.equals(m.checkpointAfterPromote()) ? Boolean.FALSE : null,
                m.tags().isEmpty() ? Tags.NONE : m.tags(),
                m.pendingRestart(),
                m.pendingRestartReason() == null || m.pendingRestartReason().isEmpty() ? null
                        : m.pendingRestartReason(),
                m.xlogLocation(),
                m.replicationState() == null || m.replicationState().isEmpty() ? null : m.replicationState(),
                m.timeline() == null || m.timeline() == 0 ? null : m.timeline(),
                m.scheduledRestart() == null || m.scheduledRestart().isEmpty() ? null : m.scheduledRestart(),
                m.pause(), 0, 0);
    }

    private static Member withMeta(Member m, String name, long modRevision, long lease) {
        return new Member(name, m.connUrl(), m.apiUrl(), m.state(), m.role(), m.version(), m.proxyUrl(),
                m.checkpointAfterPromote(), m.tags(), m.pendingRestart(), m.pendingRestartReason(),
                m.xlogLocation(), m.replicationState(), m.timeline(), m.scheduledRestart(), m.pause(), modRevision,
                lease);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
