package io.haagent.api;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Where the agent publishes the node's current {@link NodeSnapshot} and where the REST API reads it. Publishing
 * swaps one immutable object, so a health check never waits for the HA loop, etcd or postgres.
 */
public final class StatusBoard {
    private final AtomicReference<NodeSnapshot> current;

    public StatusBoard(NodeSnapshot initial) {
        current = new AtomicReference<>(Objects.requireNonNull(initial, "initial snapshot"));
    }

    public NodeSnapshot current() {
        return current.get();
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
