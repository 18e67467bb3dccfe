package io.haagent.config.loader;

import io.haagent.config.DynamicConfigRules;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a whole cluster-wide configuration (the {@code config} key, §5.3) given as YAML text, by the one
 * validation every writer and reader of that key uses ({@link DynamicConfigRules}: {@code PATCH}/{@code PUT /config},
 * the agent reading the key, {@code bootstrap.dcs} in a node's file), with the line of each key. Key paths are
 * relative to the configuration ({@code postgresql.parameters.max_connections}). Used by
 * {@code agentctl edit-config} before it writes anything.
 */
public final class DynamicConfigCheck {
    private DynamicConfigCheck() {
    }

    /**
     * @param yaml   the configuration as YAML (or JSON) text
     * @param source how messages name the text, e.g. {@code edited configuration}
     * @return problems in reading order; {@link Problem#isError() errors} are what the nodes would refuse to run
     *         (the REST API refuses the same with 400); warnings are keys they ignore
     */
    public static List<Problem> check(String yaml, String source) {
        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping tree = reader.readDocument(yaml, source, 0, true);
        List<Problem> out = new ArrayList<>(reader.problems());
        if (tree != null) {
            out.addAll(DynamicProblems.check(tree, ""));
        }
        return ConfigLoader.sorted(out);
    }
}
