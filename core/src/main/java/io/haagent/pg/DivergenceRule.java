package io.haagent.pg;

import io.haagent.cluster.Lsn;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The pure divergence decision (§4.7): given where the local WAL ends and the primary's timeline history,
 * has this node written WAL the primary does not have?
 *
 * <p>Safety: following a primary with diverged local WAL would silently keep the old primary's extra
 * transactions in a replica that claims to mirror the new primary (and may be promoted later). So anything
 * that cannot be proven a prefix of the primary's history counts as diverged.
 */
public final class DivergenceRule {
    private DivergenceRule() {
    }

    /**
     * @param local           the local timeline and position (replay LSN for a replica, shutdown checkpoint for a
     *                        former primary)
     * @param primaryTimeline the primary's current timeline ({@code IDENTIFY_SYSTEM})
     * @param primaryHistory  the primary's history ({@code TIMELINE_HISTORY primaryTimeline}); ignored when the
     *                        timelines are equal
     * @param checkpointEnd   for a former primary: where its shutdown checkpoint record ends (read from WAL with
     *                        pg_waldump); asked only when needed; empty when it cannot be read
     */
    public static Divergence decide(ControlData.LocalPosition local, long primaryTimeline,
            List<PgTimelineHistory.Entry> primaryHistory, Supplier<Optional<Lsn>> checkpointEnd) {
        long tl = local.timeline();
        String where = "local timeline " + tl + " at " + local.lsn() + (local.inRecovery() ? " (replayed)"
                : " (shutdown checkpoint)") + ", primary timeline " + primaryTimeline;
        if (tl > primaryTimeline) {
            return new Divergence.RewindNeeded(where + ": the local timeline is ahead of the primary's");
        }
        if (tl == primaryTimeline) {
            return new Divergence.NotDiverged(where + ": same timeline");
        }
        for (PgTimelineHistory.Entry e : primaryHistory) {
            if (e.parentTimeline() == tl) {
                Lsn sp = e.switchpoint();
                String at = where + ", which branched from timeline " + tl + " at " + sp;
                if (local.inRecovery()) {
                    return local.lsn().isAfter(sp)
                            ? new Divergence.RewindNeeded(at + ": replayed past the branch point")
                            : new Divergence.NotDiverged(at + ": replayed only up to the branch point");
                }
                if (local.lsn().compareTo(sp) >= 0) {
                    return new Divergence.RewindNeeded(at + ": the shutdown checkpoint is at or after the branch"
                            + " point");
                }
                // A cleanly stopped primary whose shutdown checkpoint was the last record the new primary
                // received: the branch point is exactly the end of that record. Anything else is divergence.
                Optional<Lsn> end = checkpointEnd.get();
                if (end.isPresent() && end.get().equals(sp)) {
                    return new Divergence.NotDiverged(at + ": the branch point is the end of the shutdown"
                            + " checkpoint record");
                }
                return new Divergence.RewindNeeded(at + ": the shutdown checkpoint record ends at "
                        + end.map(Lsn::toString).orElse("an unknown position") + ", not at the branch point");
            }
            if (e.parentTimeline() > tl) {
                return new Divergence.RewindNeeded(where + ": timeline " + tl + " is not in the primary's history");
            }
        }
        return new Divergence.RewindNeeded(where + ": timeline " + tl + " is not in the primary's history");
    }
}
