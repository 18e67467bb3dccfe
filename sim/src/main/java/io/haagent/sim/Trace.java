package io.haagent.sim;

import java.util.ArrayList;
import java.util.List;

/** The event trace of one run: one line per event, simulated seconds first; the same seed gives the same lines. */
public final class Trace {
    private final List<String> lines = new ArrayList<>();

    static String seconds(long nanos) {
        long ms = nanos / 1_000_000;
        return String.format(java.util.Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }

    void add(long nanos, String line) {
        lines.add(seconds(nanos) + " " + line);
    }

    public List<String> lines() {
        return lines;
    }

    /** The last {@code n} lines. */
    public List<String> tail(int n) {
        return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
