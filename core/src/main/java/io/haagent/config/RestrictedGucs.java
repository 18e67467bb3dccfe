package io.haagent.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The GUCs that must be equal on every node (§5.3). They are taken from the dynamic configuration only;
 * set in a node's local {@code postgresql.parameters} they have no effect (and validation says so).
 * Invalid or too small values fall back to the default (or the minimum) with a warning.
 */
public final class RestrictedGucs {
    /** Name → default, in Patroni's order. */
    public static final Map<String, String> DEFAULTS;
    private static final Map<String, Long> MINIMUMS = Map.of(
            "max_connections", 25L,
            "max_locks_per_transaction", 32L,
            "max_worker_processes", 2L,
            "max_prepared_transactions", 0L,
            "max_wal_senders", 3L,
            "max_replication_slots", 4L,
            "wal_keep_segments", 1L);
    private static final Set<String> WAL_LEVELS = Set.of("hot_standby", "replica", "logical");

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("max_connections", "100");
        d.put("max_locks_per_transaction", "64");
        d.put("max_worker_processes", "8");
        d.put("max_prepared_transactions", "0");
        d.put("wal_level", "hot_standby");
        d.put("track_commit_timestamp", "off");
        d.put("max_wal_senders", "10");
        d.put("max_replication_slots", "10");
        d.put("wal_keep_segments", "8");
        d.put("wal_keep_size", "128MB");
        d.put("wal_log_hints", "on");
        d.put("hot_standby", "on");
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    private RestrictedGucs() {
    }

    public static boolean isRestricted(String guc) {
        return DEFAULTS.containsKey(guc.toLowerCase(Locale.ROOT));
    }

    /**
     * The restricted values to run with: defaults overridden by valid values from the dynamic
     * {@code postgresql.parameters}. Warnings name the parameter and what was used instead.
     */
    public static Map<String, String> resolve(Map<String, Object> dynamicParameters, Consumer<String> warn) {
        Map<String, String> out = new LinkedHashMap<>(DEFAULTS);
        if (dynamicParameters == null) {
            return out;
        }
        for (Map.Entry<String, Object> e : dynamicParameters.entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!DEFAULTS.containsKey(name) || e.getValue() == null) {
                continue;
            }
            String value = valueText(e.getValue());
            String checked = check(name, value, warn);
            if (checked != null) {
                out.put(name, checked);
            }
        }
        return out;
    }

    private static String check(String name, String value, Consumer<String> warn) {
        String path = "postgresql.parameters." + name;
        switch (name) {
            case "wal_level": {
                String v = value.toLowerCase(Locale.ROOT);
                if (!WAL_LEVELS.contains(v)) {
                    warn.accept(path + ": '" + value + "' is not one of hot_standby, replica, logical; using "
                            + DEFAULTS.get(name));
                    return null;
                }
                return v;
            }
            case "hot_standby":
                if (!Boolean.TRUE.equals(Values.toBool(value))) {
                    warn.accept(path + ": must stay on (replicas must accept read-only queries); using on");
                    return null;
                }
                return "on";
            case "track_commit_timestamp":
            case "wal_log_hints": {
                Boolean b = Values.toBool(value);
                if (b == null) {
                    warn.accept(path + ": '" + value + "' is not a boolean; using " + DEFAULTS.get(name));
                    return null;
                }
                return b ? "on" : "off";
            }
            case "wal_keep_size":
                return value;
            default: {
                Long n = Values.toLong(value);
                if (n == null) {
                    warn.accept(path + ": '" + value + "' is not an integer; using " + DEFAULTS.get(name));
                    return null;
                }
                Long min = MINIMUMS.get(name);
                if (min != null && n < min) {
                    warn.accept(path + ": " + n + " is below the minimum " + min + "; using " + min);
                    return String.valueOf(min);
                }
                return String.valueOf(n);
            }
        }
    }

    static String valueText(Object v) {
        if (v instanceof Boolean b) {
            return b ? "on" : "off";
        }
        return v.toString();
    }
}
