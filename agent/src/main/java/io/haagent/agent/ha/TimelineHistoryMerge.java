package io.haagent.agent.ha;

import io.haagent.cluster.TimelineHistory;
import io.haagent.pg.PgTimelineHistory;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@code history} key from the primary's timeline history file (§1.2): one line per switch; the
 * newest line gets the file's modification time and our name as the new leader; older lines keep the
 * timestamp and leader already stored in etcd for the same switch point.
 */
final class TimelineHistoryMerge {
    /** Python's {@code datetime.isoformat()} with microseconds and offset, e.g. 2026-03-01T12:00:00.123456+00:00. */
    static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private TimelineHistoryMerge() {
    }

    static List<TimelineHistory.Line> merge(List<PgTimelineHistory.Entry> file, List<TimelineHistory.Line> stored,
            Instant fileModified, String me, int maxLines) {
        Map<Long, TimelineHistory.Line> byTimeline = new HashMap<>();
        for (TimelineHistory.Line l : stored) {
            byTimeline.put(l.parentTimeline(), l);
        }
        List<PgTimelineHistory.Entry> entries = file;
        if (maxLines > 0 && entries.size() > maxLines) {
            entries = entries.subList(entries.size() - maxLines, entries.size());
        }
        List<TimelineHistory.Line> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            PgTimelineHistory.Entry e = entries.get(i);
            long lsn = e.switchpoint().value();
            String ts = null;
            String leader = null;
            if (i == entries.size() - 1) {
                ts = OffsetDateTime.ofInstant(fileModified.truncatedTo(ChronoUnit.MICROS), ZoneId.systemDefault())
                        .format(ISO);
                leader = me;
            } else {
                TimelineHistory.Line old = byTimeline.get(e.parentTimeline());
                if (old != null && old.switchLsn() == lsn) {
                    ts = old.timestamp();
                    leader = old.newLeader();
                }
            }
            out.add(new TimelineHistory.Line(e.parentTimeline(), lsn, e.reason(), ts, leader));
        }
        return out;
    }
}
