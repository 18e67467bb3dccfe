package io.haagent.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One fault of a schedule: what, on which nodes, from when, for how long (instantaneous ones have no duration).
 *
 * @param a the node it strikes (or the first end of a link), null for cluster-wide faults
 * @param b the other end of a link, the candidate of an operator switchover or failover (null: any), the tool of a
 *     {@link Kind#TOOL_FAIL}, or the step of a {@link Kind#CLOCK_JUMP} in seconds ({@code "-3600"})
 * @param oneWay a link cut one way only: {@code a} cannot reach {@code b}
 */
public record Fault(Kind kind, long atNanos, long forNanos, String a, String b, boolean oneWay) {

    /** The faults the simulator injects. */
    public enum Kind {
        /** The agent process dies; systemd starts it again after the duration; postgres keeps running. */
        AGENT_CRASH,
        /** kill -9 of the postmaster. */
        POSTMASTER_CRASH,
        /** The whole agent stops (SIGSTOP, a long GC pause) and resumes after the duration; postgres runs on. */
        AGENT_FREEZE,
        /** Nobody reaches the DCS. */
        DCS_DOWN,
        /** One agent's link to the DCS is cut. */
        DCS_CUT,
        /** The REST link between two agents ({@code GET /patroni}, {@code POST /failsafe}). */
        PEER_CUT,
        /** PostgreSQL connections between two nodes: streaming replication, pg_basebackup, pg_rewind. */
        STREAM_CUT,
        /** Replication to one replica stalls (a slow disk, a saturated link): it receives no WAL. */
        STALL,
        /** The operator asks for a switchover (to {@code b}, or any). */
        SWITCHOVER,
        /** The operator asks for a failover to {@code b}. */
        FAILOVER,
        /** The operator pauses the cluster and resumes it after the duration. */
        PAUSE,
        /**
         * A slow or lossy link (both ways, or {@code a} to {@code b} only): each REST request on it times out with
         * probability 1/2, drawn per request; a replica streaming over it receives nothing in a round with probability
         * 1/2 but stays connected (TCP retransmits); nothing is cut.
         */
        LOSSY_LINK,
        /** Every run of one tool on {@code a} fails ({@code b}: start, promote, basebackup, rewind) for the duration. */
        TOOL_FAIL,
        /**
         * The long actions on {@code a} (basebackup, rewind, promote, start, stop) take 10 to 70 s more each, past the
         * TTL, but end when the fault heals at the latest (a slow disk or host that recovers).
         */
        TOOL_SLOW,
        /**
         * The wall clock of {@code a} steps by {@code b} seconds (NTP, a VM restored, an operator's date -s) and steps
         * back at the end; the monotonic clock never jumps.
         */
        CLOCK_JUMP,
        /** The operator restarts postgres on {@code a} ({@code POST /restart}, patronictl restart). */
        RESTART,
        /** The operator reinitializes {@code a} ({@code POST /reinitialize}, patronictl reinit). */
        REINIT,
        /**
         * The operator edits the dynamic configuration ({@code patronictl edit-config}): {@code b} is
         * {@code key=value} (loop_wait, maximum_lag_on_failover), set back to the cluster's own value at the end.
         */
        CONFIG_EDIT;

        /** The faults of the first simulator: CI's schedules are drawn from these unless {@code --faults all}. */
        static final List<Kind> CLASSIC = List.of(AGENT_CRASH, POSTMASTER_CRASH, AGENT_FREEZE, DCS_DOWN, DCS_CUT,
                PEER_CUT, STREAM_CUT, STALL, SWITCHOVER, FAILOVER, PAUSE);

        boolean instantaneous() {
            return this == POSTMASTER_CRASH || this == SWITCHOVER || this == FAILOVER || this == RESTART
                    || this == REINIT;
        }
    }

    private static final String[] TOOLS = {"start", "promote", "basebackup", "rewind"};
    /** Edits Patroni accepts with ttl 30 and retry_timeout 10 (loop_wait + 2 x retry_timeout <= ttl). */
    private static final String[] EDITS = {"loop_wait=2", "loop_wait=5", "maximum_lag_on_failover=16384",
        "maximum_lag_on_failover=65536", "maximum_lag_on_failover=1048576"};
    private static final long[] JUMPS = {-86_400, -3_600, -600, -30, 30, 600, 3_600, 86_400};

    public long endNanos() {
        return atNanos + forNanos;
    }

    @Override
    public String toString() {
        String who = switch (kind) {
            case TOOL_FAIL -> " " + a + " " + b;
            case CLOCK_JUMP -> " " + a + " by " + b + " s";
            case CONFIG_EDIT -> " " + b;
            default -> a == null ? "" : " " + a + (b == null ? "" : (oneWay ? "->" : "<->") + b);
        };
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + who
                + (kind.instantaneous() ? "" : " for " + Trace.seconds(forNanos) + " s");
    }

    static final long S = 1_000_000_000L;

    /** A random schedule: 1 to 8 faults of these kinds starting between {@code from} and {@code from + window}. */
    static List<Fault> schedule(Random r, List<String> names, long from, long window, List<Kind> kinds) {
        int n = 1 + r.nextInt(8);
        List<Fault> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Kind k = kinds.get(r.nextInt(kinds.size()));
            long at = from + (long) (r.nextDouble() * window);
            String a = names.get(r.nextInt(names.size()));
            String b = names.get(r.nextInt(names.size()));
            while (b.equals(a) && names.size() > 1) {
                b = names.get(r.nextInt(names.size()));
            }
            long dur = switch (k) {
                case AGENT_FREEZE -> S * (3 + r.nextInt(70));
                case POSTMASTER_CRASH, SWITCHOVER, FAILOVER, RESTART, REINIT -> 0;
                default -> S * (1 + r.nextInt(60));
            };
            out.add(switch (k) {
                case DCS_DOWN, PAUSE -> new Fault(k, at, dur, null, null, false);
                case CONFIG_EDIT -> new Fault(k, at, dur, null, EDITS[r.nextInt(EDITS.length)], false);
                case AGENT_CRASH, POSTMASTER_CRASH, AGENT_FREEZE, DCS_CUT, STALL, TOOL_SLOW, RESTART, REINIT ->
                        new Fault(k, at, dur, a, null, false);
                case PEER_CUT, STREAM_CUT, LOSSY_LINK -> new Fault(k, at, dur, a, b, r.nextBoolean());
                case TOOL_FAIL -> new Fault(k, at, dur, a, TOOLS[r.nextInt(TOOLS.length)], false);
                case CLOCK_JUMP -> new Fault(k, at, dur, a, Long.toString(JUMPS[r.nextInt(JUMPS.length)]), false);
                case SWITCHOVER -> new Fault(k, at, dur, null, r.nextBoolean() ? b : null, false);
                case FAILOVER -> new Fault(k, at, dur, null, b, false);
            });
        }
        out.sort(java.util.Comparator.comparingLong(Fault::atNanos));
        return out;
    }
}
