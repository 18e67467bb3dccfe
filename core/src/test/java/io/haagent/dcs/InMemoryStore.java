package io.haagent.dcs;

import io.haagent.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What {@link InMemoryDcs} members share: a key-value store with etcd's semantics that matter to the HA loop.
 * One revision counter; every key has {@code create}/{@code mod} revisions; leases have a TTL on the injected
 * clock (a {@code FakeClock} in unit tests) and their expiry deletes the keys they carry, as etcd's lessor
 * does. Watchers hear every change, including those expiries. {@link #setReachable(boolean)} cuts every
 * member off (calls throw {@link DcsUnavailableException}) while time, and lease expiry, go on.
 *
 * <p>Leases expire lazily: whenever anyone touches the store (including members waiting in
 * {@link Dcs#awaitChange}, which poll it), every lease whose deadline has passed is revoked first.
 */
public final class InMemoryStore {
    /** One stored key. {@code value} is the typed value the in-memory members exchange. */
    public record Entry(Object value, long createRevision, long modRevision, long lease) {
    }

    /** A change seen by watchers; {@code oldValue}/{@code newValue} are null for creation/deletion. */
    public record Change(String key, Object oldValue, Object newValue, long revision) {
    }

    private final Clock clock;
    private final TreeMap<String, Entry> data = new TreeMap<>();
    private final Map<Long, Long> leaseDeadlines = new HashMap<>();
    private final Map<Long, Long> leaseTtls = new HashMap<>();
    private final List<Consumer<Change>> watchers = new CopyOnWriteArrayList<>();
    private long revision = 1;
    private long nextLease = 0x694d0000L;
    private volatile boolean reachable = true;

    public InMemoryStore(Clock clock) {
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    /** Cut every member off from the store (false) or reconnect them (true). */
    public void setReachable(boolean reachable) {
        this.reachable = reachable;
    }

    public boolean isReachable() {
        return reachable;
    }

    void checkReachable(String what) {
        if (!reachable) {
            throw new DcsUnavailableException("cannot " + what + ": the in-memory store is unreachable (simulated)");
        }
    }

    public synchronized long revision() {
        expire();
        return revision;
    }

    synchronized long currentRevision() {
        return revision;
    }

    public void watch(Consumer<Change> watcher) {
        watchers.add(watcher);
    }

    public void unwatch(Consumer<Change> watcher) {
        watchers.remove(watcher);
    }

    // ---- leases

    public synchronized long grant(int ttlSeconds) {
        expire();
        long id = ++nextLease;
        leaseTtls.put(id, (long) ttlSeconds);
        leaseDeadlines.put(id, clock.nanoTime() + ttlSeconds * 1_000_000_000L);
        return id;
    }

    /** @return false when the lease does not exist (expired or revoked) */
    public synchronized boolean keepAlive(long lease) {
        expire();
        Long ttl = leaseTtls.get(lease);
        if (ttl == null) {
            return false;
        }
        leaseDeadlines.put(lease, clock.nanoTime() + ttl * 1_000_000_000L);
        return true;
    }

    public synchronized boolean leaseExists(long lease) {
        expire();
        return leaseTtls.containsKey(lease);
    }

    /** As {@code etcdctl lease revoke}: the lease and every key attached to it go. */
    public void revoke(long lease) {
        List<Change> changes;
        synchronized (this) {
            expire();
            changes = drop(lease);
        }
        notifyAll(changes);
    }

    /** Revokes every lease whose TTL has run out on the clock. */
    public void expire() {
        List<Change> changes = new ArrayList<>();
        synchronized (this) {
            long now = clock.nanoTime();
            for (Iterator<Map.Entry<Long, Long>> it = new HashMap<>(leaseDeadlines).entrySet().iterator();
                    it.hasNext();) {
                Map.Entry<Long, Long> e = it.next();
                if (now - e.getValue() >= 0) {
                    changes.addAll(drop(e.getKey()));
                }
            }
        }
        notifyAll(changes);
    }

    private List<Change> drop(long lease) {
        leaseDeadlines.remove(lease);
        leaseTtls.remove(lease);
        List<Change> changes = new ArrayList<>();
        for (Iterator<Map.Entry<String, Entry>> it = data.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getValue().lease() == lease) {
                it.remove();
                changes.add(new Change(e.getKey(), e.getValue().value(), null, ++revision));
            }
        }
        return changes;
    }

    // ---- keys (callers hold the store's monitor for compound operations and call expire() first)

    synchronized Entry get(String key) {
        return data.get(key);
    }

    synchronized Map<String, Entry> range(String prefix) {
        Map<String, Entry> out = new TreeMap<>();
        for (Map.Entry<String, Entry> e : data.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** A put; with a lease that does not exist it fails as etcd does ("requested lease not found"). */
    synchronized Change put(String key, Object value, long lease) {
        if (lease != 0 && !leaseTtls.containsKey(lease)) {
            throw new IllegalStateException("requested lease not found");
        }
        Entry old = data.get(key);
        long rev = ++revision;
        data.put(key, new Entry(value, old == null ? rev : old.createRevision(), rev, lease));
        return new Change(key, old == null ? null : old.value(), value, rev);
    }

    synchronized Change delete(String key) {
        Entry old = data.remove(key);
        if (old == null) {
            return null;
        }
        return new Change(key, old.value(), null, ++revision);
    }

    synchronized List<Change> deletePrefix(String prefix) {
        List<Change> changes = new ArrayList<>();
        for (String k : new ArrayList<>(range(prefix).keySet())) {
            changes.add(delete(k));
        }
        return changes;
    }

    void notifyAll(List<Change> changes) {
        for (Change c : changes) {
            if (c != null) {
                for (Consumer<Change> w : watchers) {
                    w.accept(c);
                }
            }
        }
    }

    void notifyOne(Change c) {
        if (c != null) {
            notifyAll(List.of(c));
        }
    }
}
