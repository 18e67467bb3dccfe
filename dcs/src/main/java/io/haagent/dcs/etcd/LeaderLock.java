package io.haagent.dcs.etcd;

import static io.haagent.dcs.etcd.EtcdKv.bytes;
import static io.haagent.dcs.etcd.EtcdKv.firstKv;
import static io.haagent.dcs.etcd.EtcdKv.leased;
import static io.haagent.dcs.etcd.EtcdKv.string;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.codec.RawKey;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader key protocol (reference §1.4): acquire (create-only, with our lease), take (after bootstrap), renew
 * (Patroni 3.3's repair included) and release (only while it names us). Each is one conditional transaction sent
 * through {@link EtcdKv#send}: a lost answer is resolved by reading the key back.
 */
final class LeaderLock {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLock.class);

    private final EtcdKv kv;
    private final EtcdLease lease;
    private final ClusterCopy copy;
    private final String name;

    LeaderLock(EtcdKv kv, EtcdLease lease, ClusterCopy copy, String name) {
        this.kv = kv;
        this.lease = lease;
        this.copy = copy;
        this.name = name;
    }

    boolean acquire() {
        synchronized (lease) {
            Deadline d = kv.deadline();
            String leader = DcsKeys.LEADER;
            return kv.send("acquire the leader lock", leader, d, lease.refresh(d, false), () -> lease.regrant(d),
                    (c, l) -> c.getKVClient().txn()
                            .If(new Cmp(kv.key(leader), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                            .Then(Op.put(kv.key(leader), bytes(name), leased(l)))
                            .Else(Op.get(kv.key(leader), GetOption.DEFAULT))
                            .commit(),
                    (r, l) -> {
                        long rev = r.getHeader().getRevision();
                        if (r.isSucceeded()) {
                            copy.ownPut(leader, name, rev, l);
                            return true;
                        }
                        KeyValue holder = firstKv(r);
                        copy.offer(leader, holder, rev);
                        // our own earlier attempt, whose answer was lost, may be the holder
                        return holder != null && ours(holder, l);
                    },
                    (now, l) -> now == null ? EtcdKv.Outcome.SEND_AGAIN
                            : ours(now, l) ? EtcdKv.Outcome.APPLIED : EtcdKv.Outcome.NOT_APPLIED);
        }
    }

    boolean take() {
        synchronized (lease) {
            Deadline d = kv.deadline();
            long l = lease.refresh(d, false);
            try {
                kv.put(DcsKeys.LEADER, name, l, "take the leader lock", d);
            } catch (EtcdKv.LeaseGone g) {
                kv.put(DcsKeys.LEADER, name, lease.regrant(d), "take the leader lock", d);
            }
            return true;
        }
    }

    boolean renew() {
        synchronized (lease) {
            Deadline d = kv.deadline();
            long ours = lease.refresh(d, true);
            // Ask etcd, not the watch cache: on a three-member etcd the cache may lag a commit by a heartbeat,
            // and a stale "still ours" would let us go on as primary after somebody else took the key.
            RawKey current = readIfOurs(d);
            if (current != null && name.equals(current.value()) && current.lease() == ours) {
                return true;
            }
            // Patroni 3.3's repair: the key names us but carries another lease (ours was re-granted), or it is
            // gone. Move it onto our lease only if it still names us, else create it only if nobody holds it:
            // another member's key is never overwritten.
            String leader = DcsKeys.LEADER;
            return kv.send("renew the leader lock", leader, d, ours, () -> lease.regrant(d),
                    (c, l) -> c.getKVClient().txn()
                            .If(new Cmp(kv.key(leader), Cmp.Op.EQUAL, CmpTarget.value(bytes(name))))
                            .Then(Op.put(kv.key(leader), bytes(name), leased(l)))
                            .Else(Op.txn(new Cmp[] {new Cmp(kv.key(leader), Cmp.Op.EQUAL,
                                            CmpTarget.createRevision(0))},
                                    new Op[] {Op.put(kv.key(leader), bytes(name), leased(l))},
                                    new Op[] {Op.get(kv.key(leader), GetOption.DEFAULT)}))
                            .commit(),
                    (r, l) -> renewed(r, l),
                    (now, l) -> now == null || name.equals(string(now.getValue())) && now.getLease() != l
                            ? EtcdKv.Outcome.SEND_AGAIN
                            : name.equals(string(now.getValue())) ? EtcdKv.Outcome.APPLIED
                            : EtcdKv.Outcome.NOT_APPLIED);
        }
    }

    private boolean renewed(TxnResponse r, long l) {
        long rev = r.getHeader().getRevision();
        boolean created = !r.isSucceeded() && !r.getTxnResponses().isEmpty()
                && r.getTxnResponses().get(0).isSucceeded();
        if (r.isSucceeded() || created) {
            if (created) {
                LOG.warn("the leader key was gone when renewing; re-created it with our lease {}",
                        Long.toHexString(l));
            }
            copy.ownPut(DcsKeys.LEADER, name, rev, l);
            return true;
        }
        KeyValue holder = r.getTxnResponses().isEmpty() ? null : firstKv(r.getTxnResponses().get(0));
        copy.offer(DcsKeys.LEADER, holder, rev);
        return false;
    }

    boolean release() {
        return release(null);
    }

    /**
     * Deletes the leader key while it names us; with {@code statusValue} the status key (the last WAL position, for
     * the candidates' check against it) is written in the same transaction (issue 17): the candidates' watch
     * delivers both at one revision, so the cycle the deletion wakes already has the position, and no cycle is
     * woken by the status alone while the key still stands (one etcd round trip fewer for the old primary, too).
     */
    boolean release(String statusValue) {
        String leader = DcsKeys.LEADER;
        return kv.send("release the leader lock", leader, kv.deadline(), 0, null,
                (c, l) -> {
                    List<Op> then = new ArrayList<>();
                    if (statusValue != null) {
                        then.add(Op.put(kv.key(DcsKeys.STATUS), bytes(statusValue),
                                PutOption.DEFAULT));
                    }
                    then.add(Op.delete(kv.key(leader), DeleteOption.DEFAULT));
                    return c.getKVClient().txn()
                            .If(new Cmp(kv.key(leader), Cmp.Op.EQUAL, CmpTarget.value(bytes(name))))
                            .Then(then.toArray(Op[]::new))
                            .Else(Op.get(kv.key(leader), GetOption.DEFAULT))
                            .commit();
                },
                (r, l) -> {
                    long rev = r.getHeader().getRevision();
                    if (r.isSucceeded()) {
                        if (statusValue != null) {
                            copy.ownPut(DcsKeys.STATUS, statusValue, rev, 0);
                        }
                        copy.ownDelete(leader, rev);
                        return true;
                    }
                    copy.offer(leader, firstKv(r), rev);
                    return false;
                },
                (now, l) -> now == null ? EtcdKv.Outcome.APPLIED
                        : name.equals(string(now.getValue())) ? EtcdKv.Outcome.SEND_AGAIN
                        : EtcdKv.Outcome.NOT_APPLIED);
    }

    /** The key names us and sits on lease {@code l}. */
    private boolean ours(KeyValue k, long l) {
        return name.equals(string(k.getValue())) && k.getLease() == l;
    }

    /**
     * The leader key as etcd has it right now, read only when it names us (one round trip: a txn whose
     * condition is the value); null when it names somebody else or is gone.
     */
    private RawKey readIfOurs(Deadline d) {
        String leader = DcsKeys.LEADER;
        // a read-only txn: idempotent, so it is retried on another endpoint like any read
        TxnResponse r = kv.retrying("read the leader lock", leader, d, c -> c.getKVClient().txn()
                .If(new Cmp(kv.key(leader), Cmp.Op.EQUAL, CmpTarget.value(bytes(name))))
                .Then(Op.get(kv.key(leader), GetOption.DEFAULT))
                .commit());
        if (!r.isSucceeded() || r.getGetResponses().isEmpty() || r.getGetResponses().get(0).getKvs().isEmpty()) {
            return null;
        }
        KeyValue k = r.getGetResponses().get(0).getKvs().get(0);
        return new RawKey(leader, string(k.getValue()), k.getModRevision(), k.getLease());
    }
}
