package io.haagent.config.loader;

import io.haagent.config.DynamicConfig;
import io.haagent.config.RestrictedGucs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a whole cluster-wide configuration (the {@code config} key, §5.3) the way {@code bootstrap.dcs} is checked
 * in a node's file: the schema (types, ranges, enums, unknown keys with "did you mean"), and what
 * {@link DynamicConfig#from} and {@link RestrictedGucs#resolve} would adjust when the nodes read it (a ttl below
 * the minimum, {@code loop_wait + 2*retry_timeout > ttl}, an invalid {@code wal_level}, ...). Key paths are
 * relative to the configuration ({@code postgresql.parameters.max_connections}); lines are those of the YAML text.
 * Used by {@code agentctl edit-config} before it writes anything.
 */
public final class DynamicConfigCheck {
    private static final String PREFIX = "bootstrap.dcs";

    private DynamicConfigCheck() {
    }

    /**
     * @param yaml   the configuration as YAML (or JSON) text
     * @param source how messages name the text, e.g. {@code edited configuration}
     * @return problems in reading order; {@link Problem#isError() errors} are values the nodes would refuse or
     *         replace; warnings are keys they would ignore
     */
    public static List<Problem> check(String yaml, String source) {
        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping tree = reader.readDocument(yaml, source, 0, true);
        List<Problem> out = new ArrayList<>();
        for (Problem p : reader.problems()) {
            out.add(p);
        }
        if (tree == null) {
            return out;
        }
        ConfigNode.Mapping root = new ConfigNode.Mapping(Map.of("bootstrap",
                new ConfigNode.Mapping(Map.of("dcs", tree), tree.origin())), tree.origin());
        for (Problem p : SchemaCheck.check(root, ConfigSchema.PATRONI)) {
            if (p.path().equals(PREFIX) || !p.path().startsWith(PREFIX + ".")) {
                continue; // keys a node's file requires (name, scope, ...) are not part of this configuration
            }
            out.add(new Problem(p.severity(), p.origin(), p.path().substring(PREFIX.length() + 1),
                    p.message().replace("did you mean " + PREFIX + ".", "did you mean "), p.blocksStart()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) tree.toPlain();
        List<String> adjusted = new ArrayList<>(DynamicConfig.from(plain).warnings());
        if (plain.get("postgresql") instanceof Map<?, ?> pg && pg.get("parameters") instanceof Map<?, ?> params) {
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) params;
            RestrictedGucs.resolve(p, adjusted::add);
        }
        for (String w : adjusted) {
            String key = keyOf(w);
            String message = w.startsWith(key + ": ") ? w.substring(key.length() + 2)
                    : w.startsWith(key + "=") ? w.substring(key.length() + 1) : w;
            // the adjustment is what the nodes would do; a tool checking an edit reports it as such
            message = message.replace(", adjusting to", "; the nodes would use")
                    .replace("; using", "; the nodes would use").replace(": lowering", ": the nodes would lower")
                    .replace(": setting", ": the nodes would set");
            ConfigNode at = ConfigTree.at(tree, key);
            Origin origin = at != null ? at.origin() : tree.origin();
            Problem p = Problem.error(origin, key, message);
            if (out.stream().noneMatch(o -> o.path().equals(p.path()) && o.isError())) {
                out.add(p);
            }
        }
        return ConfigLoader.sorted(out);
    }

    /** The key a DynamicConfig or RestrictedGucs warning is about: up to the first of ':', '=' or ' '. */
    private static String keyOf(String warning) {
        int end = 0;
        while (end < warning.length() && ":= ".indexOf(warning.charAt(end)) < 0) {
            end++;
        }
        return warning.substring(0, end);
    }
}
