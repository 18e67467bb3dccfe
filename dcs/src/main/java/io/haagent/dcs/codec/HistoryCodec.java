package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.haagent.cluster.TimelineHistory;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code history} = JSON array of {@code [parent_timeline, switch_lsn, "reason", "timestamp", "new leader"]}
 * (the last two optional). {@code []} means timeline 1. A value that is not such an array, or whose lines
 * cannot be read, is treated like a missing key (cluster timeline unknown, 0), as Patroni does.
 */
public final class HistoryCodec {
    private HistoryCodec() {
    }

    public static String encode(TimelineHistory history) {
        List<Object> lines = new ArrayList<>();
        for (TimelineHistory.Line l : history.lines()) {
            List<Object> line = new ArrayList<>();
            line.add(l.parentTimeline());
            line.add(l.switchLsn());
            line.add(l.reason() == null ? "" : l.reason());
            if (l.timestamp() != null || l.newLeader() != null) {
                line.add(l.timestamp());
                if (l.newLeader() != null) {
                    line.add(l.newLeader());
                }
            }
            lines.add(line);
        }
        return PythonJson.dumps(lines);
    }

    public static TimelineHistory decode(String value, long modRevision, String fullKey, GarbageLog garbage) {
        Object parsed;
        try {
            parsed = PythonJson.parse(value);
        } catch (JsonProcessingException e) {
            garbage.report(fullKey, modRevision, value, "not JSON (" + e.getOriginalMessage() + ")");
            return new TimelineHistory(List.of(), true, modRevision);
        }
        if (!(parsed instanceof List<?> raw)) {
            garbage.report(fullKey, modRevision, value, "not a JSON array");
            return new TimelineHistory(List.of(), true, modRevision);
        }
        List<TimelineHistory.Line> lines = new ArrayList<>();
        for (Object o : raw) {
            TimelineHistory.Line line = line(o);
            if (line == null) {
                garbage.report(fullKey, modRevision, value,
                        "line " + (lines.size() + 1) + " is not [timeline, lsn, reason, ...]");
                return new TimelineHistory(List.of(), true, modRevision);
            }
            lines.add(line);
        }
        return new TimelineHistory(lines, false, modRevision);
    }

    private static TimelineHistory.Line line(Object o) {
        if (!(o instanceof List<?> l) || l.size() < 2) {
            return null;
        }
        Long timeline = JsonValues.toLong(l.get(0));
        Long lsn = JsonValues.toLong(l.get(1));
        if (timeline == null || lsn == null) {
            return null;
        }
        String reason = l.size() > 2 ? JsonValues.str(l.get(2)) : null;
        String timestamp = l.size() > 3 ? JsonValues.str(l.get(3)) : null;
        String newLeader = l.size() > 4 ? JsonValues.str(l.get(4)) : null;
        return new TimelineHistory.Line(timeline, lsn, reason, timestamp, newLeader);
    }
}
