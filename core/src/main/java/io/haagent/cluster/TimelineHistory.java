package io.haagent.cluster;

import java.util.List;

/**
 * The {@code history} key: one line per timeline switch, {@code [parent_timeline, switch_lsn, reason,
 * timestamp?, new_leader?]}. {@code absent} (no key) means the cluster timeline is unknown.
 */
public record TimelineHistory(List<Line> lines, boolean absent, long modRevision) {
    public static final TimelineHistory ABSENT = new TimelineHistory(List.of(), true, 0);

    public TimelineHistory {
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    /** One switch: the timeline that ended at {@code switchLsn}. {@code timestamp} and {@code newLeader} may be null. */
    public record Line(long parentTimeline, long switchLsn, String reason, String timestamp, String newLeader) {
    }

    /** Cluster timeline derived as Patroni does: no key → 0, {@code []} → 1, else last parent + 1. */
    public long clusterTimeline() {
        if (absent) {
            return 0;
        }
        if (lines.isEmpty()) {
            return 1;
        }
        return lines.get(lines.size() - 1).parentTimeline() + 1;
    }
}
