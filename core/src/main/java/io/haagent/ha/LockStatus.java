package io.haagent.ha;

/**
 * The leader lock as the loop found it this cycle. The loop renews the lock before deciding whenever the
 * cluster view names us as leader, so the decider knows the outcome of the renewal without doing I/O.
 */
public enum LockStatus {
    /** We hold the lock: the leader key names us and the renewal this cycle succeeded. */
    HELD,
    /** The leader key named us but the renewal did not succeed: somebody else holds it now, or it is gone. */
    LOST,
    /** The leader key does not name us. */
    NOT_HELD;

    public boolean held() {
        return this == HELD;
    }
}
