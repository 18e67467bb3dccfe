package io.haagent.cluster.harness;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A client that writes one row at a time and records, on the monotonic clock, every acknowledged commit (row id
 * and the server that took it) and every failed attempt: what an application saw of the cluster.
 */
public interface RecordingClient {
    /** An acknowledged commit of row {@code id}, at {@code nanos}, on the server {@code host:port}. */
    record Ack(long nanos, long id, String server) {
    }

    /** A failed attempt to write row {@code id} (it may or may not have been committed). */
    record Failure(long nanos, long id, String error) {
    }

    String name();

    /** The table the client writes its ids into. */
    String table();

    /** Acknowledged commits, in order. */
    List<Ack> acks();

    /** Failed attempts, in order. */
    List<Failure> failures();

    /** Waits until a commit after {@code nanos} was acknowledged (true), or the timeout passed (false). */
    boolean awaitAckAfter(long nanos, Duration timeout) throws InterruptedException;

    /** The first acknowledged commit after {@code nanos}. */
    default Optional<Ack> firstAckAfter(long nanos) {
        return acks().stream().filter(a -> a.nanos() > nanos).findFirst();
    }

    /** The last acknowledged commit before {@code nanos}. */
    default Optional<Ack> lastAckBefore(long nanos) {
        Ack last = null;
        for (Ack a : acks()) {
            if (a.nanos() >= nanos) {
                break;
            }
            last = a;
        }
        return Optional.ofNullable(last);
    }

    /** The first failed attempt after {@code nanos}. */
    default Optional<Failure> firstFailureAfter(long nanos) {
        return failures().stream().filter(f -> f.nanos() > nanos).findFirst();
    }

    /** Failed attempts in [from, until). */
    default long failuresBetween(long from, long until) {
        return failures().stream().filter(f -> f.nanos() >= from && f.nanos() < until).count();
    }

    /** Acknowledged ids that {@code primary}'s table does not hold: acknowledged writes the cluster lost. */
    default List<Long> lostOn(ClusterNode primary) {
        Set<Long> present = new HashSet<>();
        for (String id : primary.sql("SELECT id FROM " + table())) {
            present.add(Long.parseLong(id));
        }
        return acks().stream().map(Ack::id).filter(id -> !present.contains(id)).sorted().toList();
    }
}
