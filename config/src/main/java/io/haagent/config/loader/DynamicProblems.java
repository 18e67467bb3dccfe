package io.haagent.config.loader;

import io.haagent.config.ConfigProblem;
import io.haagent.config.DynamicConfigRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The findings of {@link DynamicConfigRules} (the one validation of the cluster-wide configuration) on a YAML tree,
 * as {@link Problem}s with the line of each key: for {@code bootstrap.dcs} in a node's file and for the text
 * {@code agentctl edit-config} writes.
 */
final class DynamicProblems {
    private DynamicProblems() {
    }

    /**
     * @param tree   the cluster-wide configuration (the {@code bootstrap.dcs} mapping, or an edited document)
     * @param prefix how paths are named in messages: {@code bootstrap.dcs} or empty
     */
    static List<Problem> check(ConfigNode.Mapping tree, String prefix) {
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) tree.toPlain();
        List<Problem> out = new ArrayList<>();
        for (ConfigProblem p : DynamicConfigRules.check(plain)) {
            Origin origin = originOf(tree, p.path());
            String path = prefix.isEmpty() ? p.path() : prefix + "." + p.path();
            String reason = p.reason().replace("did you mean ", "did you mean " + (prefix.isEmpty() ? "" : prefix + "."));
            out.add(p.error() ? Problem.error(origin, path, reason) : Problem.warning(origin, path, reason));
        }
        return out;
    }

    /**
     * The origin of the node a problem's path names, or of its nearest ancestor. Keys may hold dots
     * ({@code auto_explain.log_min_duration}), so each step takes the longest key the rest of the path starts with.
     */
    static Origin originOf(ConfigNode.Mapping root, String path) {
        ConfigNode node = root;
        String rest = path;
        while (!rest.isEmpty()) {
            if (node instanceof ConfigNode.Sequence seq && rest.startsWith("[")) {
                int close = rest.indexOf(']');
                int i;
                try {
                    i = Integer.parseInt(rest.substring(1, close));
                } catch (RuntimeException e) {
                    break;
                }
                if (i < 0 || i >= seq.items().size()) {
                    break;
                }
                node = seq.items().get(i);
                rest = skipDot(rest.substring(close + 1));
            } else if (node instanceof ConfigNode.Mapping m) {
                String best = null;
                for (String k : m.entries().keySet()) {
                    if (rest.startsWith(k) && (rest.length() == k.length() || rest.charAt(k.length()) == '.'
                            || rest.charAt(k.length()) == '[') && (best == null || k.length() > best.length())) {
                        best = k;
                    }
                }
                if (best == null) {
                    break;
                }
                node = m.get(best);
                rest = skipDot(rest.substring(best.length()));
            } else {
                break;
            }
        }
        return node.origin();
    }

    private static String skipDot(String s) {
        return s.startsWith(".") ? s.substring(1) : s;
    }
}
