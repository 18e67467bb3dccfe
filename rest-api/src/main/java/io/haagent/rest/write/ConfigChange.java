package io.haagent.rest.write;

import io.haagent.config.ConfigProblem;
import io.haagent.config.DynamicConfigRules;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code PATCH}/{@code PUT /config} (§2.6): the deep merge Patroni applies, its change detection (values compared
 * by their text, so {@code "20"} equals {@code 20}), and the check of the configuration that would be stored,
 * by the one validation every writer and reader of the {@code config} key uses ({@link DynamicConfigRules}).
 * Patroni stores any object (api.py {@code do_PATCH_config}); we refuse, with 400 and a JSON body naming each
 * key path and reason, anything the nodes would not run as written.
 */
public final class ConfigChange {

    private ConfigChange() {
    }

    /**
     * Refuses a configuration with errors: {@link ApiError} 400 with the body
     * <pre>{"error": "...; nothing was written", "problems": [{"path": "ttl", "reason": "..."}, ...]}</pre>
     * A PATCH is checked as merged, so an error already stored in etcd is named too (the nodes are not applying
     * that configuration either; see the agent's ConfigGate).
     */
    public static void validate(Map<String, Object> config) {
        List<ConfigProblem> errors = DynamicConfigRules.errors(config);
        if (errors.isEmpty()) {
            return;
        }
        List<Map<String, Object>> problems = new ArrayList<>();
        for (ConfigProblem p : errors) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("path", p.path());
            one.put("reason", p.reason());
            problems.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "the configuration is not valid (" + errors.get(0).line()
                + (errors.size() > 1 ? "; and " + (errors.size() - 1) + " more" : "") + "); nothing was written");
        body.put("problems", problems);
        throw ApiError.json(400, body);
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
