package io.haagent.config.loader;

import io.haagent.cluster.Tags;
import io.haagent.config.AgentConfig;
import io.haagent.config.BootstrapConfig;
import io.haagent.config.Credentials;
import io.haagent.config.CtlConfig;
import io.haagent.config.DynamicConfig;
import io.haagent.config.EtcdConfig;
import io.haagent.config.LogConfig;
import io.haagent.config.PostgresqlConfig;
import io.haagent.config.RestApiConfig;
import io.haagent.config.RestrictedGucs;
import io.haagent.config.Secret;
import io.haagent.config.WatchdogConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the typed {@link AgentConfig} from a configuration tree, leniently: Patroni's defaults fill what is
 * absent, a value of the wrong type reads as absent (the schema check reports it), and every interpretation
 * the user should know about becomes a problem: legacy places of settings, the seed's
 * {@code replication.master} shape, the member name taken from the host name, the superuser defaulted to
 * {@code postgres} over the local socket, the dynamic configuration's adjustments. Pure: no I/O.
 */
final class ConfigBuilder {
    static final String DEFAULT_NAMESPACE = "/service";
    static final int DEFAULT_REQUEST_QUEUE_SIZE = 5;
    static final int DEFAULT_PG_CTL_TIMEOUT = 60;
    static final int DEFAULT_LOG_FILE_NUM = 4;
    static final long DEFAULT_LOG_FILE_SIZE = 25_000_000L;
    static final String SUPERUSER_OS_USER = "postgres";

    private final ConfigTree t;
    private final HostEnvironment host;
    private final Set<String> erroredPaths;
    private final List<Problem> problems = new ArrayList<>();

    record Result(AgentConfig config, List<Problem> problems) {
    }

    private ConfigBuilder(ConfigTree tree, HostEnvironment host, Set<String> erroredPaths) {
        this.t = tree;
        this.host = host;
        this.erroredPaths = erroredPaths;
    }

    /**
     * @param erroredPaths key paths the schema check already reported as errors: the builder does not repeat
     *                     what the dynamic configuration says about them
     */
    static Result build(ConfigTree tree, HostEnvironment host, List<Path> sources, Set<String> erroredPaths) {
        ConfigBuilder b = new ConfigBuilder(tree, host, erroredPaths);
        PostgresqlConfig pg = b.postgresql();
        AgentConfig config = new AgentConfig(
                b.name(),
                tree.str("scope"),
                tree.str("namespace", DEFAULT_NAMESPACE),
                b.log(),
                b.bootstrap(),
                b.restapi(),
                b.ctl(),
                b.etcd(),
                pg,
                b.watchdog(),
                // what the member key, /patroni and tag_<k>=<v> filters see (§1.3.1; Patroni's get_tags):
                // clonefrom/nofailover/noloadbalance/nosync/nostream only when true
                Tags.effective(tree.map("tags")),
                // an invalid value is the schema check's error; the builder falls back to auto
                java.util.Objects.requireNonNullElse(io.haagent.cluster.RoleNames.Setting.parse(
                        tree.str(io.haagent.cluster.RoleNames.Setting.KEY)), io.haagent.cluster.RoleNames.Setting.AUTO),
                List.copyOf(sources));
        return new Result(config, List.copyOf(b.problems));
    }

    /** Nothing more is said about a key the schema check found wrong, or one inside it: its error says it all. */
    private boolean alreadyWrong(String path) {
        for (String p = path; ; p = p.substring(0, p.lastIndexOf('.'))) {
            if (erroredPaths.contains(p)) {
                return true;
            }
            if (p.indexOf('.') < 0) {
                return false;
            }
        }
    }

    private void warn(String path, String message) {
        if (!alreadyWrong(path)) {
            problems.add(Problem.warning(t.origin(path), path, message));
        }
    }

    private void error(String path, String message, boolean blocksStart) {
        if (!alreadyWrong(path)) {
            problems.add(Problem.error(t.origin(path), path, message, blocksStart));
        }
    }

    private String name() {
        String name = t.str("name");
        String legacy = t.str("postgresql.name");
        if (name != null) {
            if (legacy != null && !legacy.equals(name)) {
                warn("postgresql.name", "has no effect: the top-level name '" + name + "' is used; remove it");
            }
            return name;
        }
        if (legacy != null) {
            warn("postgresql.name", "legacy place of the member name, still read: move it to the top-level name");
            return legacy;
        }
        if (host.hostName() != null && !host.hostName().isBlank()) {
            warn("name", "missing: using this host's name '" + host.hostName() + "' as the member name; set name:"
                    + " explicitly, unique in the cluster (e.g. pg1)");
            return host.hostName();
        }
        error("name", "missing: set it to this node's member name, unique in the cluster (e.g. pg1)", true);
        return null;
    }

    private LogConfig log() {
        LogConfig d = LogConfig.DEFAULT;
        String dir = t.str("log.dir");
        Integer fileNum = t.integer("log.file_num");
        Long fileSize = t.longValue("log.file_size");
        if (dir != null) {
            fileNum = fileNum == null ? DEFAULT_LOG_FILE_NUM : fileNum;
            fileSize = fileSize == null ? DEFAULT_LOG_FILE_SIZE : fileSize;
        }
        Map<String, String> loggers = t.stringMap("log.loggers");
        Map<String, Object> staticFields = t.map("log.static_fields");
        return new LogConfig(
                t.str("log.type", d.type()),
                t.str("log.level", d.level()),
                t.str("log.traceback_level", d.tracebackLevel()),
                logFormat(d.format()),
                t.str("log.dateformat"),
                staticFields == null ? Map.of() : staticFields,
                t.integer("log.max_queue_size", d.maxQueueSize()),
                dir,
                fileNum,
                fileSize,
                loggers == null ? Map.of() : loggers,
                t.bool("log.deduplicate_heartbeat_logs", false));
    }

    /** A list format (json logs) is kept as the equivalent Python format string of its fields. */
    private String logFormat(String dflt) {
        ConfigNode n = t.node("log.format");
        if (n instanceof ConfigNode.Scalar s) {
            return s.text();
        }
        if (!(n instanceof ConfigNode.Sequence seq)) {
            return dflt;
        }
        StringBuilder sb = new StringBuilder();
        for (ConfigNode item : seq.items()) {
            String field = null;
            if (item instanceof ConfigNode.Scalar s && !s.isNull()) {
                field = s.text();
            } else if (item instanceof ConfigNode.Mapping m && m.entries().size() == 1) {
                field = m.entries().keySet().iterator().next();
                problems.add(Problem.warning(item.origin(), "log.format", "renaming log fields is not supported:"
                        + " field " + field + " keeps its name"));
            }
            if (field != null) {
                sb.append(sb.length() == 0 ? "" : " ").append("%(").append(field).append(")s");
            }
        }
        return sb.length() == 0 ? dflt : sb.toString();
    }

    private BootstrapConfig bootstrap() {
        Map<String, Object> dcs = t.map("bootstrap.dcs");
        String method = t.str("bootstrap.method", "initdb");
        Map<String, Map<String, Object>> methods = new LinkedHashMap<>();
        if (t.node("bootstrap") instanceof ConfigNode.Mapping b) {
            Set<String> known = Set.of("dcs", "method", "initdb", "post_bootstrap", "post_init", "pg_hba", "users");
            b.entries().forEach((k, v) -> {
                if (!known.contains(k) && v instanceof ConfigNode.Mapping && k.equals(method)) {
                    methods.put(k, t.map("bootstrap." + k));
                }
            });
        }
        if (!method.equals("initdb") && t.str("bootstrap." + method + ".command") == null) {
            warn("bootstrap.method", "'" + method + "' has no bootstrap." + method + " section with a command, so a"
                    + " new cluster is created with initdb; add bootstrap." + method + ".command");
        }
        Object initdb = t.plain("bootstrap.initdb");
        List<Object> initdbOptions = new ArrayList<>();
        if (initdb instanceof List<?> l) {
            initdbOptions.addAll(l);
        }
        String post = t.str("bootstrap.post_bootstrap");
        if (post == null) {
            post = t.str("bootstrap.post_init");
        }
        List<String> hba = t.strings("bootstrap.pg_hba");
        return new BootstrapConfig(
                dcs == null ? Map.of() : dcs,
                method,
                initdbOptions,
                methods,
                post,
                hba == null ? List.of() : hba,
                users());
    }

    /** {@code bootstrap.users}, passwords as {@link Secret} so the record's toString cannot show them. */
    private Map<String, Object> users() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (t.node("bootstrap.users") instanceof ConfigNode.Mapping users) {
            for (String user : users.entries().keySet()) {
                String base = "bootstrap.users." + user;
                Map<String, Object> u = new LinkedHashMap<>();
                Secret password = Secret.of(t.str(base + ".password"));
                if (password != null) {
                    u.put("password", password);
                }
                List<String> options = t.strings(base + ".options");
                if (options != null) {
                    u.put("options", options);
                }
                out.put(user, u);
            }
        }
        return out;
    }

    private RestApiConfig restapi() {
        String[] auth = authentication("restapi");
        List<String> allowlist = t.strings("restapi.allowlist");
        Map<String, String> http = t.stringMap("restapi.http_extra_headers");
        Map<String, String> https = t.stringMap("restapi.https_extra_headers");
        return new RestApiConfig(
                t.str("restapi.listen"),
                t.str("restapi.connect_address"),
                auth[0],
                Secret.of(auth[1]),
                t.str("restapi.certfile"),
                t.str("restapi.keyfile"),
                Secret.of(t.str("restapi.keyfile_password")),
                t.str("restapi.cafile"),
                t.str("restapi.ciphers"),
                t.str("restapi.verify_client", "none"),
                allowlist == null ? List.of() : allowlist,
                t.bool("restapi.allowlist_include_members", false),
                http == null ? Map.of() : http,
                https == null ? Map.of() : https,
                t.integer("restapi.request_queue_size", DEFAULT_REQUEST_QUEUE_SIZE));
    }

    private CtlConfig ctl() {
        String[] auth = authentication("ctl");
        return new CtlConfig(auth[0], Secret.of(auth[1]), t.bool("ctl.insecure", false), t.str("ctl.cacert"),
                t.str("ctl.certfile"), t.str("ctl.keyfile"), Secret.of(t.str("ctl.keyfile_password")));
    }

    /** {username, password} from {@code <section>.authentication}, else the legacy {@code <section>.auth}. */
    private String[] authentication(String section) {
        if (t.has(section + ".authentication")) {
            return new String[] {t.str(section + ".authentication.username"),
                    t.str(section + ".authentication.password")};
        }
        String legacy = t.str(section + ".auth");
        if (legacy != null) {
            int colon = legacy.indexOf(':');
            return colon < 0 ? new String[] {legacy, null}
                    : new String[] {legacy.substring(0, colon), legacy.substring(colon + 1)};
        }
        return new String[] {null, null};
    }

    private EtcdConfig etcd() {
        boolean v2 = t.has("etcd");
        boolean v3 = t.has("etcd3");
        if (v2 && v3) {
            error("etcd", "both etcd and etcd3 are configured: keep only etcd3 (ha-agent uses etcd3 and ignores"
                    + " this section)", false);
        }
        if (!v2 && !v3) {
            error("etcd3", "missing: add an etcd3 section with hosts: [host:2379, ...] (ha-agent supports etcd v3"
                    + " only)", true);
            return null;
        }
        String s = v3 ? "etcd3" : "etcd";
        if (!v3) {
            warn("etcd", "read as etcd v3: ha-agent speaks only the v3 API, while Patroni reads an etcd: section"
                    + " as the v2 API, whose keys v3 clients do not see; rename it to etcd3 so that Patroni nodes"
                    + " and patronictl use the same keys");
        }
        String username = t.str(s + ".username");
        String password = t.str(s + ".password");
        List<String> given = EtcdEndpoints.given(t, s);
        if (given.size() > 1) {
            warn(s + "." + given.get(1), "several of " + String.join(", ", given) + " are set: only "
                    + given.get(0) + " is used; keep one");
        }
        if (given.isEmpty()) {
            error(s, "no etcd endpoints: set hosts: [host:2379, ...]", true);
        }
        List<EtcdEndpoints.Endpoint> found = EtcdEndpoints.of(t, s);
        List<String> endpoints = new ArrayList<>();
        found.forEach(e -> endpoints.add(e.url()));
        String protocol = found.isEmpty() ? t.str(s + ".protocol", "http") : found.get(0).protocol();
        if (!given.isEmpty() && (given.get(0).equals("url") || given.get(0).equals("proxy")) && username == null) {
            // Patroni takes credentials written into the URL (http://user:password@host:2379).
            try {
                String userInfo = HostPort.parseUrl(t.str(s + "." + given.get(0))).getUserInfo();
                if (userInfo != null) {
                    String[] ui = userInfo.split(":", 2);
                    username = ui[0];
                    password = ui.length > 1 ? ui[1] : password;
                }
            } catch (IllegalArgumentException e) {
                // reported by the schema check
            }
        }
        return new EtcdConfig(s, List.copyOf(endpoints), protocol, username, Secret.of(password),
                t.str(s + ".cacert"), t.str(s + ".cert"), t.str(s + ".key"), Secret.of(t.str(s + ".key_password")));
    }

    private Credentials credentials(String path) {
        if (!(t.node(path) instanceof ConfigNode.Mapping)) {
            return null;
        }
        return new Credentials(
                t.str(path + ".username"),
                Secret.of(t.str(path + ".password")),
                t.str(path + ".sslmode"),
                t.str(path + ".sslkey"),
                Secret.of(t.str(path + ".sslpassword")),
                t.str(path + ".sslcert"),
                t.str(path + ".sslrootcert"),
                t.str(path + ".sslcrl"),
                t.str(path + ".sslcrldir"),
                t.str(path + ".gssencmode"),
                t.str(path + ".channel_binding"));
    }

    private PostgresqlConfig postgresql() {
        String p = "postgresql";
        Credentials superuser;
        Credentials replication;
        Credentials rewind = null;
        boolean useUnixSocket = t.bool(p + ".use_unix_socket", false);
        boolean usePgRewind = t.bool(p + ".use_pg_rewind", false);
        if (t.has(p + ".authentication")) {
            superuser = credentials(p + ".authentication.superuser");
            replication = credentials(p + ".authentication.replication");
            rewind = credentials(p + ".authentication.rewind");
            for (String legacy : List.of("replication", "superuser", "pg_rewind")) {
                if (t.has(p + "." + legacy)) {
                    warn(p + "." + legacy, "ignored: postgresql.authentication is set; remove this legacy section");
                }
            }
        } else {
            replication = legacyReplication();
            superuser = credentials(p + ".superuser");
            if (superuser != null) {
                warn(p + ".superuser", "legacy place, still read as postgresql.authentication.superuser: move it"
                        + " there");
            }
            if (t.has(p + ".pg_rewind")) {
                // Patroni: without postgresql.authentication, the legacy pg_rewind section switches rewind on
                // and stands in for a missing superuser.
                usePgRewind = true;
                if (superuser == null) {
                    superuser = credentials(p + ".pg_rewind");
                }
                warn(p + ".pg_rewind", "legacy, still read: pg_rewind is used"
                        + (superuser != null && t.node(p + ".superuser") == null ? " and these credentials are the"
                        + " superuser's" : "") + "; write postgresql.authentication and use_pg_rewind instead");
            }
        }
        String authPath = p + ".authentication.superuser";
        if (superuser == null && !t.has(authPath)) {
            if (SUPERUSER_OS_USER.equals(host.osUser())) {
                superuser = Credentials.of(SUPERUSER_OS_USER, null);
                useUnixSocket = true;
                warn(authPath, "missing: using user postgres over the local socket (peer authentication), as"
                        + " ha-agent runs as the postgres OS user; set username and password to connect otherwise");
            } else {
                error(authPath, "missing: set username and password of a PostgreSQL superuser (or run ha-agent as"
                        + " the postgres OS user to use postgres over the local socket)", true);
            }
        }
        if (replication == null) {
            error(p + ".authentication.replication", "missing: set username and password of the replication user"
                    + " that replicas connect as", false);
        }

        List<String> methods = t.strings(p + ".create_replica_methods");
        if (methods == null && t.has(p + ".create_replica_method")) {
            methods = t.strings(p + ".create_replica_method");
            if (methods == null) {
                methods = List.of(t.str(p + ".create_replica_method"));
            }
        }
        if (methods == null) {
            methods = List.of("basebackup");
        }
        Map<String, Map<String, Object>> replicaMethods = new LinkedHashMap<>();
        for (String m : methods) {
            if (m.equals("basebackup")) {
                continue;
            }
            Map<String, Object> section = t.map(p + "." + m);
            if (section != null && section.get("command") != null) {
                replicaMethods.put(m, section);
            } else {
                warn(p + ".create_replica_methods", "'" + m + "' has no postgresql." + m + " section with a"
                        + " command, so it is skipped; add postgresql." + m + ".command");
            }
        }
        Map<String, String> binName = t.stringMap(p + ".bin_name");
        Map<String, Object> parameters = t.map(p + ".parameters");
        Map<String, Object> recovery = t.map(p + ".recovery_conf");
        Map<String, String> callbacks = t.stringMap(p + ".callbacks");
        return new PostgresqlConfig(
                t.str(p + ".listen"),
                t.str(p + ".connect_address"),
                t.str(p + ".proxy_address"),
                t.str(p + ".data_dir"),
                t.str(p + ".config_dir"),
                t.str(p + ".bin_dir", ""),
                binName == null ? Map.of() : binName,
                t.str(p + ".pgpass", Path.of(host.home(), "pgpass").toString()),
                superuser,
                replication,
                rewind,
                parameters == null ? Map.of() : parameters,
                t.strings(p + ".pg_hba"),
                t.strings(p + ".pg_ident"),
                t.str(p + ".custom_conf"),
                recovery == null ? Map.of() : recovery,
                callbacks == null ? Map.of() : callbacks,
                t.str(p + ".pre_promote"),
                t.str(p + ".before_stop"),
                List.copyOf(methods),
                t.plain(p + ".basebackup"),
                replicaMethods,
                useUnixSocket,
                t.bool(p + ".use_unix_socket_repl", false),
                t.integer(p + ".pg_ctl_timeout", DEFAULT_PG_CTL_TIMEOUT),
                usePgRewind,
                t.bool(p + ".remove_data_directory_on_rewind_failure", false),
                t.bool(p + ".remove_data_directory_on_diverged_timelines", false),
                t.str(p + ".krbsrvname"),
                t.str(p + ".database", "postgres"),
                t.str(p + ".config_base_name", "postgresql"));
    }

    /**
     * Replication credentials without {@code postgresql.authentication}: Patroni's legacy
     * {@code postgresql.replication: {username, password}}, or the seed's {@code replication.master.user/password}.
     */
    private Credentials legacyReplication() {
        String p = "postgresql.replication";
        if (!(t.node(p) instanceof ConfigNode.Mapping)) {
            return null;
        }
        if (t.str(p + ".username") != null) {
            warn(p, "legacy place, still read as postgresql.authentication.replication: move it there");
            return credentials(p);
        }
        if (t.str(p + ".master.user") != null) {
            warn(p, "not Patroni's shape: master.user and master.password are used as the replication"
                    + " credentials; write them as postgresql.authentication.replication.username and password");
            return Credentials.of(t.str(p + ".master.user"), Secret.of(t.str(p + ".master.password")));
        }
        warn(p, "no replication user found here: write postgresql.authentication.replication.username and"
                + " password");
        return null;
    }

    private WatchdogConfig watchdog() {
        WatchdogConfig d = WatchdogConfig.DEFAULT;
        String mode = d.mode();
        if (t.node("watchdog.mode") instanceof ConfigNode.Scalar s) {
            // YAML reads "mode: off" as the boolean false; Patroni maps booleans to off/automatic.
            if (s.value() instanceof Boolean b) {
                mode = b ? "automatic" : "off";
            } else if (List.of("off", "automatic", "required").contains(s.text().toLowerCase())) {
                mode = s.text().toLowerCase();
            }
        }
        return new WatchdogConfig(mode, t.str("watchdog.device", d.device()),
                t.integer("watchdog.safety_margin", d.safetyMargin()));
    }
}
