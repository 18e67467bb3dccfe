package io.haagent.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writing what {@code --generate-config} and {@code --generate-sample-config} made: to the file named (its
 * directories created, mode 0600: a generated configuration holds the superuser's password), or to stdout; and
 * Patroni 4.1's layout of the document (its sections in order, the bootstrap section's comments).
 */
final class GeneratedConfig {
    /** Patroni's comments at the head of the bootstrap section, down to {@code dcs:}. */
    static final String BOOTSTRAP_HEADER = "\n# The bootstrap configuration. Works only when the cluster is not yet"
            + " initialized.\n# If the cluster is already initialized, all changes in the `bootstrap` section are"
            + " ignored!\nbootstrap:\n  # This section will be written into <dcs>:/<namespace>/<scope>/config after"
            + " initializing\n  # new cluster and all other cluster members will use it as a `global configuration`.\n"
            + "  # WARNING! If you want to change any of the parameters that were set up\n  # via `bootstrap.dcs`"
            + " section, please use `patronictl edit-config`!\n  dcs:\n";

    private GeneratedConfig() {
    }

    static int write(String text, String file, PrintStream out, PrintStream err) {
        if (file == null) {
            out.print(text);
            out.flush();
            return 0;
        }
        Path p = Path.of(file);
        try {
            if (p.toAbsolutePath().getParent() != null) {
                Files.createDirectories(p.toAbsolutePath().getParent());
            }
            Files.deleteIfExists(p);
            Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(p, text, StandardCharsets.UTF_8);
            return 0;
        } catch (IOException e) {
            err.println("ha-agent: cannot write " + p + ": " + e.getMessage());
            return 1;
        }
    }

    /** Patroni's _format_config: top-level keys in its order, bootstrap.dcs with ttl and the timings first. */
    @SuppressWarnings("unchecked")
    static String format(Map<String, Object> config) {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("scope", "namespace", "name", "log", "restapi", "ctl", "etcd", "etcd3")) {
            section(b, config, name);
        }
        Map<String, Object> bootstrap = (Map<String, Object>) config.get("bootstrap");
        if (bootstrap != null && bootstrap.get("dcs") instanceof Map<?, ?> dcsMap) {
            Map<String, Object> dcs = new TreeMap<>((Map<String, Object>) dcsMap);
            b.append(BOOTSTRAP_HEADER);
            for (String first : List.of("loop_wait", "retry_timeout", "ttl")) {
                if (dcs.containsKey(first)) {
                    b.append(block(Map.of(first, dcs.remove(first)), "    ")).append('\n');
                }
            }
            dcs.forEach((k, v) -> b.append(block(Map.of(k, v), "    ")).append('\n'));
        }
        for (String name : List.of("postgresql", "watchdog", "tags")) {
            section(b, config, name);
        }
        String s = b.toString();
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static void section(StringBuilder b, Map<String, Object> config, String name) {
        if (!config.containsKey(name)) {
            return;
        }
        if (config.get(name) instanceof Map) {
            b.append('\n');
        }
        b.append(block(Map.of(name, config.get(name)), "")).append('\n');
    }

    /** PyYAML's safe_dump(default_flow_style=False, indent=2), stripped, each line prefixed. */
    static String block(Object data, String prefix) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(0);
        o.setWidth(1000);
        String text = new Yaml(o).dump(sorted(data)).strip();
        return prefix + text.replace("\n", "\n" + prefix);
    }

    private static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), sorted(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(GeneratedConfig::sorted).toList();
        }
        return v;
    }
}
