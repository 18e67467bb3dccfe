package io.haagent.slots;

import io.haagent.cluster.Lsn;

/**
 * One row of {@code pg_replication_slots}, as the planner needs it.
 *
 * @param database         null for physical slots
 * @param plugin           null for physical slots
 * @param restartLsn       may be null (a physical slot that has not reserved WAL)
 * @param confirmedFlushLsn logical slots only
 */
public record ReplicationSlot(String name, String type, String database, String plugin, boolean temporary,
        boolean active, Lsn restartLsn, Lsn confirmedFlushLsn) {

    public static ReplicationSlot physical(String name, boolean active, Lsn restartLsn) {
        return new ReplicationSlot(name, "physical", null, null, false, active, restartLsn, null);
    }

    public static ReplicationSlot logical(String name, String database, String plugin, boolean active,
            Lsn confirmedFlushLsn) {
        return new ReplicationSlot(name, "logical", database, plugin, false, active, null, confirmedFlushLsn);
    }

    public boolean isLogical() {
        return "logical".equals(type);
    }

    /** How far the slot's consumer has confirmed: confirmed_flush for logical, restart_lsn for physical. */
    public Lsn position() {
        return isLogical() ? confirmedFlushLsn : restartLsn;
    }
}
