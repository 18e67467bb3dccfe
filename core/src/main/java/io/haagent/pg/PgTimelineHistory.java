package io.haagent.pg;

import io.haagent.cluster.Lsn;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL timeline history file ({@code pg_wal/0000000N.history}, also what {@code TIMELINE_HISTORY N}
 * returns): one line per ancestor timeline, {@code parentTLI<TAB>switchpoint<TAB>reason}. Comment and blank
 * lines are skipped, as the server skips them.
 */
public final class PgTimelineHistory {
    private PgTimelineHistory() {
    }

    /** A history file as it lies in {@code pg_wal}: its text, and when the promotion that began the timeline wrote it. */
    public record File(String content, java.time.Instant modified) {
    }

    /** One ancestor: {@code parentTimeline} ended at {@code switchpoint} when the next timeline began. */
    public record Entry(long parentTimeline, Lsn switchpoint, String reason) {
    }

    /** @throws IllegalArgumentException naming the line that is not {@code tli<TAB>lsn[<TAB>reason]} */
    public static List<Entry> parse(String content) {
        List<Entry> out = new ArrayList<>();
        String[] lines = content.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 3);
            if (parts.length < 2) {
                throw new IllegalArgumentException("timeline history line " + (i + 1) + " is not"
                        + " 'timeline<TAB>lsn<TAB>reason': '" + line + "'");
            }
            try {
                out.add(new Entry(Long.parseLong(parts[0]), Lsn.parse(parts[1]), parts.length > 2 ? parts[2] : ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("timeline history line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
