package io.haagent.dcs.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.haagent.cluster.ClusterView;
import io.haagent.config.EtcdConfig;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.codec.ClusterCodec;
import io.haagent.dcs.codec.GarbageLog;
import io.haagent.dcs.codec.RawKey;
import io.haagent.time.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One cluster's keys in etcd, as both a member's connection ({@link EtcdDcs}) and a tool's
 * ({@link EtcdToolConnection}) read and write them: every call within one {@link Deadline} of
 * {@code retry_timeout}, idempotent calls retried, and the one way a conditional write is made
 * ({@link #send}): "lost the race" is false, "cannot tell" throws {@link DcsUnavailableException}, and a
 * transaction whose answer was lost is never blindly repeated (STYLE 6). Failures name the operation, the key and
 * the endpoints.
 */
final class EtcdKv {
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    final EtcdConfig config;
    final DcsKeys keys;
    final EtcdConnection conn;
    private final Clock clock;
    private final GarbageLog garbage;
    private final ByteSequence prefixBytes;
    private volatile LocalCopy copy = LocalCopy.NONE;
    private volatile Duration retryTimeout;

    EtcdKv(EtcdConfig config, DcsKeys keys, Duration retryTimeout, Clock clock, GarbageLog garbage,
            Runnable onNewClient) {
        this.config = config;
        this.keys = keys;
        this.clock = clock;
        this.garbage = garbage;
        this.retryTimeout = retryTimeout;
        this.prefixBytes = bytes(keys.prefix());
        this.conn = new EtcdConnection(config, retryTimeout, clock, onNewClient);
    }

    /** The copy that follows this connection's own reads and writes (a member's watch copy). */
    void follow(LocalCopy c) {
        this.copy = c;
    }

    /** The deadline of a new logical operation: {@code retry_timeout}, shortened during an outage (see {@link EtcdConnection}). */
    Deadline deadline() {
        return Deadline.after(clock, conn.operationBudget());
    }

    Duration retryTimeout() {
        return retryTimeout;
    }

    void setRetryTimeout(Duration d) {
        retryTimeout = d;
        conn.setRetryTimeout(d);
    }

    // ------------------------------------------------------------------ reads

    /** Everything under the prefix, linearizable. */
    GetResponse readPrefix(String what, Deadline d) {
        return retrying(what, keys.prefix(), d,
                c -> c.getKVClient().get(prefixBytes, GetOption.builder().isPrefix(true).build()));
    }

    ClusterView readCluster(Deadline d) {
        GetResponse r = readPrefix("read the cluster", d);
        List<RawKey> raw = new ArrayList<>();
        for (KeyValue kv : r.getKvs()) {
            String rel = keys.relative(string(kv.getKey()));
            if (rel != null) {
                raw.add(new RawKey(rel, string(kv.getValue()), kv.getModRevision(), kv.getLease()));
            }
        }
        return ClusterCodec.decode(keys, raw, r.getHeader().getRevision(), garbage);
    }

    /** One key, linearizable, retried until the deadline; the copy learns what it saw. */
    KeyValue readKey(String what, String rel, Deadline d) {
        GetResponse r = retrying(what, keys.key(rel), d, c -> c.getKVClient().get(key(rel)));
        KeyValue kv = r.getKvs().isEmpty() ? null : r.getKvs().get(0);
        copy.offer(rel, kv, r.getHeader().getRevision());
        return kv;
    }

    /** The names of the clusters with keys under this connection's namespace, sorted. */
    List<String> clusterNames() {
        String base = keys.prefix().substring(0, keys.prefix().length() - 1);
        String ns = base.substring(0, base.lastIndexOf('/') + 1);
        ByteSequence nsBytes = bytes(ns);
        GetResponse r = retrying("list the clusters", ns, deadline(),
                c -> c.getKVClient().get(nsBytes, GetOption.builder().isPrefix(true).withKeysOnly(true).build()));
        TreeSet<String> names = new TreeSet<>();
        for (KeyValue kv : r.getKvs()) {
            String rest = string(kv.getKey()).substring(ns.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                names.add(rest.substring(0, slash));
            }
        }
        return List.copyOf(names);
    }

    LeaseTtl leaseTimeToLive(long leaseId) {
        try {
            var r = retrying("read the time to live of a lease", "lease " + Long.toHexString(leaseId), deadline(),
                    c -> c.getLeaseClient().timeToLive(leaseId, LeaseOption.DEFAULT));
            return new LeaseTtl(leaseId, r.getGrantedTTL(), r.getTTL() < 0 ? -1 : r.getTTL());
        } catch (LeaseGone g) {
            return new LeaseTtl(leaseId, 0, -1);
        }
    }

    // ------------------------------------------------------------------ writes

    /** A plain put, retried until the deadline (a repeated put of the same value is harmless). */
    long put(String rel, String value, long lease, String what, Deadline d) {
        PutOption opt = lease == 0 ? PutOption.DEFAULT : leased(lease);
        long rev = retrying(what, keys.key(rel), d, c -> c.getKVClient().put(key(rel), bytes(value), opt))
                .getHeader().getRevision();
        copy.ownPut(rel, value, rev, lease);
        return rev;
    }

    /** Deletes one key unconditionally, retried until the deadline. */
    void deleteKey(String rel, String what, Deadline d) {
        long rev = retrying(what, keys.key(rel), d, c -> c.getKVClient().delete(key(rel))).getHeader().getRevision();
        copy.ownDelete(rel, rev);
    }

    /** Every key under the prefix. */
    void deletePrefix(String what) {
        retrying(what, keys.prefix(), deadline(),
                c -> c.getKVClient().delete(prefixBytes, DeleteOption.builder().isPrefix(true).build()));
    }

    /**
     * A write compared with the key's {@code mod_revision} ({@code 0}: only if absent), or a plain put with
     * {@link Dcs#ANY_REVISION}. An unknown outcome is resolved by re-reading: still at the expected revision means
     * not applied (sent again); holding our value means applied; anything else means somebody else won.
     */
    boolean casPut(String rel, String value, long expected, String what) {
        Deadline d = deadline();
        if (expected == Dcs.ANY_REVISION) {
            put(rel, value, 0, what, d);
            return true;
        }
        return send(what, rel, d, 0, null,
                (c, lease) -> c.getKVClient().txn()
                        .If(new Cmp(key(rel), Cmp.Op.EQUAL, CmpTarget.modRevision(expected)))
                        .Then(Op.put(key(rel), bytes(value), PutOption.DEFAULT))
                        .Else(Op.get(key(rel), GetOption.DEFAULT))
                        .commit(),
                (r, lease) -> {
                    if (r.isSucceeded()) {
                        copy.ownPut(rel, value, r.getHeader().getRevision(), 0);
                        return true;
                    }
                    copy.offer(rel, firstKv(r), r.getHeader().getRevision());
                    return false;
                },
                (now, lease) -> (now == null ? expected == 0 : now.getModRevision() == expected) ? Outcome.SEND_AGAIN
                        : now != null && value.equals(string(now.getValue())) ? Outcome.APPLIED : Outcome.NOT_APPLIED);
    }

    /**
     * Delete {@code rel} only while its mod_revision is {@code expected}. An unknown outcome is resolved by
     * re-reading: gone means done, still at that revision means not applied (sent again), else somebody changed it.
     */
    boolean deleteAtRevision(String rel, long expected, String what) {
        return send(what, rel, deadline(), 0, null,
                (c, lease) -> c.getKVClient().txn()
                        .If(new Cmp(key(rel), Cmp.Op.EQUAL, CmpTarget.modRevision(expected)))
                        .Then(Op.delete(key(rel), DeleteOption.DEFAULT))
                        .Else(Op.get(key(rel), GetOption.DEFAULT))
                        .commit(),
                (r, lease) -> {
                    if (r.isSucceeded()) {
                        copy.ownDelete(rel, r.getHeader().getRevision());
                        return true;
                    }
                    copy.offer(rel, firstKv(r), r.getHeader().getRevision());
                    return false;
                },
                (now, lease) -> now == null ? Outcome.APPLIED
                        : now.getModRevision() == expected ? Outcome.SEND_AGAIN : Outcome.NOT_APPLIED);
    }

    // ------------------------------------------------------------------ the transaction protocol

    /** What the key, read after a transaction's answer was lost, says about that transaction. */
    enum Outcome {
        /** It was applied: the call succeeded. */
        APPLIED,
        /** Somebody else's write stands: the call lost. */
        NOT_APPLIED,
        /** Nothing happened yet: the precondition still holds, so sending it again cannot apply it twice. */
        SEND_AGAIN
    }

    /** Builds the transaction, attaching {@code lease} where it puts leased keys. */
    interface Txn {
        CompletableFuture<TxnResponse> send(Client c, long lease);
    }

    /** The call's result from etcd's answer; updates the copy. */
    interface Answer {
        boolean read(TxnResponse r, long lease);
    }

    /** The call's fate from the key as read after the answer was lost ({@code now} null: the key is absent). */
    interface Lost {
        Outcome judge(KeyValue now, long lease);
    }

    /**
     * Sends one conditional transaction on {@code rel} within the deadline. Its answer decides. When the answer is
     * lost (UNAVAILABLE, a deadline: the transaction may or may not have been applied), the key is read back and
     * {@code lost} decides, sending again only when the precondition provably still holds. With a lease
     * ({@code regrant} not null), etcd's "lease not found" grants a new lease and sends once more, as Patroni does.
     *
     * @param what     the operation, for messages ("acquire the leader lock")
     * @param lease    the lease the transaction attaches, or 0
     * @param regrant  a new lease when etcd says ours is gone, or null for a transaction without one
     */
    boolean send(String what, String rel, Deadline d, long lease, LongSupplier regrant, Txn txn, Answer answer,
            Lost lost) {
        boolean regranted = false;
        long l = lease;
        while (true) {
            long attempt = l;
            try {
                return answer.read(conn.call(c -> txn.send(c, attempt), d), attempt);
            } catch (EtcdFailure f) {
                if (regrant != null && f.kind() == EtcdErrors.Kind.LEASE_NOT_FOUND && !regranted) {
                    l = regrant.getAsLong();
                    regranted = true;
                    continue;
                }
                if (f.kind() != EtcdErrors.Kind.UNREACHABLE) {
                    throw unavailable(what, rel, f);
                }
                KeyValue now = readKey("find out whether etcd applied: " + what, rel, d);
                switch (lost.judge(now, attempt)) {
                    case APPLIED:
                        return true;
                    case NOT_APPLIED:
                        return false;
                    default:
                        break;
                }
            }
        }
    }

    /**
     * Repeats an idempotent call on UNREACHABLE until the deadline; {@link LeaseGone} when etcd says the lease
     * does not exist; otherwise {@link DcsUnavailableException} naming the operation, key and endpoints.
     */
    <T> T retrying(String what, String target, Deadline d, Function<Client, CompletableFuture<T>> call) {
        long backoff = 50;
        EtcdFailure last;
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

    DcsUnavailableException unavailable(String what, String target, EtcdFailure f) {
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

    void close() {
        conn.close();
    }

    // ------------------------------------------------------------------ bytes

    static KeyValue firstKv(TxnResponse r) {
        if (r.getGetResponses().isEmpty() || r.getGetResponses().get(0).getKvs().isEmpty()) {
            return null;
        }
        return r.getGetResponses().get(0).getKvs().get(0);
    }

    ByteSequence key(String rel) {
        return bytes(keys.key(rel));
    }

    static PutOption leased(long lease) {
        return PutOption.builder().withLeaseId(lease).build();
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    /** etcd said the lease does not exist. */
    static final class LeaseGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LeaseGone() {
            super(null, null, false, false);
        }
    }
}
