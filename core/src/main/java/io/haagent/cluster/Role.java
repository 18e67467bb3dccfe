package io.haagent.cluster;

import java.util.Locale;

/**
 * A node's role as written to etcd, served by the REST API and passed to callbacks.
 * Patroni 3.x writes {@code master} for a running primary; Patroni 4 writes {@code primary}.
 * We write {@code master} (what Patroni 3.0.2 tools read) and accept both when reading.
 */
public enum Role {
    PRIMARY("master"),
    REPLICA("replica"),
    STANDBY_LEADER("standby_leader"),
    /** Transient, between {@code pg_ctl promote} and the end of recovery; reported as master to callbacks. */
    PROMOTED("promoted"),
    DEMOTED("demoted"),
    UNINITIALIZED("uninitialized");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    /** The string written to etcd and the API. */
    public String wire() {
        return wire;
    }

    /** The role as passed to callbacks: {@code promoted} is reported as {@code master}. */
    public String callbackName() {
        return this == PROMOTED ? PRIMARY.wire : wire;
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
