package io.haagent.pg;

import java.time.Duration;
import java.util.List;

/**
 * A successful replica creation: the method that worked ({@code basebackup} or a custom method's name), and
 * the reports of every attempt made, failed ones first.
 */
public record CloneReport(String method, Upstream source, Duration duration, List<ToolReport> attempts) {
    public CloneReport {
        attempts = List.copyOf(attempts);
    }
}
