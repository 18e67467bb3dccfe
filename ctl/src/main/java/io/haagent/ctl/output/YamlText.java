package io.haagent.ctl.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * YAML as patronictl writes it ({@code yaml.safe_dump(data, default_flow_style=False, allow_unicode=True,
 * width=200)}: block style, keys sorted) and reads it ({@code yaml.safe_load}: YAML 1.1 scalars, so {@code on} is
 * a boolean).
 */
public final class YamlText {
    private YamlText() {
    }

    /** Block-style YAML with sorted keys, ending in a newline; {@code {}} for an empty mapping. */
    public static String dump(Object data) {
        return yaml(DumperOptions.FlowStyle.BLOCK).dump(sorted(data));
    }

    /** Flow style (one line, like JSON), as patronictl shows tags in tsv output. */
    public static String dumpFlow(Object data) {
        return yaml(DumperOptions.FlowStyle.FLOW).dump(sorted(data)).strip();
    }

    /**
     * Parses a YAML document into maps, lists and scalars.
     *
     * @param source names the text in the error message
     * @throws IllegalArgumentException with the line and the parser's problem when it is not YAML
     */
    public static Object load(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(100);
        options.setNestingDepthLimit(100);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            String problem = e.getProblem() == null ? "not valid YAML" : e.getProblem().replaceAll("\\s+", " ").trim();
            throw new IllegalArgumentException(source + ":" + line + ": " + problem);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML (" + e.getMessage().replaceAll("\\s+", " ")
                    + ")");
        }
    }

    private static Yaml yaml(DumperOptions.FlowStyle style) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(style);
        o.setAllowUnicode(true);
        o.setWidth(200);
        o.setIndent(2);
        o.setPrettyFlow(false);
        return new Yaml(new Representer(o), o);
    }

    /** A copy with every mapping's keys sorted, as PyYAML's {@code sort_keys=True} writes them. */
    static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), sorted(val)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(i -> out.add(sorted(i)));
            return out;
        }
        return v;
    }
}
