package io.haagent.slots;

import io.haagent.cluster.Lsn;

/** One step of a {@link SlotPlan}. Each is applied and reported on its own. */
public sealed interface SlotAction {
    String slotName();

    /** One sentence: why this step is in the plan. */
    String reason();

    /** {@code pg_create_physical_replication_slot(name, true)}: reserve WAL immediately. */
    record CreatePhysical(String slotName, String reason) implements SlotAction {
    }

    /** {@code pg_create_logical_replication_slot(name, plugin)} in {@code database} (primary only). */
    record CreateLogical(String slotName, String database, String plugin, String reason) implements SlotAction {
    }

    /** {@code pg_drop_replication_slot(name)}, only while the slot is inactive. */
    record Drop(String slotName, String reason) implements SlotAction {
    }

    /**
     * A permanent logical slot this replica lacks, whose position the primary publishes: copied from the primary's
     * {@code pg_replslot/<name>/state} while postgres is stopped (§4.8.1, Patroni's {@code copy_logical_slots}), so
     * that a logical consumer can go on from this node after a failover. Applied by a long action of its own, not
     * by the slot applier.
     */
    record CopyLogical(String slotName, String database, String plugin, String reason) implements SlotAction {
    }

    /** {@code pg_replication_slot_advance(name, lsn)} on a replica, to the position the primary published. */
    record Advance(String slotName, Lsn lsn, String reason) implements SlotAction {
    }

    /** Nothing to do: the slot is as it should be, or deliberately left alone (ignored, paused, not copied). */
    record Keep(String slotName, String reason) implements SlotAction {
    }
}
