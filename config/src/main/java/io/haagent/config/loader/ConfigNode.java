package io.haagent.config.loader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One value of the configuration tree with the place it came from. The read step turns YAML files and
 * {@code PATRONI_*} variables into these; the schema check, the builder and the validator all cite
 * {@link #origin()} in their problems.
 *
 * <p>{@code toString()} never shows scalar values: the tree holds passwords.
 */
public sealed interface ConfigNode permits ConfigNode.Scalar, ConfigNode.Mapping, ConfigNode.Sequence {

    /** For a mapping entry: the line of its key; for a list item: the line of the item. */
    Origin origin();

    ConfigNode withOrigin(Origin origin);

    /** The value as plain Java objects (maps, lists, String/Integer/Long/Double/Boolean, null). */
    Object toPlain();

    /** "a mapping", "a list", "a string", ...: how messages name what was found. */
    String describe();

    /**
     * A scalar. {@code value} is typed as YAML 1.1 reads it (as Patroni's PyYAML does: {@code on} is a boolean,
     * {@code 0755} an octal integer); {@code text} is the scalar exactly as written, used where a string is
     * expected so that {@code password: 012345} stays "012345".
     */
    record Scalar(Object value, String text, Origin origin) implements ConfigNode {
        public boolean isNull() {
            return value == null;
        }

        @Override
        public ConfigNode withOrigin(Origin o) {
            return new Scalar(value, text, o);
        }

        @Override
        public Object toPlain() {
            return value;
        }

        @Override
        public String describe() {
            if (value == null) {
                return "an empty value";
            }
            if (value instanceof Boolean) {
                return "a boolean";
            }
            if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
                return "an integer";
            }
            if (value instanceof Double) {
                return "a number";
            }
            return "a string";
        }

        @Override
        public String toString() {
            return "Scalar@" + origin;
        }
    }

    /** A mapping, keys in the order written. */
    record Mapping(Map<String, ConfigNode> entries, Origin origin) implements ConfigNode {
        public Mapping {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        public ConfigNode get(String key) {
            return entries.get(key);
        }

        @Override
        public ConfigNode withOrigin(Origin o) {
            return new Mapping(entries, o);
        }

        @Override
        public Object toPlain() {
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach((k, v) -> out.put(k, v.toPlain()));
            return out;
        }

        @Override
        public String describe() {
            return "a mapping";
        }

        @Override
        public String toString() {
            return "Mapping" + entries.keySet() + "@" + origin;
        }
    }

    /** A list. */
    record Sequence(List<ConfigNode> items, Origin origin) implements ConfigNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public ConfigNode withOrigin(Origin o) {
            return new Sequence(items, o);
        }

        @Override
        public Object toPlain() {
            List<Object> out = new ArrayList<>();
            items.forEach(i -> out.add(i.toPlain()));
            return out;
        }

        @Override
        public String describe() {
            return "a list";
        }

        @Override
        public String toString() {
            return "Sequence[" + items.size() + "]@" + origin;
        }
    }

    static Mapping emptyMapping(Origin origin) {
        return new Mapping(Map.of(), origin);
    }

    /**
     * Patroni's {@code patch_config}: apply {@code overlay} on {@code base}. A null in the overlay removes the key;
     * mappings merge deeply; anything else replaces the base value unless both read the same as text (then the
     * earlier value and its origin stay); keys new to the base are taken whole, nested nulls included.
     * Used for the directory merge (later file wins) and for {@code PATRONI_*} variables over the files.
     */
    static Mapping patch(Mapping base, Mapping overlay) {
        Map<String, ConfigNode> out = new LinkedHashMap<>(base.entries());
        for (Map.Entry<String, ConfigNode> e : overlay.entries().entrySet()) {
            String key = e.getKey();
            ConfigNode value = e.getValue();
            ConfigNode old = out.get(key);
            if (value instanceof Scalar s && s.isNull()) {
                out.remove(key);
            } else if (old == null) {
                out.put(key, value);
            } else if (value instanceof Mapping m) {
                out.put(key, old instanceof Mapping om ? patch(om, m).withOrigin(om.origin()) : value);
            } else if (!(old instanceof Scalar os && value instanceof Scalar vs && os.text().equals(vs.text()))) {
                out.put(key, value);
            }
        }
        return new Mapping(out, base.origin());
    }
}
