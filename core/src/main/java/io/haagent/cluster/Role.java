package io.haagent.cluster;

import java.util.Locale;

/**
 * A node's role as written to etcd, served by the REST API and passed to callbacks.
 * Patroni 3.x writes {@code master} for a running primary; Patroni 4 writes {@code primary}. Both are read;
 * what this node writes for a primary is spelled by {@link RoleNames} (it follows the cluster), so {@link #wire()}
 * of {@link #PRIMARY} is only Patroni 4's name, for logs and records.
 */
public enum Role {
    PRIMARY("primary"),
    REPLICA("replica"),
    STANDBY_LEADER("standby_leader"),
    /** Transient, between {@code pg_ctl promote} and the end of recovery; reported as the primary to callbacks. */
    PROMOTED("promoted"),
    DEMOTED("demoted"),
    UNINITIALIZED("uninitialized");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    /** The role's name in Patroni 4's spelling; writers of etcd, the API and callbacks use {@link RoleNames}. */
    public String wire() {
        return wire;
    }

    public boolean isPrimary() {
        return this == PRIMARY || this == PROMOTED;
    }

    /** Lenient: accepts {@code master} and {@code primary}, any case; unknown values give {@code null}. */
    public static Role parse(String s) {
        if (s == null) {
            return null;
        }
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "master":
            case "primary":
                return PRIMARY;
            case "replica":
                return REPLICA;
            case "standby_leader":
            case "standby-leader":
                return STANDBY_LEADER;
            case "promoted":
                return PROMOTED;
            case "demoted":
                return DEMOTED;
            case "uninitialized":
                return UNINITIALIZED;
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return wire;
    }
}
