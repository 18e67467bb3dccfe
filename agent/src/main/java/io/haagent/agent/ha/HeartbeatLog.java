package io.haagent.agent.ha;

/**
 * Patroni 4.1's {@code log.deduplicate_heartbeat_logs}: with it, a cycle's "no action." line that repeats the one
 * before is not written again; any other line (a decision that acts, or a note of the election) is, and the next
 * heartbeat after it is written once more. Without it every cycle writes its line, as before.
 */
final class HeartbeatLog {
    private final boolean deduplicate;
    private String last;

    HeartbeatLog(boolean deduplicate) {
        this.deduplicate = deduplicate;
    }

    /** Whether to write this cycle's summary; {@code withNotes}: the cycle also wrote notes. */
    boolean shouldLog(String summary, boolean withNotes) {
        boolean heartbeat = summary.startsWith("no action.") || summary.startsWith("PAUSE: no action.");
        boolean repeat = heartbeat && !withNotes && summary.equals(last);
        last = heartbeat && !withNotes ? summary : null;
        return !(deduplicate && repeat);
    }
}
