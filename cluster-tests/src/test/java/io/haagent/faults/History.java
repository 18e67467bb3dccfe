package io.haagent.faults;

import java.util.List;
import java.util.Map;

/**
 * What one scenario recorded, the input of the {@link Checkers}: every write attempt, every sampler round, the
 * fault's window, and which agents died and why. Times are milliseconds since the scenario began.
 */
public record History(String scenario, Window fault, List<Attempt> attempts, List<Sample> samples,
        List<Death> deaths, Expectations expect) {

    /** When the fault was inflicted and when it ended (healed, resumed, restarted); -1 while it lasts. */
    public record Window(long startMillis, long endMillis) {
    }

    public enum Outcome { ACKNOWLEDGED, FAILED, UNKNOWN }

    /**
     * One write: row {@code id} by {@code client} ("direct" or "haproxy"), sent at {@code start}, answered at
     * {@code end}. An acknowledged one carries the node that committed it, that node's timeline and the commit's
     * WAL position (from the insert's RETURNING clause).
     */
    public record Attempt(String client, long id, long startMillis, long endMillis, Outcome outcome, String node,
            long timeline, long lsn, String error) {
        public static Attempt acked(String client, long id, long start, long end, String node, long timeline,
                long lsn) {
            return new Attempt(client, id, start, end, Outcome.ACKNOWLEDGED, node, timeline, lsn, null);
        }

        public static Attempt failed(String client, long id, long start, long end, Outcome outcome, String error) {
            return new Attempt(client, id, start, end, outcome, null, 0, 0, error);
        }
    }

    /**
     * One sampler round over every node, from {@code start} to {@code end}: per node, whether postgres accepted
     * writes (not in recovery; absent when it did not answer), its timeline, and what {@code GET /primary} said.
     */
    public record Sample(long startMillis, long endMillis, Map<String, NodeSample> nodes) {
    }

    public record NodeSample(Boolean writable, long timeline, int primaryStatus) {
    }

    /** An agent that exited: when, with which code, and whether the fault killed it. */
    public record Death(String node, long atMillis, String how, boolean byFault) {
    }

    /**
     * What the scenario promises: whether two writable nodes are expected (the unfenced frozen agent, measured and
     * reported on its own line), whether acknowledged rows must all survive (synchronous_mode_strict, or a fault
     * that cannot lose any), the async loss bound, and the time within which the cluster must be whole again.
     */
    public record Expectations(boolean overlapExpected, boolean noLoss, long maximumLagBytes, long recoveryMillis) {
    }
}
