package io.haagent.cluster;

import io.haagent.config.Values;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A member's tags (§1.3.1, §7.2). Values are JSON values as they appear in etcd: the predefined tags are
 * booleans (read with {@link Values#truthy}: "true", "on", 1 are true), {@code failover_priority} an integer,
 * {@code replicatefrom} a member name; custom tags pass through unchanged.
 */
public record Tags(Map<String, Object> values) {
    public static final Tags NONE = new Tags(Map.of());

    public static final String NOFAILOVER = "nofailover";
    public static final String FAILOVER_PRIORITY = "failover_priority";
    public static final String CLONEFROM = "clonefrom";
    public static final String NOLOADBALANCE = "noloadbalance";
    public static final String REPLICATEFROM = "replicatefrom";
    public static final String NOSYNC = "nosync";
    /** Patroni 4.1: the priority among synchronous standby candidates (higher first); 0 or less means nosync. */
    public static final String SYNC_PRIORITY = "sync_priority";
    public static final String NOSTREAM = "nostream";

    public Tags {
        values = values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Tags as written to the member key: predefined booleans only when truthy (§1.3.1). */
    public static Tags effective(Map<String, Object> configured) {
        if (configured == null || configured.isEmpty()) {
            return NONE;
        }
        boolean hasPriority = configured.containsKey(FAILOVER_PRIORITY);
        boolean hasSyncPriority = configured.containsKey(SYNC_PRIORITY);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : configured.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            switch (k) {
                case NOFAILOVER:
                    if (hasPriority || Values.truthy(v)) {
                        out.put(k, Values.truthy(v));
                    }
                    break;
                case NOSYNC:
                    // kept beside sync_priority, as Patroni 4.1 does, so that readers see both
                    if (hasSyncPriority || Values.truthy(v)) {
                        out.put(k, Values.truthy(v));
                    }
                    break;
                case CLONEFROM:
                case NOLOADBALANCE:
                case NOSTREAM:
                    if (Values.truthy(v)) {
                        out.put(k, true);
                    }
                    break;
                default:
                    if (v != null) {
                        out.put(k, v);
                    }
            }
        }
        return new Tags(out);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public Object get(String key) {
        return values.get(key);
    }

    /**
     * {@code nofailover}: explicitly set wins over {@code failover_priority} (§7.2: nofailover overrides it);
     * otherwise a priority <= 0 means nofailover.
     */
    public boolean nofailover() {
        if (values.containsKey(NOFAILOVER)) {
            return Values.truthy(values.get(NOFAILOVER));
        }
        Integer p = rawPriority();
        return p != null && p <= 0;
    }

    /** Effective priority: 0 with nofailover, the configured value, else 1 (§7.2). */
    public int failoverPriority() {
        if (values.containsKey(NOFAILOVER) && Values.truthy(values.get(NOFAILOVER))) {
            return 0;
        }
        Integer p = rawPriority();
        if (p != null) {
            return values.containsKey(NOFAILOVER) ? Math.max(p, 1) : p;
        }
        return 1;
    }

    private Integer rawPriority() {
        return intTag(FAILOVER_PRIORITY);
    }

    private Integer intTag(String key) {
        Object v = values.get(key);
        if (v instanceof Number n) {
            return n.intValue();
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    public boolean clonefrom() {
        return Values.truthy(values.get(CLONEFROM));
    }

    public boolean noloadbalance() {
        return Values.truthy(values.get(NOLOADBALANCE));
    }

    /** {@code nosync} when set (it wins), else a {@code sync_priority} of 0 or less (Patroni 4.1). */
    public boolean nosync() {
        if (values.containsKey(NOSYNC)) {
            return Values.truthy(values.get(NOSYNC));
        }
        Integer p = intTag(SYNC_PRIORITY);
        return p != null && p <= 0;
    }

    /** Patroni 4.1's {@code sync_priority}: 0 with {@code nosync}, the configured value, else 1. */
    public int syncPriority() {
        if (Values.truthy(values.get(NOSYNC))) {
            return 0;
        }
        Integer p = intTag(SYNC_PRIORITY);
        return p == null ? 1 : p;
    }

    public boolean nostream() {
        return Values.truthy(values.get(NOSTREAM));
    }

    public String replicatefrom() {
        Object v = values.get(REPLICATEFROM);
        return v == null ? null : v.toString();
    }

    /** The same tags with one value added or replaced. */
    public Tags with(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(key, value);
        return new Tags(m);
    }

    /** How a {@code tag_<k>=<v>} query compares a tag value: strings as is, others as lowercased text. */
    public static String queryForm(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        return v.toString().toLowerCase(Locale.ROOT);
    }
}
