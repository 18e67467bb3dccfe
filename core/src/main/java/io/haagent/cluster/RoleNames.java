package io.haagent.cluster;

import java.util.Locale;

/**
 * How this node spells a running primary where Patroni writes a role: {@code master} (Patroni 3.x) or
 * {@code primary} (Patroni 4.0 and later: member keys, {@code /patroni}, callbacks; its release notes, "Breaking
 * changes" of 4.0.0). Both are always read ({@link Role#parse}). What is written follows the cluster unless the
 * setting {@code ha_agent.role_names} pins it ({@link Setting}).
 */
public enum RoleNames {
    MASTER("master"),
    PRIMARY("primary");

    /** A cluster that shows no spelling yet (a new one) gets Patroni 4's. */
    public static final RoleNames NEW_CLUSTER = PRIMARY;

    private final String primary;

    RoleNames(String primary) {
        this.primary = primary;
    }

    /** The spelling of a running primary. */
    public String primary() {
        return primary;
    }

    /** {@code role} as written to the member key and served by {@code /patroni}. */
    public String of(Role role) {
        return role == Role.PRIMARY ? primary : role.wire();
    }

    /** {@code role} as passed to callbacks: {@code promoted} is reported as the primary. */
    public String callback(Role role) {
        return role == null ? Role.REPLICA.wire() : role.isPrimary() ? primary : role.wire();
    }

    /** The spelling a role string read from etcd or a peer shows, or null when it shows none. */
    public static RoleNames shownBy(String role) {
        if (role == null) {
            return null;
        }
        return switch (role.trim().toLowerCase(Locale.ROOT)) {
            case "master" -> MASTER;
            case "primary" -> PRIMARY;
            default -> null;
        };
    }

    /**
     * The spelling to write next. Pinned: the pin. {@code auto}: the leader's member key when another node holds
     * the lock (a Patroni 3.x leader writes {@code master}, a 4.x leader {@code primary}, an ha-agent leader what it
     * follows); else another member that reports a running primary (a Patroni primary between losing and
     * re-taking its key); else what this node wrote so far, so that a node that takes over keeps the cluster's
     * spelling. Nothing read changes the spelling of the node that holds the lock.
     */
    public static RoleNames follow(Setting setting, ClusterView view, String self, RoleNames current) {
        if (setting == Setting.MASTER) {
            return MASTER;
        }
        if (setting == Setting.PRIMARY) {
            return PRIMARY;
        }
        RoleNames now = current == null ? NEW_CLUSTER : current;
        if (view == null) {
            return now;
        }
        String leader = view.leaderName();
        if (leader != null && leader.equals(self)) {
            return now;
        }
        if (leader != null) {
            RoleNames shown = view.leaderMember().map(m -> shownBy(m.role())).orElse(null);
            if (shown != null) {
                return shown;
            }
        }
        for (Member m : view.members()) {
            if (!m.name().equals(self) && m.isRunning()) {
                RoleNames shown = shownBy(m.role());
                if (shown != null) {
                    return shown;
                }
            }
        }
        return now;
    }

    /** {@code ha_agent.role_names} in a node's configuration file: {@code auto} (the default), {@code master}, {@code primary}. */
    public enum Setting {
        AUTO, MASTER, PRIMARY;

        public static final String KEY = "ha_agent.role_names";

        /** Parses the setting; null when {@code s} is none of {@code auto}, {@code master}, {@code primary}. */
        public static Setting parse(String s) {
            if (s == null) {
                return AUTO;
            }
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "auto", "" -> AUTO;
                case "master" -> MASTER;
                case "primary" -> PRIMARY;
                default -> null;
            };
        }
    }
}
