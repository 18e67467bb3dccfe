package io.haagent.api;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Where the agent publishes the node's current {@link NodeSnapshot} and where the REST API reads it. Publishing
 * swaps one immutable object, so a health check never waits for the HA loop or etcd. A request that wants the
 * postgres part fresh asks {@link #fresh()}: the agent then reads postgres when its last reading is older than its
 * bound (waiting a bounded time for it), instead of reading it on a timer whether anybody asks or not.
 */
public final class StatusBoard {
    private final AtomicReference<NodeSnapshot> current;
    private volatile Freshener freshener;

    /** Makes the postgres reading recent before a request is answered (the agent's {@code StatusRefresher}). */
    @FunctionalInterface
    public interface Freshener {
        /**
         * @param forPeer the request is a peer's {@code GET /patroni}, which compares the WAL positions in it with
         *                its own in an election or a switchover: it wants a reading taken for it, not the bounded
         *                age a health check accepts
         */
        void ensureFresh(boolean forPeer);
    }

    public StatusBoard(NodeSnapshot initial) {
        current = new AtomicReference<>(Objects.requireNonNull(initial, "initial snapshot"));
    }

    public NodeSnapshot current() {
        return current.get();
    }

    /**
     * The current snapshot, after the agent made sure its postgres reading is recent (see {@link #freshener}); the
     * same as {@link #current()} when no agent registered one.
     */
    public NodeSnapshot fresh() {
        return fresh(false);
    }

    /** The same, for a peer's {@code GET /patroni} when {@code forPeer} (see {@link Freshener#ensureFresh}). */
    public NodeSnapshot fresh(boolean forPeer) {
        Freshener f = freshener;
        if (f != null) {
            f.ensureFresh(forPeer);
        }
        return current.get();
    }

    /**
     * What {@link #fresh()} runs first: returns at once when the postgres reading is recent enough, else reads
     * postgres and publishes, giving up after a bounded wait (a request never hangs on a stuck postgres).
     */
    public void freshener(Freshener f) {
        freshener = f;
    }

    /** Publish the snapshot of a finished HA cycle. */
    public void publish(NodeSnapshot snapshot) {
        current.set(Objects.requireNonNull(snapshot, "snapshot"));
    }

    /** Change part of the current snapshot on an event between cycles (e.g. a lock renewal, a scheduled restart). */
    public NodeSnapshot update(UnaryOperator<NodeSnapshot> change) {
        return current.updateAndGet(s -> Objects.requireNonNull(change.apply(s), "updated snapshot"));
    }
}
