package io.haagent.pg;

import io.haagent.cluster.Lsn;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The output of {@code pg_controldata} (run with {@code LANG=C LC_ALL=C}), as {@code key: value} pairs in file
 * order, with typed accessors for what the agent decides on. Keys are PostgreSQL's labels; a
 * {@code Current } prefix (older versions) is stripped as Patroni does.
 */
public record ControlData(Map<String, String> values) {
    // The labels as pg_controldata prints them, for code that compares clusterState()'s text; decisions use
    // state() (the decider sees only State).
    public static final String STATE_STARTING_UP = "starting up";
    public static final String STATE_SHUT_DOWN = "shut down";
    public static final String STATE_SHUT_DOWN_IN_RECOVERY = "shut down in recovery";
    public static final String STATE_SHUTTING_DOWN = "shutting down";
    public static final String STATE_IN_CRASH_RECOVERY = "in crash recovery";
    public static final String STATE_IN_ARCHIVE_RECOVERY = "in archive recovery";
    public static final String STATE_IN_PRODUCTION = "in production";

    /** {@code Database cluster state}: PostgreSQL's {@code DBState}, as pg_controldata prints it. */
    public enum State {
        STARTING_UP(STATE_STARTING_UP),
        SHUT_DOWN(STATE_SHUT_DOWN),
        SHUT_DOWN_IN_RECOVERY(STATE_SHUT_DOWN_IN_RECOVERY),
        SHUTTING_DOWN(STATE_SHUTTING_DOWN),
        IN_CRASH_RECOVERY(STATE_IN_CRASH_RECOVERY),
        IN_ARCHIVE_RECOVERY(STATE_IN_ARCHIVE_RECOVERY),
        IN_PRODUCTION(STATE_IN_PRODUCTION);

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** As pg_controldata prints it. */
        public String label() {
            return label;
        }

        /** The state pg_controldata printed, or null for a label this version does not know. */
        public static State of(String label) {
            for (State s : values()) {
                if (s.label.equals(label)) {
                    return s;
                }
            }
            return null;
        }
    }

    public ControlData {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Parses {@code pg_controldata} output. Lines without a colon are ignored; the value is everything after the
     * first colon, trimmed (values such as times contain colons themselves).
     */
    public static ControlData parse(String output) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            if (key.startsWith("Current ")) {
                key = key.substring("Current ".length());
            }
            m.put(key, line.substring(colon + 1).trim());
        }
        return new ControlData(m);
    }

    public String get(String key) {
        return values.get(key);
    }

    /** {@code Database system identifier}, the cluster's identity (published as {@code initialize}). */
    public String systemIdentifier() {
        return values.get("Database system identifier");
    }

    /** {@code Database cluster state} as printed, e.g. {@code shut down}, {@code in production} (for messages). */
    public String clusterState() {
        return values.get("Database cluster state");
    }

    /** {@code Database cluster state}; null when absent or unknown. */
    public State state() {
        return State.of(clusterState());
    }

    /** The last shutdown was clean: nothing to replay before pg_rewind or a start as a replica. */
    public boolean cleanlyShutDown() {
        State s = state();
        return s == State.SHUT_DOWN || s == State.SHUT_DOWN_IN_RECOVERY;
    }

    public Optional<Lsn> checkpointLocation() {
        return lsn("Latest checkpoint location");
    }

    public Optional<Lsn> redoLocation() {
        return lsn("Latest checkpoint's REDO location");
    }

    public Optional<Long> checkpointTimeline() {
        return number("Latest checkpoint's TimeLineID");
    }

    public Optional<Lsn> minRecoveryEndingLocation() {
        return lsn("Minimum recovery ending location");
    }

    public Optional<Long> minRecoveryEndingTimeline() {
        return number("Min recovery ending loc's timeline");
    }

    public boolean walLogHints() {
        return "on".equals(values.get("wal_log_hints setting"));
    }

    public boolean dataChecksums() {
        String v = values.get("Data page checksum version");
        return v != null && !v.equals("0");
    }

    /** pg_rewind needs hint bits WAL-logged: {@code wal_log_hints=on} or data checksums (§4.7). */
    public boolean rewindPossible() {
        return walLogHints() || dataChecksums();
    }

    /** {@code <name> setting}, e.g. {@code max_connections}: the value the cluster last ran with. */
    public Optional<Long> setting(String name) {
        return number(name + " setting");
    }

    public Optional<Long> number(String key) {
        String v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Optional<Lsn> lsn(String key) {
        String v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Lsn.parse(v));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Where the local WAL ends and on which timeline, read while postgres is stopped (§4.7), as Patroni does:
     * a replica shut down in recovery reports its minimum recovery point; a cleanly shut down primary its
     * shutdown checkpoint. Empty when the state does not tell (e.g. a crash: run crash recovery first).
     */
    public Optional<LocalPosition> localPosition() {
        State state = state();
        if (state == State.SHUT_DOWN_IN_RECOVERY || state == State.IN_ARCHIVE_RECOVERY) {
            Optional<Lsn> lsn = minRecoveryEndingLocation();
            Optional<Long> tl = minRecoveryEndingTimeline();
            if (lsn.isPresent() && tl.isPresent() && lsn.get().value() != 0 && tl.get() != 0) {
                return Optional.of(new LocalPosition(true, tl.get(), lsn.get()));
            }
            state = State.SHUT_DOWN; // no recovery point: it was a primary when it went down
        }
        if (state == State.SHUT_DOWN) {
            Optional<Lsn> lsn = checkpointLocation();
            Optional<Long> tl = checkpointTimeline();
            if (lsn.isPresent() && tl.isPresent()) {
                return Optional.of(new LocalPosition(false, tl.get(), lsn.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * Where this node's WAL ends.
     *
     * @param inRecovery the node was (or is) a replica: {@code lsn} is its replay position; otherwise it is the
     *                   shutdown checkpoint of a former primary
     */
    public record LocalPosition(boolean inRecovery, long timeline, Lsn lsn) {
    }
}
