package io.haagent.api;

/** The role changes the agent counts and times (exported as metrics; Patroni has none of these). */
public enum RoleChangeKind {
    /** A replica took over after the leader key was lost or on a manual failover. */
    FAILOVER("failover"),
    /** A planned hand-over from a named leader (immediate or scheduled). */
    SWITCHOVER("switchover"),
    /** postgres died under us and was started again in the same role. */
    CRASH_RESTART("crash_restart");

    private final String label;

    RoleChangeKind(String label) {
        this.label = label;
    }

    /** The value of the {@code kind} label. */
    public String label() {
        return label;
    }
}
