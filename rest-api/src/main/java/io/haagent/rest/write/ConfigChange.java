package io.haagent.rest.write;

import io.haagent.config.Values;
import io.haagent.rest.status.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code PATCH}/{@code PUT /config} (§2.6): the deep merge Patroni applies, its change detection (values compared
 * by their text, so {@code "20"} equals {@code 20}), and a type check of the keys Patroni's dynamic configuration
 * defines. Unknown keys are kept: the {@code config} key is open (patronictl and newer Patroni versions store
 * keys we do not model), but a known key with a value of the wrong type is refused, naming its path.
 */
public final class ConfigChange {
    private static final Set<String> INTEGERS = Set.of("ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover",
            "maximum_lag_on_syncnode", "max_timelines_history", "primary_start_timeout", "master_start_timeout",
            "primary_stop_timeout", "master_stop_timeout", "synchronous_node_count");
    private static final Set<String> BOOLEANS = Set.of("synchronous_mode", "synchronous_mode_strict",
            "failsafe_mode", "check_timeline", "pause");
    private static final Set<String> OBJECTS = Set.of("postgresql", "standby_cluster", "slots", "permanent_slots",
            "permanent_replication_slots");
    private static final Set<String> PG_BOOLEANS = Set.of("use_pg_rewind", "use_slots",
            "remove_data_directory_on_rewind_failure", "remove_data_directory_on_diverged_timelines");
    private static final Set<String> PG_OBJECTS = Set.of("parameters", "recovery_conf");
    private static final Set<String> PG_STRING_LISTS = Set.of("pg_hba", "pg_ident");

    private ConfigChange() {
    }

    /**
     * Refuses values of the wrong type for known keys. In a patch a {@code null} deletes the key and is always
     * allowed.
     */
    public static void validate(Map<String, Object> body) {
        for (Map.Entry<String, Object> e : body.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            if (INTEGERS.contains(k) && !isInteger(v)) {
                throw typeError(k, "an integer", v);
            }
            if (BOOLEANS.contains(k) && Values.toBool(v) == null) {
                throw typeError(k, "a boolean", v);
            }
            if (OBJECTS.contains(k) && !(v instanceof Map)) {
                throw typeError(k, "an object", v);
            }
            if ("ignore_slots".equals(k)) {
                if (!(v instanceof List<?> l) || l.stream().anyMatch(o -> !(o instanceof Map))) {
                    throw typeError(k, "a list of objects", v);
                }
            }
            if ("postgresql".equals(k)) {
                validatePostgresql(Values.map(v));
            }
            if (("slots".equals(k) || "permanent_slots".equals(k) || "permanent_replication_slots".equals(k))) {
                for (Map.Entry<String, Object> s : Values.map(v).entrySet()) {
                    if (s.getValue() != null && !(s.getValue() instanceof Map)) {
                        throw typeError(k + "." + s.getKey(), "an object (the slot definition) or null", s.getValue());
                    }
                }
            }
            if ("standby_cluster".equals(k)) {
                Object port = Values.map(v).get("port");
                if (port != null && Values.toInt(port) == null) {
                    throw typeError("standby_cluster.port", "an integer", port);
                }
            }
        }
    }

    private static void validatePostgresql(Map<String, Object> pg) {
        for (Map.Entry<String, Object> e : pg.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            String path = "postgresql." + k;
            if (PG_BOOLEANS.contains(k) && Values.toBool(v) == null) {
                throw typeError(path, "a boolean", v);
            }
            if (PG_OBJECTS.contains(k) && !(v instanceof Map)) {
                throw typeError(path, "an object", v);
            }
            if (PG_STRING_LISTS.contains(k)
                    && (!(v instanceof List<?> l) || l.stream().anyMatch(o -> !(o instanceof String)))) {
                throw typeError(path, "a list of strings", v);
            }
            if ("pg_ctl_timeout".equals(k) && (!isInteger(v) || Values.toInt(v) == null)) {
                throw typeError(path, "an integer", v);
            }
            if ("parameters".equals(k)) {
                for (Map.Entry<String, Object> p : Values.map(v).entrySet()) {
                    Object pv = p.getValue();
                    if (pv instanceof Map || pv instanceof List) {
                        throw typeError(path + "." + p.getKey(), "a string, number or boolean", pv);
                    }
                }
            }
        }
    }

    /** An integer that fits in 64 bits: a JSON integer, an integral number, or a string holding one. */
    static boolean isInteger(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            return true;
        }
        if (v instanceof java.math.BigInteger b) {
            return b.bitLength() < 64;
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e15;
        }
        return v instanceof String && Values.toLong(v) != null;
    }

    private static ApiError typeError(String path, String expected, Object got) {
        return ApiError.badRequest("config: '" + path + "' must be " + expected + ", got " + Json.typeName(got) + ": "
                + Json.MAPPER.valueToTree(got));
    }

    /** A deep, mutable copy of a JSON object. */
    public static Map<String, Object> copy(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, copyValue(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object copyValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            return copy((Map<String, Object>) m);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(o -> out.add(copyValue(o)));
            return out;
        }
        return v;
    }

    /**
     * Patroni's {@code patch_config}: {@code null} deletes, objects merge into objects, anything else replaces
     * the old value when its text differs, and a new key is inserted verbatim (nulls inside included: that is how
     * {@code {"slots":{"s1":null}}} declares a slot).
     *
     * @return true when {@code config} changed
     */
    @SuppressWarnings("unchecked")
    public static boolean patch(Map<String, Object> config, Map<String, Object> data) {
        boolean changed = false;
        for (Map.Entry<String, Object> e : data.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            if (value == null) {
                if (config.containsKey(name) && config.remove(name) != null) {
                    changed = true;
                }
            } else if (config.containsKey(name)) {
                Object old = config.get(name);
                if (value instanceof Map) {
                    if (old instanceof Map) {
                        if (patch((Map<String, Object>) old, (Map<String, Object>) value)) {
                            changed = true;
                        }
                    } else {
                        config.put(name, copyValue(value));
                        changed = true;
                    }
                } else if (!pyStr(old).equals(pyStr(value))) {
                    config.put(name, copyValue(value));
                    changed = true;
                }
            } else {
                config.put(name, copyValue(value));
                changed = true;
            }
        }
        return changed;
    }

    /** Patroni's {@code deep_compare}: same keys, objects compared deeply, other values by their text. */
    @SuppressWarnings("unchecked")
    public static boolean sameConfig(Map<String, Object> a, Map<String, Object> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : a.entrySet()) {
            Object other = b.get(e.getKey());
            if (e.getValue() instanceof Map<?, ?> m) {
                if (!(other instanceof Map<?, ?> om) || !sameConfig((Map<String, Object>) m, (Map<String, Object>) om)) {
                    return false;
                }
            } else if (!pyStr(e.getValue()).equals(pyStr(other))) {
                return false;
            }
        }
        return true;
    }

    /** Python's {@code str()} of a JSON value, which is what Patroni compares. */
    static String pyStr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e16 ? BigDecimal.valueOf(d).setScale(1).toPlainString()
                    : Double.toString(d);
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(pyRepr(e.getKey())).append(": ").append(pyRepr(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : l) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(pyRepr(o));
            }
            return b.append(']').toString();
        }
        return v.toString();
    }

    private static String pyRepr(Object v) {
        return v instanceof String s ? "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'" : pyStr(v);
    }
}
