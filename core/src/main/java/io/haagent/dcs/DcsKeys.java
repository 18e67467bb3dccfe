package io.haagent.dcs;

import java.util.Objects;

/**
 * Patroni's key layout under {@code /<namespace>/<scope>/} (reference §1.1–1.2). Keys are plain strings; the
 * relative names here are what both the etcd implementation and the in-memory one store, so the layout is
 * written down once.
 */
public final class DcsKeys {
    public static final String DEFAULT_NAMESPACE = "service";

    public static final String INITIALIZE = "initialize";
    public static final String CONFIG = "config";
    public static final String LEADER = "leader";
    public static final String MEMBERS = "members/";
    public static final String STATUS = "status";
    /** Legacy location of the leader's LSN (before Patroni 2.1.0); read as a fallback for {@link #STATUS}. */
    public static final String LEADER_OPTIME = "optime/leader";
    public static final String FAILOVER = "failover";
    public static final String SYNC = "sync";
    public static final String HISTORY = "history";
    public static final String FAILSAFE = "failsafe";

    private final String prefix;

    private DcsKeys(String prefix) {
        this.prefix = prefix;
    }

    /**
     * The layout of one cluster. As Patroni does, {@code '/'.join(['', namespace, scope])} with runs of
     * {@code /} collapsed: namespace {@code service}, {@code /service} and {@code /service/} all give
     * {@code /service/<scope>/}.
     */
    public static DcsKeys of(String namespace, String scope) {
        Objects.requireNonNull(scope, "scope");
        if (scope.isBlank()) {
            throw new IllegalArgumentException("scope must not be empty");
        }
        String ns = namespace == null ? DEFAULT_NAMESPACE : namespace;
        String base = ("/" + ns + "/" + scope).replaceAll("/+", "/");
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new DcsKeys(base + "/");
    }

    /** The cluster prefix, ending in {@code /}, e.g. {@code /service/batman/}. */
    public String prefix() {
        return prefix;
    }

    /** The full key of a relative name, e.g. {@code leader} → {@code /service/batman/leader}. */
    public String key(String relative) {
        return prefix + relative;
    }

    public String member(String name) {
        return prefix + MEMBERS + name;
    }

    /** The relative name of a full key, or null when the key is outside this cluster. */
    public String relative(String fullKey) {
        return fullKey != null && fullKey.startsWith(prefix) ? fullKey.substring(prefix.length()) : null;
    }

    /**
     * The member name of a relative key, or null when it is not a member key: as Patroni reads it, a member
     * key starts with {@code members/} and contains exactly one {@code /}.
     */
    public static String memberName(String relative) {
        if (relative == null || !relative.startsWith(MEMBERS)) {
            return null;
        }
        String name = relative.substring(MEMBERS.length());
        return name.isEmpty() || name.indexOf('/') >= 0 ? null : name;
    }

    @Override
    public String toString() {
        return prefix;
    }
}
