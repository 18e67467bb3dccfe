package io.haagent.config.loader;

import io.haagent.config.DynamicConfigRules;
import io.haagent.config.RestrictedGucs;
import io.haagent.config.loader.KeySpec.Kind;
import io.haagent.config.loader.KeySpec.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Patroni's configuration schema (§5.2, §5.3) as data, in one place: it drives unknown-key detection, typo
 * suggestions, type, enum and range checks, required keys, and the notes for legacy names, settings with no
 * effect and settings ha-agent does not support. Defaults live in {@link ConfigBuilder}, next to where they
 * are applied.
 *
 * <p>Patterns: {@code *} matches any key, {@code []} a list item, {@code <replica-method>} a section named in
 * {@code create_replica_methods}, {@code <bootstrap-method>} the section named by {@code bootstrap.method}.
 * {@code bootstrap.dcs} is checked by the one validation of the cluster-wide configuration instead.
 */
public final class ConfigSchema {
    public static final String REPLICA_METHOD = "<replica-method>";
    public static final String BOOTSTRAP_METHOD = "<bootstrap-method>";
    static final Set<String> UNSUPPORTED_DCS = Set.of("consul", "zookeeper", "exhibitor", "kubernetes", "raft");

    private static final String CLUSTER_WIDE = "has no effect in the local configuration: it is cluster-wide;"
            + " set it under bootstrap.dcs for a new cluster, or with agentctl edit-config on a running one";
    private static final String RESTRICTED = "has no effect here: it must be equal on every node, so it is taken"
            + " only from the cluster-wide configuration; move it to bootstrap.dcs.postgresql.parameters"
            + " (agentctl edit-config on a running cluster)";
    private static final String NO_DCS = "not supported: ha-agent supports etcd v3 only; replace this section"
            + " with etcd3 (hosts: [host:2379, ...])";

    public static final ConfigSchema PATRONI = new ConfigSchema();

    private final Map<String, KeySpec> specs = new LinkedHashMap<>();

    private ConfigSchema() {
        define();
    }

    public KeySpec get(String pattern) {
        return specs.get(pattern);
    }

    public Map<String, KeySpec> all() {
        return Collections.unmodifiableMap(specs);
    }

    /** Child spec of {@code parent} for {@code key}, or null when the key is not known there. */
    public KeySpec child(String parent, String key, Set<String> replicaMethods, String bootstrapMethod) {
        KeySpec s = specs.get(join(parent, key));
        if (s == null && parent.endsWith(".parameters")) {
            s = specs.get(join(parent, key.toLowerCase(java.util.Locale.ROOT))); // GUC names ignore case
        }
        if (s != null) {
            return s;
        }
        if (parent.equals("postgresql") && replicaMethods.contains(key) && !key.equals("basebackup")) {
            return specs.get(join(parent, REPLICA_METHOD));
        }
        if (parent.equals("bootstrap") && key.equals(bootstrapMethod)) {
            return specs.get(join(parent, BOOTSTRAP_METHOD));
        }
        return specs.get(join(parent, "*"));
    }

    /** The keys known directly under {@code parent} (no wildcards), for "did you mean" and required checks. */
    public List<KeySpec> children(String parent) {
        List<KeySpec> out = new ArrayList<>();
        String prefix = parent.isEmpty() ? "" : parent + ".";
        for (KeySpec s : specs.values()) {
            String p = s.pattern();
            if (p.startsWith(prefix) && p.length() > prefix.length()) {
                String rest = p.substring(prefix.length());
                if (!rest.contains(".") && !rest.contains("[") && !rest.equals("*") && !rest.startsWith("<")) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** Known full patterns whose last key is {@code key} (for "did you mean" across sections). */
    public List<String> elsewhere(String key) {
        List<String> out = new ArrayList<>();
        for (KeySpec s : specs.values()) {
            String p = s.pattern();
            if (!p.contains("*") && !p.contains("<") && !p.contains("[") && last(p).equals(key)
                    && s.status() != Status.UNSUPPORTED && s.status() != Status.NO_EFFECT) {
                out.add(p);
            }
        }
        return out;
    }

    static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String last(String pattern) {
        int dot = pattern.lastIndexOf('.');
        return dot < 0 ? pattern : pattern.substring(dot + 1);
    }

    // ------------------------------------------------------------------------------------------------------

    private final class Def {
        private final String pattern;
        private final Kind kind;
        private boolean required;
        private boolean blocksStart;
        private String hint;
        private List<String> values;
        private boolean caseSensitive = true;
        private Long min;
        private Long max;
        private boolean secret;
        private Status status = Status.OK;
        private String note;

        Def(String pattern, Kind kind) {
            this.pattern = pattern;
            this.kind = kind;
        }

        Def required(String what) {
            required = true;
            hint = what;
            return this;
        }

        Def blocksStart() {
            blocksStart = true;
            return this;
        }

        Def hint(String h) {
            hint = h;
            return this;
        }

        Def oneOf(String... v) {
            values = List.of(v);
            return this;
        }

        Def ignoreCase() {
            caseSensitive = false;
            return this;
        }

        Def range(Long lo, Long hi) {
            min = lo;
            max = hi;
            return this;
        }

        Def secret() {
            secret = true;
            return this;
        }

        Def legacy(String n) {
            status = Status.LEGACY;
            note = n;
            return this;
        }

        Def noEffect(String n) {
            status = Status.NO_EFFECT;
            note = n;
            return this;
        }

        Def unsupported(String n) {
            status = Status.UNSUPPORTED;
            note = n;
            return this;
        }

        void done() {
            specs.put(pattern, new KeySpec(pattern, kind, required, blocksStart, hint, values, caseSensitive, min,
                    max, secret, status, note));
        }
    }

    private Def def(String pattern, Kind kind) {
        return new Def(pattern, kind);
    }

    private void key(String pattern, Kind kind) {
        def(pattern, kind).done();
    }

    private void define() {
        def("name", Kind.STRING).hint("set it to this node's member name, unique in the cluster (e.g. pg1)").done();
        def("scope", Kind.STRING).required("set it to the cluster's name, the same on every node (e.g. scope: main)")
                .blocksStart().done();
        key("namespace", Kind.STRING);

        key("log", Kind.SECTION);
        def("log.type", Kind.STRING).oneOf("plain", "json").done();
        def("log.level", Kind.STRING).oneOf("DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL").done();
        def("log.traceback_level", Kind.STRING).oneOf("DEBUG", "ERROR").ignoreCase().done();
        key("log.format", Kind.LOG_FORMAT);
        key("log.dateformat", Kind.STRING);
        key("log.static_fields", Kind.MAP);
        def("log.max_queue_size", Kind.INT).range(1L, null).done();
        key("log.dir", Kind.STRING);
        def("log.file_num", Kind.INT).range(1L, null).done();
        def("log.file_size", Kind.INT).range(1L, null).done();
        key("log.loggers", Kind.MAP);
        key("log.deduplicate_heartbeat_logs", Kind.BOOL);

        key("bootstrap", Kind.SECTION);
        defineDynamic("bootstrap.dcs");
        key("bootstrap.method", Kind.STRING);
        key("bootstrap.initdb", Kind.INITDB);
        key("bootstrap.post_bootstrap", Kind.STRING);
        key("bootstrap.post_init", Kind.STRING);
        def("bootstrap.pg_hba", Kind.STRING_LIST).legacy("legacy, still applied after initdb when postgresql.pg_hba"
                + " is not set: move the lines to postgresql.pg_hba").done();
        def("bootstrap.users", Kind.MAP).legacy("deprecated, still applied at bootstrap: create users in a"
                + " post_bootstrap script instead").done();
        key("bootstrap.users.*", Kind.SECTION);
        def("bootstrap.users.*.password", Kind.STRING).secret().done();
        key("bootstrap.users.*.options", Kind.STRING_LIST);
        key("bootstrap." + BOOTSTRAP_METHOD, Kind.SECTION);
        def("bootstrap." + BOOTSTRAP_METHOD + ".command", Kind.STRING)
                .required("set the command that creates the data directory for this bootstrap method").done();
        key("bootstrap." + BOOTSTRAP_METHOD + ".no_params", Kind.BOOL);
        key("bootstrap." + BOOTSTRAP_METHOD + ".keep_existing_recovery_conf", Kind.BOOL);
        key("bootstrap." + BOOTSTRAP_METHOD + ".recovery_conf", Kind.MAP);
        key("bootstrap." + BOOTSTRAP_METHOD + ".*", Kind.ANY);

        def("citus", Kind.ANY).unsupported("not supported: ha-agent does not implement Citus (MPP) clusters;"
                + " remove the section").done();

        def("restapi", Kind.SECTION).required("add a restapi section with listen and connect_address")
                .blocksStart().done();
        def("restapi.listen", Kind.LISTEN).required("set it to the \"host:port\" the REST API listens on,"
                + " e.g. 0.0.0.0:8008").blocksStart().done();
        def("restapi.connect_address", Kind.CONNECT_ADDRESS).required("set it to the \"host:port\" other nodes"
                + " and HAProxy use to reach this node's REST API, e.g. 10.0.0.11:8008").done();
        key("restapi.authentication", Kind.SECTION);
        def("restapi.authentication.username", Kind.STRING)
                .required("set the user name clients must send with the password").done();
        def("restapi.authentication.password", Kind.STRING).secret()
                .required("set the password clients must send with the user name").done();
        def("restapi.auth", Kind.STRING).secret().legacy("legacy form, still read: write"
                + " restapi.authentication with username and password").done();
        key("restapi.certfile", Kind.STRING);
        key("restapi.keyfile", Kind.STRING);
        def("restapi.keyfile_password", Kind.STRING).secret().done();
        key("restapi.cafile", Kind.STRING);
        key("restapi.ciphers", Kind.STRING);
        def("restapi.verify_client", Kind.STRING).oneOf("none", "optional", "required").done();
        key("restapi.allowlist", Kind.STRING_LIST);
        key("restapi.allowlist_include_members", Kind.BOOL);
        key("restapi.http_extra_headers", Kind.MAP);
        key("restapi.https_extra_headers", Kind.MAP);
        def("restapi.request_queue_size", Kind.INT).range(0L, 4096L).done();

        key("ctl", Kind.SECTION);
        key("ctl.authentication", Kind.SECTION);
        def("ctl.authentication.username", Kind.STRING).required("set the user name agentctl sends").done();
        def("ctl.authentication.password", Kind.STRING).secret().required("set the password agentctl sends").done();
        def("ctl.auth", Kind.STRING).secret().legacy("legacy form, still read: write ctl.authentication with"
                + " username and password").done();
        key("ctl.insecure", Kind.BOOL);
        key("ctl.cacert", Kind.STRING);
        key("ctl.certfile", Kind.STRING);
        key("ctl.keyfile", Kind.STRING);
        def("ctl.keyfile_password", Kind.STRING).secret().done();

        for (String dcs : List.of("etcd", "etcd3")) {
            key(dcs, Kind.SECTION);
            def(dcs + ".host", Kind.HOST_PORT).hint("e.g. 10.0.0.1:2379").done();
            def(dcs + ".hosts", Kind.HOSTS).hint("e.g. [10.0.0.1:2379, 10.0.0.2:2379, 10.0.0.3:2379]").done();
            def(dcs + ".port", Kind.INT).range(1L, 65535L).done();
            key(dcs + ".url", Kind.URL);
            key(dcs + ".proxy", Kind.URL);
            for (String srv : List.of("srv", "srv_suffix", "discovery_srv", "srv_domain")) {
                def(dcs + "." + srv, Kind.STRING).unsupported("not supported: ha-agent does not discover etcd by"
                        + " DNS SRV records; list the endpoints with hosts").done();
            }
            key(dcs + ".use_proxies", Kind.BOOL);
            def(dcs + ".protocol", Kind.STRING).oneOf("http", "https").done();
            key(dcs + ".username", Kind.STRING);
            def(dcs + ".password", Kind.STRING).secret().done();
            key(dcs + ".cacert", Kind.STRING);
            key(dcs + ".cert", Kind.STRING);
            key(dcs + ".key", Kind.STRING);
            def(dcs + ".key_password", Kind.STRING).secret().done();
        }
        for (String dcs : UNSUPPORTED_DCS) {
            def(dcs, Kind.ANY).unsupported(NO_DCS).done();
        }

        definePostgresql();

        key("watchdog", Kind.SECTION);
        key("watchdog.mode", Kind.WATCHDOG_MODE);
        key("watchdog.device", Kind.STRING);
        def("watchdog.safety_margin", Kind.INT).range(-1L, null).done();
        key("watchdog.driver", Kind.STRING);

        // ha-agent's own settings (Patroni ignores the section)
        def("ha_agent", Kind.SECTION).hint("ha-agent's own settings; Patroni ignores this section").done();
        def("ha_agent.role_names", Kind.STRING).oneOf("auto", "master", "primary").hint("how a primary's role is"
                + " written: auto (as the cluster does: master in a Patroni 3 cluster, primary in a Patroni 4 or a"
                + " new one), master or primary").done();

        key("tags", Kind.SECTION);
        key("tags.nofailover", Kind.BOOL);
        def("tags.failover_priority", Kind.INT).range(0L, null).done();
        key("tags.clonefrom", Kind.BOOL);
        key("tags.noloadbalance", Kind.BOOL);
        key("tags.replicatefrom", Kind.STRING);
        key("tags.nosync", Kind.BOOL);
        key("tags.sync_priority", Kind.INT);
        key("tags.nostream", Kind.BOOL);
        key("tags.*", Kind.ANY);

        // Dynamic keys written at the top level of a node's file: Patroni ignores them there.
        for (String k : List.of("ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover",
                "maximum_lag_on_syncnode", "max_timelines_history", "primary_start_timeout", "primary_stop_timeout",
                "master_start_timeout", "master_stop_timeout", "synchronous_mode", "synchronous_mode_strict",
                "synchronous_node_count", "failsafe_mode", "check_timeline", "pause", "standby_cluster", "slots",
                "permanent_slots", "permanent_replication_slots", "ignore_slots")) {
            def(k, Kind.ANY).noEffect(CLUSTER_WIDE).done();
        }
    }

    /**
     * {@code bootstrap.dcs} is checked by {@link io.haagent.config.DynamicConfigRules}, the one validation of the
     * cluster-wide configuration (see {@link DynamicProblems}); its keys are listed here only so that a key written
     * in the wrong section can be pointed to its place ("did you mean bootstrap.dcs.ttl?").
     */
    private void defineDynamic(String p) {
        key(p, Kind.MAP);
        for (String k : DynamicConfigRules.TOP) {
            key(p + "." + k, Kind.ANY);
        }
        for (String k : DynamicConfigRules.POSTGRESQL) {
            key(p + ".postgresql." + k, Kind.ANY);
        }
        for (String k : DynamicConfigRules.STANDBY_CLUSTER) {
            key(p + ".standby_cluster." + k, Kind.ANY);
        }
        for (String guc : RestrictedGucs.DEFAULTS.keySet()) {
            key(p + ".postgresql.parameters." + guc, Kind.ANY);
        }
    }

    private void definePostgresql() {
        String p = "postgresql";
        def(p, Kind.SECTION).required("add a postgresql section with listen, connect_address, data_dir and"
                + " authentication").blocksStart().done();
        def(p + ".listen", Kind.PG_LISTEN).required("set it to the \"host:port\" PostgreSQL listens on,"
                + " e.g. 0.0.0.0:5432").blocksStart().done();
        def(p + ".connect_address", Kind.CONNECT_ADDRESS).required("set it to the \"host:port\" other nodes and"
                + " clients use to reach this node's PostgreSQL, e.g. 10.0.0.11:5432").blocksStart().done();
        def(p + ".proxy_address", Kind.CONNECT_ADDRESS).hint("e.g. 10.0.0.11:6432").done();
        def(p + ".data_dir", Kind.STRING).required("set it to this node's PostgreSQL data directory,"
                + " e.g. /var/lib/postgresql/15/main").blocksStart().done();
        key(p + ".config_dir", Kind.STRING);
        key(p + ".bin_dir", Kind.STRING);
        key(p + ".bin_name", Kind.SECTION);
        for (String tool : io.haagent.config.PostgresBinaries.TOOLS) {
            key(p + ".bin_name." + tool, Kind.STRING);
        }
        key(p + ".pgpass", Kind.STRING);
        key(p + ".authentication", Kind.SECTION);
        credentials(p + ".authentication.superuser", "set the superuser's name (e.g. postgres)");
        credentials(p + ".authentication.replication", "set the replication user's name (e.g. replicator)");
        credentials(p + ".authentication.rewind", "set the rewind user's name (e.g. rewind_user)");
        // Legacy places of credentials (before postgresql.authentication): the builder says what it does with them.
        credentials(p + ".replication", "set the replication user's name (e.g. replicator)");
        def(p + ".replication.username", Kind.STRING).done(); // not required: the seed's shape uses master.user
        key(p + ".replication.master", Kind.SECTION);
        key(p + ".replication.master.user", Kind.STRING);
        def(p + ".replication.master.password", Kind.STRING).secret().done();
        def(p + ".replication.master.host", Kind.ANY).noEffect("not a Patroni key; ignored: ha-agent takes the"
                + " leader's address from etcd").done();
        def(p + ".replication.master.port", Kind.ANY).noEffect("not a Patroni key; ignored: ha-agent takes the"
                + " leader's address from etcd").done();
        credentials(p + ".superuser", "set the superuser's name (e.g. postgres)");
        credentials(p + ".pg_rewind", "set the rewind user's name (e.g. rewind_user)");
        key(p + ".name", Kind.STRING);

        key(p + ".parameters", Kind.MAP);
        for (String guc : RestrictedGucs.DEFAULTS.keySet()) {
            def(p + ".parameters." + guc, Kind.ANY).noEffect(RESTRICTED).done();
        }
        def(p + ".parameters.listen_addresses", Kind.ANY)
                .noEffect("has no effect: PostgreSQL listens where postgresql.listen says; set it there").done();
        def(p + ".parameters.port", Kind.ANY)
                .noEffect("has no effect: the port comes from postgresql.listen; set it there").done();
        def(p + ".parameters.cluster_name", Kind.ANY)
                .noEffect("has no effect: cluster_name is set from scope").done();
        key(p + ".parameters.*", Kind.SCALAR);
        key(p + ".pg_hba", Kind.STRING_LIST);
        key(p + ".pg_ident", Kind.STRING_LIST);
        key(p + ".custom_conf", Kind.STRING);
        key(p + ".recovery_conf", Kind.MAP);
        key(p + ".callbacks", Kind.SECTION);
        for (String cb : List.of("on_start", "on_stop", "on_restart", "on_reload", "on_role_change")) {
            key(p + ".callbacks." + cb, Kind.STRING);
        }
        key(p + ".pre_promote", Kind.STRING);
        key(p + ".before_stop", Kind.STRING);
        key(p + ".create_replica_methods", Kind.STRING_LIST);
        def(p + ".create_replica_method", Kind.STRING_OR_LIST)
                .legacy("legacy name, still read: rename it to create_replica_methods").done();
        key(p + ".basebackup", Kind.LIST_OR_MAP);
        key(p + "." + REPLICA_METHOD, Kind.SECTION);
        def(p + "." + REPLICA_METHOD + ".command", Kind.STRING)
                .required("set the command that creates a replica with this method").done();
        key(p + "." + REPLICA_METHOD + ".no_leader", Kind.BOOL);
        key(p + "." + REPLICA_METHOD + ".no_master", Kind.BOOL);
        key(p + "." + REPLICA_METHOD + ".keep_data", Kind.BOOL);
        key(p + "." + REPLICA_METHOD + ".no_params", Kind.BOOL);
        key(p + "." + REPLICA_METHOD + ".*", Kind.ANY);
        key(p + ".use_unix_socket", Kind.BOOL);
        key(p + ".use_unix_socket_repl", Kind.BOOL);
        def(p + ".pg_ctl_timeout", Kind.INT).range(0L, null).done();
        key(p + ".use_pg_rewind", Kind.BOOL);
        key(p + ".remove_data_directory_on_rewind_failure", Kind.BOOL);
        key(p + ".remove_data_directory_on_diverged_timelines", Kind.BOOL);
        key(p + ".krbsrvname", Kind.STRING);
        key(p + ".database", Kind.STRING);
        key(p + ".config_base_name", Kind.STRING);
        def(p + ".use_slots", Kind.ANY).noEffect("has no effect here: replication slots are on or off for the whole"
                + " cluster; set bootstrap.dcs.postgresql.use_slots").done();
    }

    private void credentials(String p, String usernameHint) {
        def(p, Kind.SECTION).hint("write username: and password: under it").done();
        def(p + ".username", Kind.STRING).required(usernameHint).done();
        def(p + ".password", Kind.STRING).secret().done();
        for (String k : List.of("sslmode", "sslkey", "sslcert", "sslrootcert", "sslcrl", "sslcrldir", "gssencmode",
                "channel_binding")) {
            key(p + "." + k, Kind.STRING);
        }
        def(p + ".sslpassword", Kind.STRING).secret().done();
    }
}
