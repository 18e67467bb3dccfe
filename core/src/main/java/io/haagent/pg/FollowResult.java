package io.haagent.pg;

/** What {@link PostgresControl#follow} had to do to make a running replica follow the requested upstream. */
public enum FollowResult {
    /** The recovery settings were already as requested. */
    UNCHANGED,
    /** New settings written and applied by a reload ({@code primary_conninfo}/{@code primary_slot_name}, PG13+). */
    RELOADED,
    /** New settings written; they take effect only after a restart (e.g. a primary that must become a replica). */
    RESTART_REQUIRED
}
