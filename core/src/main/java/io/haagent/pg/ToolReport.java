package io.haagent.pg;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What happened when one PostgreSQL tool (or hook script) ran: the command (never holding a password: those
 * travel in a pgpass file or the environment), how it ended, how long it took and its last lines of output.
 * Every error about a tool carries one, so an operator sees the tool's own words.
 *
 * @param tool      the tag used in the log, e.g. {@code pg_basebackup}
 * @param command   the argument list as run
 * @param exitCode  the exit status, or {@code null} when the tool did not exit by itself (killed on timeout)
 * @param timedOut  the tool was killed (with its children) because it outlived its timeout
 * @param lastLines the last lines of its stdout and stderr, interleaved as they arrived
 */
public record ToolReport(String tool, List<String> command, Integer exitCode, boolean timedOut, Duration duration,
        List<String> lastLines) {

    public ToolReport {
        command = command == null ? List.of() : List.copyOf(command);
        lastLines = lastLines == null ? List.of() : List.copyOf(lastLines);
    }

    public boolean succeeded() {
        return !timedOut && exitCode != null && exitCode == 0;
    }

    /** True when any output line matches (case-insensitive) the given fragment. */
    public boolean outputContains(String fragment) {
        String f = fragment.toLowerCase(Locale.ROOT);
        return lastLines.stream().anyMatch(l -> l.toLowerCase(Locale.ROOT).contains(f));
    }

    /** One paragraph for error messages: how it ended, after how long, and its last lines. */
    public String summary() {
        StringBuilder sb = new StringBuilder(tool);
        if (timedOut) {
            sb.append(" was killed after its timeout of ");
        } else {
            sb.append(" exited with status ").append(exitCode).append(" after ");
        }
        sb.append(String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0));
        if (lastLines.isEmpty()) {
            sb.append(" (no output)");
        } else {
            sb.append("; last output:");
            for (String l : lastLines) {
                sb.append("\n    ").append(l);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
