package io.haagent.dcs.etcd;

import io.etcd.jetcd.KeyValue;
import io.haagent.cluster.ClusterView;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.WakeRule;
import io.haagent.dcs.codec.ClusterCodec;
import io.haagent.dcs.codec.GarbageLog;
import io.haagent.dcs.codec.RawKey;
import io.haagent.time.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The local copy of everything under the cluster prefix (Patroni's KVCache), and the wake-up signal of the HA
 * loop: a change that {@link WakeRule} names (the leader key deleted or expired, a failover request, ...) wakes
 * {@link #awaitChange} waiters. The {@link WatchCache} keeps it current from the watch stream; the member's own
 * writes and reads update it at once.
 */
final class ClusterCopy implements LocalCopy {
    private final DcsKeys keys;
    private final String memberName;
    private final Clock clock;
    private final GarbageLog garbage;

    private final Map<String, RawKey> entries = new HashMap<>();
    private long revision;
    private boolean loadedOnce;

    private final Object wakeLock = new Object();
    private boolean changed;

    ClusterCopy(DcsKeys keys, String memberName, Clock clock, GarbageLog garbage) {
        this.keys = keys;
        this.memberName = memberName;
        this.clock = clock;
        this.garbage = garbage;
    }

    /** The copy as a cluster view (meaningful only while the watch is ready). */
    ClusterView view() {
        List<RawKey> copy;
        long rev;
        synchronized (this) {
            copy = new ArrayList<>(entries.values());
            rev = revision;
        }
        return ClusterCodec.decode(keys, copy, rev, garbage);
    }

    synchronized RawKey get(String relative) {
        return entries.get(relative);
    }

    /** Our own successful put: the copy follows at once (no wake-up: we know what we did). */
    @Override
    public void ownPut(String relative, String value, long modRevision, long lease) {
        set(new RawKey(relative, value, modRevision, lease), false, false);
    }

    @Override
    public void ownDelete(String relative, long revision) {
        delete(relative, revision, false);
    }

    /**
     * What a read outside the watch (the else branch of a failed transaction) saw: newer than the copy, it
     * replaces it and wakes as the watch event would have (which then finds nothing new).
     */
    @Override
    public void offer(String relative, KeyValue kv, long headerRevision) {
        if (kv == null) {
            delete(relative, headerRevision, true);
        } else {
            set(raw(relative, kv), false, true);
        }
    }

    // ---- wake-ups

    boolean awaitChange(Duration timeout) throws InterruptedException {
        long end = clock.nanoTime() + timeout.toNanos();
        synchronized (wakeLock) {
            while (!changed) {
                long left = end - clock.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
            }
            changed = false;
            return true;
        }
    }

    void wakeUp() {
        synchronized (wakeLock) {
            changed = true;
            wakeLock.notifyAll();
        }
    }

    // ---- changes from the watch

    /** A put event of the watch. */
    void put(KeyValue kv) {
        String rel = relative(kv);
        if (rel != null) {
            set(raw(rel, kv), true, true);
        }
    }

    /** A delete event of the watch. */
    void deleted(KeyValue kv) {
        String rel = relative(kv);
        if (rel != null) {
            delete(rel, kv.getModRevision(), true);
        }
    }

    /** The revision a watch answer was sent at: the copy is at least that current. */
    synchronized void advanceTo(long headerRevision) {
        revision = Math.max(revision, headerRevision);
    }

    /** Replaces the copy with a full read; the differences wake waiters (not on the very first load). */
    void replaceAll(List<KeyValue> kvs, long rev) {
        boolean wake = false;
        synchronized (this) {
            Map<String, RawKey> fresh = new HashMap<>();
            for (KeyValue kv : kvs) {
                String rel = relative(kv);
                if (rel != null) {
                    fresh.put(rel, raw(rel, kv));
                }
            }
            Map<String, RawKey> old = new HashMap<>(entries);
            entries.clear();
            entries.putAll(fresh);
            revision = rev;
            if (loadedOnce) {
                boolean leader = iHoldLeader();
                Set<String> all = new HashSet<>(old.keySet());
                all.addAll(fresh.keySet());
                for (String k : all) {
                    RawKey o = old.get(k);
                    RawKey n = fresh.get(k);
                    if (WakeRule.wakes(k, o == null ? null : o.value(), n == null ? null : n.value(), leader)) {
                        wake = true;
                    }
                }
            }
            loadedOnce = true;
        }
        if (wake) {
            wakeUp();
        }
    }

    // ---- the copy

    private String relative(KeyValue kv) {
        return keys.relative(kv.getKey().toString(StandardCharsets.UTF_8));
    }

    private static RawKey raw(String relative, KeyValue kv) {
        return new RawKey(relative, kv.getValue().toString(StandardCharsets.UTF_8), kv.getModRevision(),
                kv.getLease());
    }

    /** Patroni's KVCache.set: a newer revision replaces; with {@code overwrite} the same revision does too. */
    private void set(RawKey k, boolean overwrite, boolean mayWake) {
        boolean wake;
        synchronized (this) {
            RawKey old = entries.get(k.relative());
            boolean newer = old == null || old.modRevision() < k.modRevision();
            if (newer || overwrite && old.modRevision() == k.modRevision()) {
                entries.put(k.relative(), k);
            }
            revision = Math.max(revision, k.modRevision());
            wake = mayWake && newer && WakeRule.wakes(k.relative(), old == null ? null : old.value(), k.value(),
                    iHoldLeader());
        }
        if (wake) {
            wakeUp();
        }
    }

    private void delete(String relative, long modRevision, boolean mayWake) {
        boolean wake;
        synchronized (this) {
            RawKey old = entries.get(relative);
            boolean deleted = old != null && old.modRevision() < modRevision;
            if (deleted) {
                entries.remove(relative);
            }
            revision = Math.max(revision, modRevision);
            wake = mayWake && deleted && WakeRule.wakes(relative, old.value(), null, iHoldLeader());
        }
        if (wake) {
            wakeUp();
        }
    }

    private boolean iHoldLeader() {
        RawKey l = entries.get(DcsKeys.LEADER);
        return l != null && memberName.equals(l.value());
    }
}
