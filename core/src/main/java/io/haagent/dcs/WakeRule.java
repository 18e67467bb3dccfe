package io.haagent.dcs;

/**
 * Which changes wake a member's HA loop out of {@link Dcs#awaitChange} (reference §1.6), decided from the
 * relative key and whether its value changed. Safety comes from the lease; speed comes from not waiting for
 * the next tick (DESIGN §4 rule 4): the leader key's deletion or expiry must reach every waiter at once.
 *
 * <ul>
 *   <li>{@code leader}: any change of value, including creation and deletion (lease expiry): everybody.</li>
 *   <li>{@code config}: a changed value while the key existed before and still exists: everybody.</li>
 *   <li>{@code status} and {@code optime/leader}: a new value (not a deletion): only members that do not hold
 *       the leader key, which compare their WAL position against it.</li>
 *   <li>{@code members/<name>} appearing or disappearing: the leader, which keeps a replication slot per member
 *       (a new replica streams as soon as its clone is done, instead of after the leader's next tick). Updates
 *       of an existing member key wake nobody: members write theirs every cycle.</li>
 *   <li>{@code failover}, {@code sync}, {@code history}, ...: nobody (the REST handlers that
 *       write {@code failover} or {@code config} wake their own loop with {@link Dcs#wakeUp()}).</li>
 * </ul>
 */
public final class WakeRule {
    private WakeRule() {
    }

    /**
     * @param relative     the key relative to the cluster prefix
     * @param oldValue     the value before the change, null when the key did not exist
     * @param newValue     the value after the change, null when the key was deleted
     * @param iHoldLeader  this member's name is the current value of {@code leader}
     */
    public static boolean wakes(String relative, Object oldValue, Object newValue, boolean iHoldLeader) {
        boolean changed = oldValue == null ? newValue != null : !oldValue.equals(newValue);
        if (!changed || relative == null) {
            return false;
        }
        switch (relative) {
            case DcsKeys.LEADER:
                return true;
            case DcsKeys.CONFIG:
                return oldValue != null && newValue != null;
            case DcsKeys.STATUS:
            case DcsKeys.LEADER_OPTIME:
                return newValue != null && !iHoldLeader;
            default:
                return iHoldLeader && (oldValue == null || newValue == null) && DcsKeys.memberName(relative) != null;
        }
    }
}
