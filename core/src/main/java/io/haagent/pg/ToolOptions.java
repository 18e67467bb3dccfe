package io.haagent.pg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * User options for initdb and pg_basebackup as Patroni accepts them (§4.1, §4.5): a list of plain strings
 * ({@code data-checksums} → {@code --data-checksums}) and single-entry maps ({@code encoding: UTF8} →
 * {@code --encoding=UTF8}), or one map of {@code name: value}. Options the agent sets itself are refused with
 * an error naming the configuration key.
 */
public final class ToolOptions {
    /** initdb options the agent controls (data directory, password file, durability). */
    public static final Set<String> INITDB_FORBIDDEN = Set.of("pgdata", "nosync", "pwfile", "sync-only", "version",
            "pwprompt", "username", "U", "D");
    /** pg_basebackup options the agent controls (target, format, WAL method, connection). */
    public static final Set<String> BASEBACKUP_FORBIDDEN = Set.of("pgdata", "format", "wal-method", "xlog-method",
            "gzip", "version", "compress", "dbname", "host", "port", "username", "password", "D", "F", "X", "d", "h",
            "p", "U", "W", "z", "Z");

    private ToolOptions() {
    }

    /**
     * @param options   the configured value: null, a list of strings / single-entry maps, or a map
     * @param keyPath   the configuration key, e.g. {@code bootstrap.initdb}, for messages
     * @param forbidden option names the agent sets itself
     * @return the arguments, in the configured order
     * @throws PostgresException.InvalidOption naming the key path and the option
     */
    public static List<String> arguments(Object options, String keyPath, Set<String> forbidden) {
        List<String> out = new ArrayList<>();
        if (options == null) {
            return out;
        }
        if (options instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.add(option(String.valueOf(e.getKey()), e.getValue(), keyPath + "." + e.getKey(), forbidden));
            }
            return out;
        }
        if (!(options instanceof List<?> list)) {
            throw new PostgresException.InvalidOption(keyPath, String.valueOf(options),
                    "expected a list of options or a map of option: value");
        }
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            String path = keyPath + "[" + i + "]";
            if (item instanceof String s) {
                out.add(option(s, null, path, forbidden));
            } else if (item instanceof Map<?, ?> m && m.size() == 1) {
                Map.Entry<?, ?> e = m.entrySet().iterator().next();
                out.add(option(String.valueOf(e.getKey()), e.getValue(), path, forbidden));
            } else {
                throw new PostgresException.InvalidOption(path, String.valueOf(item),
                        "each item must be an option name or a single 'option: value' pair");
            }
        }
        return out;
    }

    private static String option(String rawName, Object value, String path, Set<String> forbidden) {
        String name = rawName.strip();
        while (name.startsWith("-")) {
            name = name.substring(1);
        }
        String inlineValue = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
            inlineValue = name.substring(eq + 1);
            name = name.substring(0, eq);
        }
        if (name.isEmpty()) {
            throw new PostgresException.InvalidOption(path, rawName, "empty option name");
        }
        if (forbidden.contains(name)) {
            throw new PostgresException.InvalidOption(path, rawName,
                    "the agent sets '" + name + "' itself; remove it from the configuration");
        }
        String v = value != null ? EffectiveParameters.text(value) : inlineValue;
        return v == null ? "--" + name : "--" + name + "=" + v;
    }
}
