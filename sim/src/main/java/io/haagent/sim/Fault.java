package io.haagent.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One fault of a schedule: what, on which nodes, from when, for how long (instantaneous ones have no duration).
 *
 * @param a the node it strikes (or the first end of a link), null for cluster-wide faults
 * @param b the other end of a link, or the candidate of an operator switchover or failover (null: any)
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
        PAUSE;

        boolean instantaneous() {
            return this == POSTMASTER_CRASH || this == SWITCHOVER || this == FAILOVER;
        }
    }

    public long endNanos() {
        return atNanos + forNanos;
    }

    @Override
    public String toString() {
        String who = a == null ? "" : " " + a + (b == null ? "" : (oneWay ? "->" : "<->") + b);
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + who
                + (kind.instantaneous() ? "" : " for " + Trace.seconds(forNanos) + " s");
    }

    static final long S = 1_000_000_000L;

    /** A random schedule: 1 to 8 faults starting between {@code from} and {@code from + window}. */
    static List<Fault> schedule(Random r, List<String> names, long from, long window) {
        int n = 1 + r.nextInt(8);
        List<Fault> out = new ArrayList<>();
        Kind[] kinds = Kind.values();
        for (int i = 0; i < n; i++) {
            Kind k = kinds[r.nextInt(kinds.length)];
            long at = from + (long) (r.nextDouble() * window);
            String a = names.get(r.nextInt(names.size()));
            String b = names.get(r.nextInt(names.size()));
            while (b.equals(a) && names.size() > 1) {
                b = names.get(r.nextInt(names.size()));
            }
            long dur = switch (k) {
                case AGENT_FREEZE -> S * (3 + r.nextInt(70));
                case POSTMASTER_CRASH, SWITCHOVER, FAILOVER -> 0;
                default -> S * (1 + r.nextInt(60));
            };
            out.add(switch (k) {
                case DCS_DOWN, PAUSE -> new Fault(k, at, dur, null, null, false);
                case AGENT_CRASH, POSTMASTER_CRASH, AGENT_FREEZE, DCS_CUT, STALL -> new Fault(k, at, dur, a, null, false);
                case PEER_CUT, STREAM_CUT -> new Fault(k, at, dur, a, b, r.nextBoolean());
                case SWITCHOVER -> new Fault(k, at, dur, null, r.nextBoolean() ? b : null, false);
                case FAILOVER -> new Fault(k, at, dur, null, b, false);
            });
        }
        out.sort(java.util.Comparator.comparingLong(Fault::atNanos));
        return out;
    }
}
