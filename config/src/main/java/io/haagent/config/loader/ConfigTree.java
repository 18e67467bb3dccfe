package io.haagent.config.loader;

import io.haagent.config.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lenient reads from a configuration tree by dotted path (keys may not contain dots). A value of the wrong
 * type reads as absent: the schema check has already reported it, and the builder falls back to the default.
 */
public final class ConfigTree {
    private final ConfigNode.Mapping root;

    public ConfigTree(ConfigNode.Mapping root) {
        this.root = root;
    }

    public ConfigNode.Mapping root() {
        return root;
    }

    public static ConfigNode at(ConfigNode.Mapping root, String path) {
        ConfigNode n = root;
        for (String k : path.split("\\.")) {
            if (!(n instanceof ConfigNode.Mapping m)) {
                return null;
            }
            n = m.get(k);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    /** The node at {@code path}, or null when absent or an empty value. */
    public ConfigNode node(String path) {
        ConfigNode n = at(root, path);
        return n instanceof ConfigNode.Scalar s && s.isNull() ? null : n;
    }

    public boolean has(String path) {
        return node(path) != null;
    }

    /** Where {@code path} is, or the nearest ancestor that exists (for "missing" problems). */
    public Origin origin(String path) {
        String p = path;
        while (true) {
            ConfigNode n = at(root, p);
            if (n != null) {
                return n.origin();
            }
            int dot = p.lastIndexOf('.');
            if (dot < 0) {
                return root.origin();
            }
            p = p.substring(0, dot);
        }
    }

    /** A scalar as written (any scalar type), else null. */
    public String str(String path) {
        return node(path) instanceof ConfigNode.Scalar s ? s.text() : null;
    }

    public String str(String path, String dflt) {
        String v = str(path);
        return v == null ? dflt : v;
    }

    public Integer integer(String path) {
        if (node(path) instanceof ConfigNode.Scalar s && !(s.value() instanceof Boolean)) {
            return Values.toInt(s.value());
        }
        return null;
    }

    public int integer(String path, int dflt) {
        Integer v = integer(path);
        return v == null ? dflt : v;
    }

    public Long longValue(String path) {
        if (node(path) instanceof ConfigNode.Scalar s && !(s.value() instanceof Boolean)) {
            return Values.toLong(s.value());
        }
        return null;
    }

    public Boolean bool(String path) {
        return node(path) instanceof ConfigNode.Scalar s ? Values.toBool(s.value()) : null;
    }

    public boolean bool(String path, boolean dflt) {
        Boolean v = bool(path);
        return v == null ? dflt : v;
    }

    /** A list of scalars as text; a single scalar is a one-element list; null when absent or not a list. */
    public List<String> strings(String path) {
        ConfigNode n = node(path);
        if (n instanceof ConfigNode.Sequence seq) {
            List<String> out = new ArrayList<>();
            for (ConfigNode i : seq.items()) {
                if (i instanceof ConfigNode.Scalar s && !s.isNull()) {
                    out.add(s.text());
                }
            }
            return out;
        }
        return null;
    }

    /** A mapping as plain Java values (nulls kept), or null. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String path) {
        return node(path) instanceof ConfigNode.Mapping m ? (Map<String, Object>) m.toPlain() : null;
    }

    /** A mapping of scalars as text (null values dropped), or null. */
    public Map<String, String> stringMap(String path) {
        if (!(node(path) instanceof ConfigNode.Mapping m)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        m.entries().forEach((k, v) -> {
            if (v instanceof ConfigNode.Scalar s && !s.isNull()) {
                out.put(k, s.text());
            }
        });
        return out;
    }

    public Object plain(String path) {
        ConfigNode n = node(path);
        return n == null ? null : n.toPlain();
    }
}
