package io.haagent.pg;

/**
 * Whether this node's data can follow a new primary as it is (§4.7). Decided by {@link DivergenceRule} from
 * timelines and WAL positions; {@link RewindImpossible} adds what the data directory and configuration allow.
 */
public sealed interface Divergence {
    /** One sentence with the timelines and positions the answer rests on. */
    String reason();

    /** The local WAL is a prefix of the primary's history: start (or keep) following. */
    record NotDiverged(String reason) implements Divergence {
    }

    /** The local WAL went past the point where the primary's timeline branched off: pg_rewind it first. */
    record RewindNeeded(String reason) implements Divergence {
    }

    /**
     * Diverged, and pg_rewind cannot be used ({@code why}).
     *
     * @param removeDataDirectoryAllowed {@code remove_data_directory_on_diverged_timelines} is set: the data
     *                                   directory may be wiped and the replica re-cloned
     */
    record RewindImpossible(String reason, String why, boolean removeDataDirectoryAllowed) implements Divergence {
    }

    /** Could not tell (primary unreachable or in recovery, local state unclear); check again later. */
    record Undetermined(String reason) implements Divergence {
    }
}
