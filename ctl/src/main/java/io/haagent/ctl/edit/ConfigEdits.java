package io.haagent.ctl.edit;

import io.haagent.ctl.output.YamlText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The changes {@code edit-config} can make to the cluster configuration, as patronictl makes them. Pure: maps in,
 * maps out; the inputs are never modified.
 */
public final class ConfigEdits {
    private ConfigEdits() {
    }

    /**
     * {@code -s key.path=value} (and {@code -p guc=value}, which is {@code postgresql.parameters.guc=value}): the
     * value is read as YAML ({@code 10} is a number, {@code on} a boolean); {@code null} (or nothing) removes the
     * key. Under {@code postgresql.parameters} the rest of the path is one name, since GUC names may hold dots.
     */
    public static Map<String, Object> set(Map<String, Object> data, List<String> pairs) {
        Map<String, Object> out = deepCopy(data);
        for (String pair : pairs) {
            int eq = pair == null ? -1 : pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not key.path=value");
            }
            String path = pair.substring(0, eq).strip();
            String text = pair.substring(eq + 1);
            Object value = text.isBlank() ? null : YamlText.load(text, "the value of " + path);
            List<String> keys = List.of(path.split("\\.", -1));
            if (keys.stream().anyMatch(String::isEmpty)) {
                throw new IllegalArgumentException("'" + path + "' is not a key path (empty part)");
            }
            setPath(out, keys, value, List.of());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void setPath(Map<String, Object> config, List<String> path, Object value, List<String> prefix) {
        List<String> p = path;
        if (prefix.equals(List.of("postgresql", "parameters"))) {
            p = List.of(String.join(".", path));
        }
        String key = p.get(0);
        if (p.size() == 1) {
            if (value == null) {
                config.remove(key);
            } else {
                config.put(key, value);
            }
            return;
        }
        if (!(config.get(key) instanceof Map<?, ?>)) {
            config.put(key, new LinkedHashMap<String, Object>());
        }
        Map<String, Object> child = (Map<String, Object>) config.get(key);
        List<String> next = new ArrayList<>(prefix);
        next.add(key);
        setPath(child, p.subList(1, p.size()), value, next);
        if (child.isEmpty()) {
            config.remove(key);
        }
    }

    /**
     * {@code --apply FILE}: Patroni's {@code patch_config}: a null removes the key, mappings merge, anything else
     * replaces the value (unless it reads the same as text), new keys are taken whole.
     */
    public static Map<String, Object> apply(Map<String, Object> data, Map<String, Object> patch) {
        Map<String, Object> out = deepCopy(data);
        patch(out, patch);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void patch(Map<String, Object> config, Map<String, Object> data) {
        for (Map.Entry<String, Object> e : data.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            if (value == null) {
                config.remove(name);
            } else if (config.containsKey(name)) {
                if (value instanceof Map<?, ?> vm) {
                    if (config.get(name) instanceof Map<?, ?>) {
                        patch((Map<String, Object>) config.get(name), (Map<String, Object>) vm);
                    } else {
                        config.put(name, deepCopy(value));
                    }
                } else if (!Objects.equals(String.valueOf(config.get(name)), String.valueOf(value))) {
                    config.put(name, deepCopy(value));
                }
            } else {
                config.put(name, deepCopy(value));
            }
        }
    }

    /** A YAML document that must be a mapping (an empty document is an empty mapping). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> mapping(String yaml, String source) {
        Object o = YamlText.load(yaml, source);
        if (o == null) {
            return new LinkedHashMap<>();
        }
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(source + ": the configuration must be a mapping of keys (such as"
                    + " 'ttl: 30'), not " + (o instanceof List<?> ? "a list" : "a single value"));
        }
        return (Map<String, Object>) deepCopy(o);
    }

    @SuppressWarnings("unchecked")
    public static <T> T deepCopy(T v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), deepCopy(val)));
            return (T) out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(i -> out.add(deepCopy(i)));
            return (T) out;
        }
        return v;
    }

    /** Equal as configurations: numbers compared by value, so 10 read back from YAML equals the stored 10. */
    public static boolean same(Object a, Object b) {
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (!ma.keySet().equals(mb.keySet())) {
                return false;
            }
            return ma.entrySet().stream().allMatch(e -> same(e.getValue(), mb.get(e.getKey())));
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!same(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Number na && b instanceof Number nb) {
            return new java.math.BigDecimal(na.toString()).compareTo(new java.math.BigDecimal(nb.toString())) == 0;
        }
        return Objects.equals(a, b);
    }
}
