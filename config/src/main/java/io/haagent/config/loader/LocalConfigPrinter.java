package io.haagent.config.loader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code ha-agent --validate-config --print} (Patroni 4.1): the node's local configuration as read, with the
 * {@code PATRONI_*} environment overrides applied, as block YAML with sorted keys (PyYAML's safe_dump). Unlike
 * Patroni, the values of password keys ({@code password}, {@code keyfile_password}, {@code sslpassword}) are printed
 * as {@code '******'}: ha-agent prints no password.
 */
public final class LocalConfigPrinter {
    public static final String HIDDEN = "******";

    private LocalConfigPrinter() {
    }

    /** @return the YAML, or null when the configuration cannot be read (validation says why) */
    public static String yaml(Path configPath, Map<String, String> env) {
        ConfigReader.Result read = ConfigReader.read(configPath, env);
        if (read.tree() == null) {
            return null;
        }
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndicatorIndent(0);
        return new Yaml(o).dump(masked(read.tree().toPlain()));
    }

    /** {@code password}, and the keys that hold one under another name ({@code keyfile_password}, {@code sslpassword}). */
    static boolean secret(String key) {
        return key.toLowerCase(java.util.Locale.ROOT).endsWith("password");
    }

    static Object masked(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, value) -> out.put(String.valueOf(k), secret(String.valueOf(k)) && value != null
                    ? HIDDEN : masked(value)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(masked(x)));
            return out;
        }
        return v;
    }
}
