package io.haagent.config.loader;

import io.haagent.config.RestrictedGucs;
import io.haagent.config.Values;
import io.haagent.config.loader.KeySpec.Kind;
import io.haagent.config.loader.KeySpec.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a configuration tree against {@link ConfigSchema}: unknown keys (with the nearest known key),
 * values of the wrong type, enums and ranges, required keys, address forms, and the notes for legacy names,
 * settings with no effect and unsupported settings. Pure: no file, network or process access.
 */
final class SchemaCheck {
    private final ConfigSchema schema;
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> replicaMethods = new LinkedHashSet<>();
    private String bootstrapMethod;

    private SchemaCheck(ConfigSchema schema) {
        this.schema = schema;
    }

    static List<Problem> check(ConfigNode.Mapping root, ConfigSchema schema) {
        SchemaCheck c = new SchemaCheck(schema);
        c.collectMethods(root);
        c.walk(root, "", "", Kind.SECTION);
        return c.problems;
    }

    private void collectMethods(ConfigNode.Mapping root) {
        for (String path : List.of("postgresql.create_replica_methods", "postgresql.create_replica_method",
                "bootstrap.dcs.standby_cluster.create_replica_methods",
                "bootstrap.dcs.postgresql.create_replica_methods")) {
            ConfigNode n = ConfigTree.at(root, path);
            if (n instanceof ConfigNode.Sequence s) {
                s.items().forEach(i -> {
                    if (i instanceof ConfigNode.Scalar sc && !sc.isNull()) {
                        replicaMethods.add(sc.text());
                    }
                });
            } else if (n instanceof ConfigNode.Scalar sc && !sc.isNull()) {
                replicaMethods.add(sc.text());
            }
        }
        if (ConfigTree.at(root, "bootstrap.method") instanceof ConfigNode.Scalar s && !s.isNull()) {
            bootstrapMethod = s.text();
        }
    }

    private void walk(ConfigNode.Mapping node, String path, String pattern, Kind kind) {
        for (var e : node.entries().entrySet()) {
            String key = e.getKey();
            ConfigNode value = e.getValue();
            String childPath = ConfigSchema.join(path, key);
            KeySpec spec = schema.child(pattern, key, replicaMethods, bootstrapMethod);
            if (spec == null) {
                if (kind != Kind.MAP) {
                    unknown(value.origin(), childPath, pattern, key);
                }
                continue;
            }
            if (value instanceof ConfigNode.Scalar s && s.isNull() && spec.kind() != Kind.NULLABLE_SECTION) {
                continue; // an empty value is an absent one (checked by "required" below)
            }
            if (spec.status() == Status.NO_EFFECT) {
                problems.add(Problem.warning(value.origin(), childPath, spec.note()));
                continue;
            }
            if (spec.status() == Status.UNSUPPORTED) {
                problems.add(Problem.error(value.origin(), childPath, spec.note()));
                continue;
            }
            if (spec.status() == Status.LEGACY) {
                problems.add(Problem.warning(value.origin(), childPath, spec.note()));
            }
            checkValue(value, childPath, spec);
        }
        for (KeySpec child : schema.children(pattern)) {
            if (!child.required()) {
                continue;
            }
            String key = ConfigSchema.last(child.pattern());
            ConfigNode v = node.get(key);
            if (v == null || (v instanceof ConfigNode.Scalar s && s.isNull())) {
                Origin where = v != null ? v.origin() : node.origin();
                problems.add(new Problem(Severity.ERROR, where, ConfigSchema.join(path, key),
                        "missing: " + child.hint(), child.blocksStart()));
            }
        }
    }

    private void unknown(Origin origin, String path, String pattern, String key) {
        List<String> siblings = new ArrayList<>();
        for (KeySpec s : schema.children(pattern)) {
            siblings.add(ConfigSchema.last(s.pattern()));
        }
        String near = Suggestions.nearest(key, siblings, 3);
        String parentPath = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "";
        String hint;
        if (near != null) {
            hint = "did you mean " + ConfigSchema.join(parentPath, near) + "?";
        } else if (pattern.equals("postgresql") && RestrictedGucs.isRestricted(key)) {
            hint = "did you mean bootstrap.dcs.postgresql.parameters." + key + "?";
        } else {
            // The same key in another section ("ttl" under postgresql), when that is specific enough to mean it:
            // a long key, or one of the cluster-wide settings.
            List<String> elsewhere = schema.elsewhere(key);
            boolean specific = key.length() >= 5 || elsewhere.stream().allMatch(e -> e.startsWith("bootstrap.dcs."));
            hint = elsewhere.isEmpty() || elsewhere.size() > 2 || !specific ? "ignored"
                    : "did you mean " + String.join(" or ", elsewhere) + "?";
        }
        problems.add(Problem.warning(origin, path, "unknown key; " + hint));
    }

    private void checkValue(ConfigNode value, String path, KeySpec spec) {
        switch (spec.kind()) {
            case SECTION:
            case MAP:
            case NULLABLE_SECTION:
                if (value instanceof ConfigNode.Mapping m) {
                    walk(m, path, spec.pattern(), spec.kind() == Kind.MAP ? Kind.MAP : Kind.SECTION);
                } else if (!(spec.kind() == Kind.NULLABLE_SECTION && value instanceof ConfigNode.Scalar s
                        && s.isNull())) {
                    wrongType(value, path, spec, "a mapping");
                }
                break;
            case SECTION_LIST:
                if (value instanceof ConfigNode.Sequence seq) {
                    int i = 0;
                    for (ConfigNode item : seq.items()) {
                        String itemPath = path + "[" + i++ + "]";
                        if (item instanceof ConfigNode.Mapping m) {
                            walk(m, itemPath, spec.pattern() + "[]", Kind.SECTION);
                        } else {
                            wrongType(item, itemPath, spec, "a mapping");
                        }
                    }
                } else {
                    wrongType(value, path, spec, "a list of mappings");
                }
                break;
            case STRING:
                if (value instanceof ConfigNode.Scalar s) {
                    checkEnum(s, path, spec);
                } else {
                    wrongType(value, path, spec, "a string");
                }
                break;
            case INT:
                checkInt(value, path, spec);
                break;
            case BOOL:
                if (!(value instanceof ConfigNode.Scalar s) || Values.toBool(s.value()) == null) {
                    wrongType(value, path, spec, "true or false");
                }
                break;
            case STRING_LIST:
                if (value instanceof ConfigNode.Sequence seq) {
                    int i = 0;
                    for (ConfigNode item : seq.items()) {
                        if (!(item instanceof ConfigNode.Scalar s) || s.isNull()) {
                            wrongType(item, path + "[" + i + "]", spec, "a string");
                        }
                        i++;
                    }
                } else {
                    wrongType(value, path, spec, "a list of strings");
                }
                break;
            case STRING_OR_LIST:
                if (!(value instanceof ConfigNode.Scalar) && !(value instanceof ConfigNode.Sequence)) {
                    wrongType(value, path, spec, "a string or a list of strings");
                }
                break;
            case LIST_OR_MAP:
                if (value instanceof ConfigNode.Scalar) {
                    wrongType(value, path, spec, "a list or a mapping");
                }
                break;
            case LOG_FORMAT:
                checkLogFormat(value, path, spec);
                break;
            case INITDB:
                if (value instanceof ConfigNode.Sequence seq) {
                    int i = 0;
                    for (ConfigNode item : seq.items()) {
                        if (item instanceof ConfigNode.Sequence || item instanceof ConfigNode.Scalar s && s.isNull()) {
                            wrongType(item, path + "[" + i + "]", spec, "an initdb option (a string or key: value)");
                        }
                        i++;
                    }
                } else {
                    wrongType(value, path, spec, "a list of initdb options (strings or key: value)");
                }
                break;
            case LISTEN:
            case PG_LISTEN:
            case CONNECT_ADDRESS:
            case HOST_PORT:
                checkAddress(value, path, spec);
                break;
            case HOSTS:
                if (value instanceof ConfigNode.Sequence seq) {
                    int i = 0;
                    for (ConfigNode item : seq.items()) {
                        checkAddress(item, path + "[" + i++ + "]", spec);
                    }
                } else if (value instanceof ConfigNode.Scalar s) {
                    for (String part : s.text().split(",")) {
                        checkAddressText(part, s, path, spec);
                    }
                } else {
                    wrongType(value, path, spec, "a list of host:port");
                }
                break;
            case URL:
                if (value instanceof ConfigNode.Scalar s) {
                    try {
                        HostPort.parseUrl(s.text());
                    } catch (IllegalArgumentException e) {
                        // The URL itself is not shown: it may carry user:password.
                        problems.add(Problem.error(value.origin(), path, "must be a URL such as"
                                + " http://10.0.0.1:2379, but " + e.getMessage()));
                    }
                } else {
                    wrongType(value, path, spec, "a URL such as http://10.0.0.1:2379");
                }
                break;
            case WATCHDOG_MODE:
                if (value instanceof ConfigNode.Scalar s && (s.value() instanceof Boolean
                        || List.of("off", "automatic", "required").contains(s.text().toLowerCase()))) {
                    break;
                }
                wrongType(value, path, spec, "one of off, automatic, required");
                break;
            case ANY:
            case SCALAR:
            default:
                if (spec.kind() == Kind.SCALAR && !(value instanceof ConfigNode.Scalar)) {
                    wrongType(value, path, spec, "a single value");
                }
                break;
        }
    }

    private void checkEnum(ConfigNode.Scalar s, String path, KeySpec spec) {
        if (spec.values() == null) {
            return;
        }
        for (String v : spec.values()) {
            if (spec.caseSensitive() ? v.equals(s.text()) : v.equalsIgnoreCase(s.text())) {
                return;
            }
        }
        wrongType(s, path, spec, "one of " + String.join(", ", spec.values()));
    }

    private void checkInt(ConfigNode value, String path, KeySpec spec) {
        String expected = intDescription(spec);
        Long n = value instanceof ConfigNode.Scalar s && !(s.value() instanceof Boolean) ? Values.toLong(s.value())
                : null;
        if (n == null && value instanceof ConfigNode.Scalar s && s.value() instanceof Double d && d == Math.rint(d)) {
            n = d.longValue();
        }
        if (n == null) {
            wrongType(value, path, spec, expected);
            return;
        }
        if ((spec.min() != null && n < spec.min()) || (spec.max() != null && n > spec.max())) {
            wrongType(value, path, spec, expected);
        }
    }

    static String intDescription(KeySpec spec) {
        if (spec.min() != null && spec.max() != null) {
            return "an integer from " + spec.min() + " to " + spec.max();
        }
        if (spec.min() != null) {
            return "an integer of at least " + spec.min();
        }
        if (spec.max() != null) {
            return "an integer of at most " + spec.max();
        }
        return "an integer";
    }

    private void checkLogFormat(ConfigNode value, String path, KeySpec spec) {
        if (value instanceof ConfigNode.Scalar) {
            return;
        }
        String expected = "a format string or a non-empty list of field names (or {field: new name})";
        if (!(value instanceof ConfigNode.Sequence seq) || seq.items().isEmpty()) {
            wrongType(value, path, spec, expected);
            return;
        }
        int i = 0;
        for (ConfigNode item : seq.items()) {
            boolean ok = item instanceof ConfigNode.Scalar s && !s.isNull()
                    || item instanceof ConfigNode.Mapping m && m.entries().size() == 1
                    && m.entries().values().iterator().next() instanceof ConfigNode.Scalar;
            if (!ok) {
                wrongType(item, path + "[" + i + "]", spec, "a field name or {field: new name}");
            }
            i++;
        }
    }

    private void checkAddress(ConfigNode value, String path, KeySpec spec) {
        if (!(value instanceof ConfigNode.Scalar s) || s.isNull()) {
            wrongType(value, path, spec, addressForm(spec.kind()));
            return;
        }
        checkAddressText(s.text(), s, path, spec);
    }

    private void checkAddressText(String text, ConfigNode.Scalar s, String path, KeySpec spec) {
        Kind kind = spec.kind();
        String form = addressForm(kind);
        String hint = spec.hint() == null ? "" : ": " + spec.hint();
        HostPort hp;
        try {
            hp = HostPort.parse(text, kind == Kind.PG_LISTEN,
                    kind == Kind.HOST_PORT || kind == Kind.HOSTS ? 2379 : null);
        } catch (IllegalArgumentException e) {
            problems.add(Problem.error(s.origin(), path, "must be " + form + ", not '" + clip(text.strip()) + "' ("
                    + e.getMessage() + ")" + hint, spec.blocksStart()));
            return;
        }
        if (kind != Kind.CONNECT_ADDRESS) {
            return;
        }
        String todo = spec.required() ? hint : "; use this node's own address"
                + (spec.hint() == null ? "" : ", " + spec.hint());
        if (HostPort.NOT_CONNECTABLE.contains(hp.host())) {
            problems.add(Problem.error(s.origin(), path, "must not use " + hp.host() + ": other nodes and clients"
                    + " connect to this address" + todo, spec.blocksStart()));
        } else if (HostPort.LOOPBACK.contains(hp.host())) {
            // Patroni accepts it (its own sample configuration uses 127.0.0.1): a single-host test or demo works;
            // say what stops working when a member or client runs anywhere else
            problems.add(Problem.warning(s.origin(), path, hp.host() + " is a loopback address: it works only while"
                    + " every member, HAProxy and client runs on this host; from another host nobody can reach this"
                    + " node there (replication, elections, switchover checks, health checks)" + todo));
        }
    }

    private static String addressForm(Kind kind) {
        switch (kind) {
            case PG_LISTEN:
                return "\"host[,host...]:port\"";
            case HOST_PORT:
            case HOSTS:
                return "\"host[:port]\"";
            default:
                return "\"host:port\"";
        }
    }

    private void wrongType(ConfigNode value, String path, KeySpec spec, String expected) {
        String hint = spec.hint() != null ? ": " + spec.hint() : "";
        problems.add(Problem.error(value.origin(), path, "must be " + expected + ", not " + found(value, spec) + hint,
                spec.blocksStart()));
    }

    /**
     * What was found: the value itself where a plain value was expected, else only its kind. A scalar where a
     * section was expected may be a password written one level too high, so it is never shown.
     */
    static String found(ConfigNode value, KeySpec spec) {
        boolean scalarExpected = !spec.isMapping() && spec.kind() != Kind.SECTION_LIST
                && spec.kind() != Kind.STRING_LIST && spec.kind() != Kind.LIST_OR_MAP && spec.kind() != Kind.INITDB;
        if (value instanceof ConfigNode.Scalar s && !s.isNull() && !spec.secret() && scalarExpected) {
            return "'" + clip(s.text()) + "'";
        }
        return value.describe();
    }

    private static String clip(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 60 ? one.substring(0, 57) + "..." : one;
    }
}
