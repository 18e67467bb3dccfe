package io.haagent.config.loader;

import io.haagent.config.Values;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code PATRONI_*} environment variables as a configuration tree (§5.4), read the way Patroni's
 * {@code _build_environment_configuration} reads them: the same names, the same type coercion (PORT an
 * integer; HOSTS, PORTS, CHECKS, SERVICE_TAGS, RETRIABLE_HTTP_CODES, ALLOWLIST YAML lists with optional
 * brackets; LABELS, SET_ACLS, AUTH_DATA, extra headers, static fields, loggers YAML maps with optional braces;
 * Patroni's boolean words), and {@code PATRONI_<user>_PASSWORD}/{@code _OPTIONS} as {@code bootstrap.users}.
 * Every value cites its variable.
 *
 * <p>Two deliberate differences: a value that cannot be coerced (e.g. {@code PATRONI_RESTAPI_REQUEST_QUEUE_SIZE=ten})
 * is kept as written so the schema check reports it instead of dropping it silently; and
 * {@code PATRONI_ETCD3_USERNAME/PASSWORD} (or ETCD) always mean the etcd credentials, where Patroni takes them
 * only when another {@code PATRONI_ETCD3_*} variable is set and otherwise creates a database user "ETCD3".
 * Variables with the prefix that nothing reads are reported, with the nearest known name.
 */
public final class PatroniEnvironment {
    public static final String PREFIX = "PATRONI_";
    public static final String CONFIGURATION = "PATRONI_CONFIGURATION";

    static final List<String> AUTH_PARAMETERS = List.of("username", "password", "sslmode", "sslcert", "sslkey",
            "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "gssencmode", "channel_binding");
    static final List<String> RESTAPI = List.of("listen", "connect_address", "certfile", "keyfile",
            "keyfile_password", "cafile", "ciphers", "verify_client", "http_extra_headers", "https_extra_headers",
            "allowlist", "allowlist_include_members", "request_queue_size");
    static final List<String> CTL = List.of("insecure", "cacert", "certfile", "keyfile", "keyfile_password");
    static final List<String> POSTGRESQL = List.of("listen", "connect_address", "proxy_address", "config_dir",
            "data_dir", "pgpass", "bin_dir");
    static final List<String> LOG = List.of("type", "level", "traceback_level", "format", "dateformat",
            "static_fields", "max_queue_size", "dir", "file_size", "file_num", "loggers");
    static final List<String> RAFT = List.of("data_dir", "self_addr", "partner_addrs", "password", "bind_addr");
    static final List<String> BINARIES = List.of("pg_ctl", "initdb", "pg_controldata", "pg_basebackup",
            "postgres", "pg_isready", "pg_rewind");
    static final Set<String> DCS_SUFFIXES = Set.of("HOST", "HOSTS", "PORT", "USE_PROXIES", "PROTOCOL", "SRV",
            "SRV_SUFFIX", "URL", "PROXY", "CACERT", "CERT", "KEY", "VERIFY", "TOKEN", "CHECKS", "DC", "CONSISTENCY",
            "REGISTER_SERVICE", "SERVICE_CHECK_INTERVAL", "SERVICE_CHECK_TLS_SERVER_NAME", "SERVICE_TAGS",
            "NAMESPACE", "CONTEXT", "USE_ENDPOINTS", "SCOPE_LABEL", "ROLE_LABEL", "POD_IP", "PORTS", "LABELS",
            "BYPASS_API_SERVICE", "RETRIABLE_HTTP_CODES", "KEY_PASSWORD", "USE_SSL", "SET_ACLS", "GROUP", "DATABASE",
            "LEADER_LABEL_VALUE", "FOLLOWER_LABEL_VALUE", "STANDBY_LEADER_LABEL_VALUE", "TMP_ROLE_LABEL",
            "AUTH_DATA");
    private static final Set<String> LIST_SUFFIXES = Set.of("HOSTS", "PORTS", "CHECKS", "SERVICE_TAGS",
            "RETRIABLE_HTTP_CODES");
    private static final Set<String> MAP_SUFFIXES = Set.of("LABELS", "SET_ACLS", "AUTH_DATA");
    private static final Set<String> BOOL_SUFFIXES = Set.of("USE_PROXIES", "REGISTER_SERVICE", "USE_ENDPOINTS",
            "BYPASS_API_SERVICE", "VERIFY");
    private static final Pattern PY_FORMAT_FIELD = Pattern.compile("%\\(\\w+\\)");

    private final Map<String, String> env;
    private final Map<String, Object> tree = new LinkedHashMap<>();
    private final List<Problem> problems = new ArrayList<>();
    /** Legacy variable names moved to their new names: values cite the variable the user actually set. */
    private final Map<String, String> renamed = new LinkedHashMap<>();
    /** Where each intermediate section of the tree was first created (the variable that created it). */
    private final Map<Object, Origin> originOf = new IdentityHashMap<>();

    private PatroniEnvironment(Map<String, String> environment) {
        this.env = new TreeMap<>();
        environment.forEach((k, v) -> {
            if (k.startsWith(PREFIX) && !k.equals(CONFIGURATION)) {
                env.put(k, v);
            }
        });
    }

    /** The tree and the problems found (unknown variables). */
    public record Result(ConfigNode.Mapping tree, List<Problem> problems, Set<String> consumed) {
        public boolean isEmpty() {
            return tree.entries().isEmpty();
        }
    }

    public static Result read(Map<String, String> environment) {
        PatroniEnvironment e = new PatroniEnvironment(environment);
        Set<String> all = new TreeSet<>(e.env.keySet());
        e.build();
        Set<String> consumed = new TreeSet<>(all);
        consumed.removeAll(e.env.keySet());
        for (String left : e.env.keySet()) {
            String hint = Suggestions.nearest(left, knownNames(), 3);
            e.problems.add(Problem.warning(Origin.env(left), "(environment)", "not a variable ha-agent (or Patroni) reads; ignored"
                    + (hint == null ? "" : "; did you mean " + hint + "?")));
        }
        return new Result(e.toMapping(e.tree, new Origin("environment", 0, Origin.ENVIRONMENT_RANK)),
                List.copyOf(e.problems), consumed);
    }

    private void build() {
        for (String param : List.of("name", "namespace", "scope")) {
            String v = pop(param);
            if (v != null) {
                put(PREFIX + param.toUpperCase(), v, param);
            }
        }
        // Legacy log variable names; the new name wins when both are set.
        fixLogEnv("level", "LOGLEVEL");
        fixLogEnv("format", "LOGFORMAT");
        fixLogEnv("dateformat", "LOG_DATEFMT");

        sectionValues("restapi", RESTAPI);
        sectionValues("ctl", CTL);
        sectionValues("postgresql", POSTGRESQL);
        sectionValues("log", LOG);
        sectionValues("raft", RAFT);
        for (String binary : BINARIES) {
            String name = "POSTGRESQL_BIN_" + binary.toUpperCase();
            String v = pop(name);
            if (v != null) {
                put(PREFIX + name, v, "postgresql", "bin_name", binary);
            }
        }

        coerceBool("restapi", "allowlist_include_members");
        coerceBool("ctl", "insecure");
        for (String[] p : new String[][] {{"restapi", "request_queue_size"}, {"log", "max_queue_size"},
                {"log", "file_size"}, {"log", "file_num"}}) {
            coerceInt(p[0], p[1]);
        }
        coerceList("raft", "partner_addrs");
        coerceList("restapi", "allowlist");
        Object format = get("log", "format");
        if (format instanceof ConfigNode.Scalar s && !PY_FORMAT_FIELD.matcher(s.text()).find()) {
            coerceList("log", "format");
        }
        for (String[] p : new String[][] {{"restapi", "http_extra_headers"}, {"restapi", "https_extra_headers"},
                {"log", "static_fields"}, {"log", "loggers"}}) {
            coerceMap(p[0], p[1]);
        }

        for (String section : List.of("ctl", "restapi")) {
            auth(section, AUTH_PARAMETERS.subList(0, 2), section, "authentication");
        }
        for (String userType : List.of("replication", "superuser", "rewind")) {
            auth(userType, AUTH_PARAMETERS, "postgresql", "authentication", userType);
        }

        for (String var : new ArrayList<>(env.keySet())) {
            String rest = var.substring(PREFIX.length());
            int us = rest.indexOf('_');
            if (us <= 0) {
                continue;
            }
            String name = rest.substring(0, us);
            String suffix = rest.substring(us + 1);
            if (!DCS_SUFFIXES.contains(suffix)) {
                continue;
            }
            String value = env.remove(var);
            String section = name.toLowerCase();
            String key = suffix.toLowerCase();
            if (name.equals("CITUS")) {
                if (suffix.equals("GROUP")) {
                    put(var, intOrText(value, var), section, key);
                } else if (suffix.equals("DATABASE")) {
                    put(var, value, section, key);
                }
                continue;
            }
            if (suffix.equals("PORT")) {
                if (!value.isEmpty()) {
                    put(var, intOrText(value, var), section, key);
                }
            } else if (LIST_SUFFIXES.contains(suffix)) {
                if (!value.isEmpty()) {
                    put(var, parseList(value, var), section, key);
                }
            } else if (MAP_SUFFIXES.contains(suffix)) {
                put(var, parseMap(value, var), section, key);
            } else if (BOOL_SUFFIXES.contains(suffix)) {
                Boolean b = Values.toBool(value);
                put(var, b != null ? new ConfigNode.Scalar(b, value, Origin.env(var)) : value, section, key);
            } else {
                put(var, value, section, key);
            }
        }
        for (String dcs : List.of("etcd", "etcd3")) {
            auth(dcs, AUTH_PARAMETERS.subList(0, 2), dcs);
        }

        // PATRONI_<user>_PASSWORD=<password>, PATRONI_<user>_OPTIONS=<option1,option2,...>: bootstrap.users
        for (String var : new ArrayList<>(env.keySet())) {
            if (!env.containsKey(var)) {
                continue;
            }
            String rest = var.substring(PREFIX.length());
            int us = rest.lastIndexOf('_');
            if (us <= 0 || !rest.substring(us + 1).equals("PASSWORD")) {
                continue;
            }
            String user = rest.substring(0, us);
            String password = env.remove(var);
            if (password.isEmpty()) {
                continue;
            }
            put(var, password, "bootstrap", "users", user, "password");
            String optionsVar = var.substring(0, var.length() - "_PASSWORD".length()) + "_OPTIONS";
            String options = env.remove(optionsVar);
            if (options != null && !options.isEmpty()) {
                put(optionsVar, parseList(options, optionsVar), "bootstrap", "users", user, "options");
            }
        }
    }

    private String pop(String name) {
        String v = env.remove(PREFIX + name.toUpperCase());
        return v == null || v.isEmpty() ? null : v;
    }

    private void fixLogEnv(String name, String oldName) {
        String old = env.remove(PREFIX + oldName);
        String newName = PREFIX + "LOG_" + name.toUpperCase();
        if (old != null && !old.isEmpty() && !env.containsKey(newName)) {
            env.put(newName, old);
            renamed.put(newName, PREFIX + oldName);
        }
    }

    private void sectionValues(String section, List<String> params) {
        for (String param : params) {
            String name = section + "_" + param;
            String v = pop(name);
            if (v != null) {
                put(PREFIX + name.toUpperCase(), v, section, param);
            }
        }
    }

    private void auth(String envSection, List<String> params, String... path) {
        for (String param : params) {
            String var = PREFIX + (envSection + "_" + param).toUpperCase();
            String v = env.remove(var);
            if (v != null && !v.isEmpty()) {
                String[] full = new String[path.length + 1];
                System.arraycopy(path, 0, full, 0, path.length);
                full[path.length] = param;
                put(var, v, full);
            }
        }
    }

    private void coerceBool(String section, String key) {
        if (get(section, key) instanceof ConfigNode.Scalar s) {
            Boolean b = Values.toBool(s.text());
            if (b != null) {
                set(new ConfigNode.Scalar(b, s.text(), s.origin()), section, key);
            }
        }
    }

    private void coerceInt(String section, String key) {
        if (get(section, key) instanceof ConfigNode.Scalar s) {
            set(intNode(s.text(), s.origin()), section, key);
        }
    }

    private void coerceList(String section, String key) {
        if (get(section, key) instanceof ConfigNode.Scalar s) {
            set(parseList(s.text(), s.origin().source()), section, key);
        }
    }

    private void coerceMap(String section, String key) {
        if (get(section, key) instanceof ConfigNode.Scalar s) {
            set(parseMap(s.text(), s.origin().source()), section, key);
        }
    }

    private ConfigNode intOrText(String value, String var) {
        return intNode(value, Origin.env(var));
    }

    private static ConfigNode intNode(String text, Origin origin) {
        try {
            return new ConfigNode.Scalar(Integer.parseInt(text.trim()), text, origin);
        } catch (NumberFormatException e) {
            return new ConfigNode.Scalar(text, text, origin);
        }
    }

    /** A YAML list with optional brackets: {@code a:1,b:2}, {@code [a:1, b:2]}, or a block list. */
    private ConfigNode parseList(String value, String var) {
        String text = value.strip().startsWith("-") || value.contains("[") ? value : "[" + value + "]";
        return parseYaml(text, value, var);
    }

    /** A YAML mapping with optional braces: {@code app: x, tier: db} or {@code {app: x}}. */
    private ConfigNode parseMap(String value, String var) {
        String text = value.strip().startsWith("{") ? value : "{" + value + "}";
        return parseYaml(text, value, var);
    }

    private ConfigNode parseYaml(String text, String original, String var) {
        ConfigNode node = new YamlTreeReader().readValue(text, var, Origin.ENVIRONMENT_RANK, false);
        // Not YAML: keep the text, so the schema check reports the wrong type rather than dropping the value.
        return node == null ? new ConfigNode.Scalar(original, original, Origin.env(var)) : node;
    }

    private void put(String var, Object value, String... path) {
        String source = renamed.getOrDefault(var, var);
        ConfigNode node = value instanceof ConfigNode n ? n
                : new ConfigNode.Scalar(value, value.toString(), Origin.env(source));
        set(node, path);
    }

    @SuppressWarnings("unchecked")
    private void set(ConfigNode node, String... path) {
        Map<String, Object> m = tree;
        for (int i = 0; i < path.length - 1; i++) {
            Object next = m.get(path[i]);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                m.put(path[i], next);
                originOf.put(next, node.origin());
            }
            m = (Map<String, Object>) next;
        }
        m.put(path[path.length - 1], node);
    }

    @SuppressWarnings("unchecked")
    private Object get(String... path) {
        Object m = tree;
        for (String p : path) {
            if (!(m instanceof Map)) {
                return null;
            }
            m = ((Map<String, Object>) m).get(p);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private ConfigNode.Mapping toMapping(Map<String, Object> m, Origin origin) {
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        m.forEach((k, v) -> entries.put(k, v instanceof ConfigNode n ? n
                : toMapping((Map<String, Object>) v, originOf.get(v))));
        return new ConfigNode.Mapping(entries, origin);
    }

    /** Every variable name this reader knows, for "did you mean" hints. */
    static List<String> knownNames() {
        List<String> out = new ArrayList<>(List.of(PREFIX + "NAME", PREFIX + "NAMESPACE", PREFIX + "SCOPE",
                CONFIGURATION, PREFIX + "LOGLEVEL", PREFIX + "LOGFORMAT", PREFIX + "LOG_DATEFMT"));
        Map<String, List<String>> sections = new LinkedHashMap<>();
        sections.put("RESTAPI", RESTAPI);
        sections.put("CTL", CTL);
        sections.put("POSTGRESQL", POSTGRESQL);
        sections.put("LOG", LOG);
        sections.put("RAFT", RAFT);
        sections.forEach((s, params) -> params.forEach(p -> out.add(PREFIX + s + "_" + p.toUpperCase())));
        BINARIES.forEach(b -> out.add(PREFIX + "POSTGRESQL_BIN_" + b.toUpperCase()));
        for (String s : List.of("RESTAPI", "CTL", "ETCD", "ETCD3")) {
            out.add(PREFIX + s + "_USERNAME");
            out.add(PREFIX + s + "_PASSWORD");
        }
        for (String u : List.of("REPLICATION", "SUPERUSER", "REWIND")) {
            AUTH_PARAMETERS.forEach(p -> out.add(PREFIX + u + "_" + p.toUpperCase()));
        }
        for (String dcs : List.of("ETCD", "ETCD3")) {
            for (String s : List.of("HOST", "HOSTS", "PORT", "USE_PROXIES", "PROTOCOL", "SRV", "SRV_SUFFIX", "URL",
                    "PROXY", "CACERT", "CERT", "KEY")) {
                out.add(PREFIX + dcs + "_" + s);
            }
        }
        return out;
    }
}
