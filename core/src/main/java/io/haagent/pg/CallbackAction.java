package io.haagent.pg;

/** The user callbacks of {@code postgresql.callbacks} (§4.10), named as Patroni passes them to the script. */
public enum CallbackAction {
    ON_START("on_start"),
    ON_STOP("on_stop"),
    ON_RESTART("on_restart"),
    ON_RELOAD("on_reload"),
    ON_ROLE_CHANGE("on_role_change");

    private final String wire;

    CallbackAction(String wire) {
        this.wire = wire;
    }

    /** The configuration key and the first argument given to the script. */
    public String wire() {
        return wire;
    }
}
