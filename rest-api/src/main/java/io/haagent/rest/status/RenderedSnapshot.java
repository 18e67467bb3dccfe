package io.haagent.rest.status;

import io.haagent.api.NodeSnapshot;
import io.haagent.cluster.ClusterView;
import java.nio.charset.StandardCharsets;

/**
 * The documents of one published snapshot, serialised once and reused by every request until the agent publishes
 * the next snapshot. Each document exists in two variants, with a fresh cluster view and with a stale one (the only
 * input that changes with time between two snapshots). Computing a variant twice under a race is harmless: the
 * result is the same immutable bytes.
 */
public final class RenderedSnapshot {
    private final NodeSnapshot snapshot;
    private volatile byte[] statusFresh;
    private volatile byte[] statusStale;
    private volatile byte[] metricsFresh;
    private volatile byte[] metricsStale;

    public RenderedSnapshot(NodeSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    public NodeSnapshot snapshot() {
        return snapshot;
    }

    /** The status document (§2.4) as JSON bytes. */
    public byte[] status(ClusterView fresh) {
        if (fresh != null) {
            byte[] b = statusFresh;
            if (b == null) {
                statusFresh = b = StatusDocument.render(snapshot, fresh);
            }
            return b;
        }
        byte[] b = statusStale;
        if (b == null) {
            statusStale = b = StatusDocument.render(snapshot, null);
        }
        return b;
    }

    /** {@code /metrics} as UTF-8 bytes. */
    public byte[] metrics(ClusterView fresh) {
        if (fresh != null) {
            byte[] b = metricsFresh;
            if (b == null) {
                metricsFresh = b = MetricsText.render(snapshot, fresh).getBytes(StandardCharsets.UTF_8);
            }
            return b;
        }
        byte[] b = metricsStale;
        if (b == null) {
            metricsStale = b = MetricsText.render(snapshot, null).getBytes(StandardCharsets.UTF_8);
        }
        return b;
    }
}
