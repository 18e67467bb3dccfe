package io.haagent.sim;

import io.haagent.pg.FakePostgres;
import java.util.List;
import java.util.Map;

/** Hand-made steps for the invariants' tests: histories that break (or keep) them. */
final class Views {
    static final long S = 1_000_000_000L;

    private Views() {
    }

    static NodeView primary(String name, long tl, long lsn, FakePostgres.Switch... history) {
        return new NodeView(name, NodeView.Agent.UP, false, true, false, tl, lsn, List.of(history), null, false);
    }

    static NodeView frozenPrimary(String name, long tl, long lsn, boolean watchdog) {
        return new NodeView(name, NodeView.Agent.FROZEN, watchdog, true, false, tl, lsn, List.of(), null, false);
    }

    static NodeView replica(String name, String upstream, long tl, long lsn, boolean streaming) {
        return new NodeView(name, NodeView.Agent.UP, false, false, true, tl, lsn, List.of(), upstream, streaming);
    }

    static NodeView stopped(String name) {
        return new NodeView(name, NodeView.Agent.UP, false, false, false, 1, 0, List.of(), null, false);
    }

    static StepView step(long seconds, List<NodeView> nodes) {
        return step(seconds, nodes, "off", Map.of(), Map.of(), Map.of());
    }

    static StepView step(long seconds, List<NodeView> nodes, String syncMode, Map<Long, Long> protectedAcked,
            Map<Long, Long> published, Map<Long, Long> acked) {
        return new StepView(seconds * S, nodes, null, syncMode, false, 65536, protectedAcked, published, acked, -1,
                50 * S, List.of());
    }
}
