package io.haagent.pg.control;

import io.haagent.config.Credentials;
import io.haagent.config.DynamicConfig;
import io.haagent.config.PostgresqlConfig;
import io.haagent.config.StandbyClusterConfig;
import io.haagent.pg.Conninfo;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.Pgpass;
import io.haagent.pg.Recovery;
import io.haagent.pg.Upstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a node's configuration means for its postgres: effective parameters, the recovery block, connection
 * strings, credentials. Pure: the same inputs always give the same files and command lines.
 */
public final class PostgresSettings {
    /** Recovery keys the agent sets itself; the same keys in {@code recovery_conf} are ignored (§4.3). */
    private static final Set<String> MANAGED_RECOVERY = Set.of("primary_conninfo", "primary_slot_name",
            "recovery_target", "recovery_target_name", "recovery_target_time", "recovery_target_xid",
            "recovery_target_lsn", "recovery_target_inclusive", "recovery_target_timeline", "recovery_target_action",
            "standby_mode");

    private final PostgresNode node;
    private final int major;
    private final Path pgpass;
    private final EffectiveParameters.ListenAddress listen;

    public PostgresSettings(PostgresNode node, int majorVersion, Path pgpass) {
        this.node = node;
        this.major = majorVersion;
        this.pgpass = pgpass;
        this.listen = EffectiveParameters.ListenAddress.parse(node.postgresql().listen());
    }

    public PostgresqlConfig pg() {
        return node.postgresql();
    }

    public String database() {
        return pg().database() == null ? "postgres" : pg().database();
    }

    public Path dataDir() {
        return Path.of(pg().dataDir());
    }

    public Path configDir() {
        return Path.of(pg().effectiveConfigDir());
    }

    public int port() {
        return listen.port();
    }

    public String listenHosts() {
        return listen.hosts();
    }

    /** Where the agent's own JDBC sessions connect (TCP; see {@code Connections}). */
    public String connectHost() {
        return listen.localConnectHost();
    }

    /** Where local libpq tools connect: the first socket directory with use_unix_socket, else TCP. */
    public String toolHost(EffectiveParameters params) {
        String dirs = params.get("unix_socket_directories");
        if (pg().useUnixSocket() && dirs != null && !dirs.isBlank()) {
            return dirs.split(",")[0].trim();
        }
        return connectHost();
    }

    public EffectiveParameters effective(DynamicConfig dynamic, String synchronousStandbyNames,
            Consumer<String> warn) {
        EffectiveParameters p = EffectiveParameters.compute(dynamic.parameters(), pg().parameters(), pg().listen(),
                node.scope(), configDir().toString(), major, warn);
        if (synchronousStandbyNames != null) {
            p = p.with("synchronous_standby_names", synchronousStandbyNames);
        }
        if (!dynamic.isStandbyCluster() && dynamic.slots().values().stream().anyMatch(s -> s.isLogical())) {
            // §4.8.1: a replica's copies of the permanent logical slots stay usable only while the primary keeps
            // the catalog rows their decoding needs; Patroni enforces the same (on the primary it has no effect)
            p = p.with("hot_standby_feedback", "on");
        }
        return p;
    }

    /** {@code postgresql.pg_hba} (local wins over dynamic); null when neither is set: initdb's file stays. */
    public List<String> pgHba(DynamicConfig dynamic) {
        return pg().pgHba() != null && !pg().pgHba().isEmpty() ? pg().pgHba() : dynamic.pgHba();
    }

    /**
     * pg_hba.conf while a custom bootstrap runs (§4.6, Patroni's {@code replace_pg_hba}): the restored cluster's
     * passwords are not the configured ones, so the superuser and the replication user are trusted on the local
     * socket and from the address the agent itself connects from, until post_bootstrap has set their passwords.
     */
    public List<String> customBootstrapHba() {
        String su = pg().superuser() == null || pg().superuser().username() == null ? "all"
                : pg().superuser().username();
        String repl = pg().replication() == null || pg().replication().username() == null ? "all"
                : pg().replication().username();
        List<String> out = new java.util.ArrayList<>();
        out.add("local\treplication\t" + repl + "\t\ttrust");
        out.add("local\tall\t" + su + "\t\ttrust");
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(connectHost())) {
                seen.add(a.getHostAddress() + (a instanceof java.net.Inet6Address ? "/128" : "/32"));
                if (a.isLoopbackAddress()) {
                    // a connection to 127.x.y.z comes from 127.0.0.1 (the loopback route's source address)
                    seen.add(a instanceof java.net.Inet6Address ? "::1/128" : "127.0.0.1/32");
                }
            }
        } catch (java.net.UnknownHostException e) {
            // the local socket lines still let post_bootstrap in; the agent's TCP sessions would be refused
        }
        for (String addr : seen) {
            out.add("host\treplication\t" + repl + "\t" + addr + "\ttrust");
            out.add("host\tall\t" + su + "\t" + addr + "\ttrust");
        }
        return out;
    }

    public List<String> pgIdent(DynamicConfig dynamic) {
        return pg().pgIdent() != null && !pg().pgIdent().isEmpty() ? pg().pgIdent() : dynamic.pgIdent();
    }

    /**
     * The {@code # recovery.conf} block for a standby (§4.3); null for a primary. All recovery targets are set
     * to '' so that nothing in an included file can turn the follower into a point-in-time recovery.
     */
    public Map<String, String> recoveryParameters(Recovery r, DynamicConfig dynamic) {
        if (r.kind() == Recovery.Kind.RESTORE) {
            // the user's restore, as bootstrap.<method>.recovery_conf says (§4.6): its targets are the point
            return r.settings();
        }
        if (!r.standby() || r.kind() == Recovery.Kind.AS_RESTORED) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Object> user = pg().recoveryConf() != null && !pg().recoveryConf().isEmpty()
                ? pg().recoveryConf() : dynamic.recoveryConf();
        if (user != null) {
            user.forEach((k, v) -> {
                String name = k.toLowerCase(Locale.ROOT);
                if (v != null && !MANAGED_RECOVERY.contains(name)) {
                    out.put(name, EffectiveParametersText.of(v));
                }
            });
        }
        for (String t : List.of("recovery_target", "recovery_target_name", "recovery_target_time",
                "recovery_target_xid", "recovery_target_lsn")) {
            out.put(t, "");
        }
        out.put("recovery_target_timeline", "latest");
        if (r.kind() == Recovery.Kind.FOLLOW) {
            String conninfo = replicationDsn(r.upstream(), true);
            // a standby leader holding a slot on the remote must reach its primary, not one of its replicas
            if (r.remote() && r.slotName() != null && r.upstream().host().contains(",")) {
                conninfo += " target_session_attrs=read-write";
            }
            out.put("primary_conninfo", conninfo);
            if (r.slotName() != null) {
                out.put("primary_slot_name", r.slotName());
            }
        }
        // in a standby cluster every follower may fetch WAL from the remote's archive (§7.3), and they override
        // recovery_conf; only the standby leader delays its apply
        StandbyClusterConfig sc = dynamic.standbyCluster();
        if (dynamic.isStandbyCluster() && (r.kind() == Recovery.Kind.FOLLOW || r.remote())) {
            putIfSet(out, "restore_command", sc.restoreCommand());
            putIfSet(out, "archive_cleanup_command", sc.archiveCleanupCommand());
            if (r.remote()) {
                putIfSet(out, "recovery_min_apply_delay", sc.recoveryMinApplyDelay());
            }
        }
        return out;
    }

    /** The recovery settings that {@code follow} compares with the running server's to decide on a reload. */
    public static final List<String> FOLLOW_SETTINGS = List.of("primary_conninfo", "primary_slot_name",
            "restore_command", "archive_cleanup_command");

    private static void putIfSet(Map<String, String> out, String name, String value) {
        if (value != null && !value.isEmpty()) {
            out.put(name, value);
        }
    }

    /**
     * The replication connection string to an upstream (§4.4): no password, {@code passfile} when it goes
     * into {@code primary_conninfo}; tools get {@code PGPASSFILE} instead.
     */
    public String replicationDsn(Upstream up, boolean withPassfile) {
        return dsn(pg().replication(), up.host(), up.port(), withPassfile, true);
    }

    /** pg_rewind's {@code --source-server}: the rewind user (PG11+), else the superuser. */
    public String rewindDsn(Upstream up) {
        return dsn(rewindCredentials(), up.host(), up.port(), false, false);
    }

    /** The DSN given to {@code post_bootstrap}: the local superuser, no password. */
    public String localSuperuserDsn(EffectiveParameters params) {
        return dsn(pg().superuser(), toolHost(params), port(), false, false);
    }

    private String dsn(Credentials c, String host, int port, boolean withPassfile, boolean replication) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dbname", database());
        m.put("user", c.username());
        if (withPassfile) {
            m.put("passfile", pgpass.toString());
        }
        m.put("host", host);
        m.put("port", Integer.toString(port));
        m.put("sslmode", c.sslmode() == null ? "prefer" : c.sslmode());
        m.put("sslcert", c.sslcert());
        m.put("sslkey", c.sslkey());
        m.put("sslrootcert", c.sslrootcert());
        m.put("sslcrl", c.sslcrl());
        m.put("sslcrldir", c.sslcrldir());
        if (replication) {
            m.put("application_name", node.name());
        }
        m.put("krbsrvname", pg().krbsrvname());
        m.put("gssencmode", c.gssencmode() == null ? "prefer" : c.gssencmode());
        if (major >= 13) {
            m.put("channel_binding", c.channelBinding() == null ? "prefer" : c.channelBinding());
        }
        return Conninfo.build(m);
    }

    public Credentials rewindCredentials() {
        return pg().rewind() != null ? pg().rewind() : pg().superuser();
    }

    /** A pgpass line for credentials at an address, or null when they carry no password. */
    public static Pgpass pgpass(Credentials c, String host, int port) {
        return c == null || c.password() == null ? null : Pgpass.of(host, port, c.username(), c.password().reveal());
    }

    public boolean usePgRewind(DynamicConfig d) {
        return pg().usePgRewind() || d.usePgRewind();
    }

    public boolean removeDataDirectoryOnRewindFailure(DynamicConfig d) {
        return pg().removeDataDirectoryOnRewindFailure() || Boolean.TRUE.equals(d.removeDataDirectoryOnRewindFailure());
    }

    public boolean removeDataDirectoryOnDivergedTimelines(DynamicConfig d) {
        return pg().removeDataDirectoryOnDivergedTimelines()
                || Boolean.TRUE.equals(d.removeDataDirectoryOnDivergedTimelines());
    }

    /** {@code pg_ctl_timeout}: local when set (> 0), else dynamic, else 60 s. */
    public Duration pgCtlTimeout(DynamicConfig d) {
        if (pg().pgCtlTimeout() > 0) {
            return Duration.ofSeconds(pg().pgCtlTimeout());
        }
        return Duration.ofSeconds(d.pgCtlTimeout() != null && d.pgCtlTimeout() > 0 ? d.pgCtlTimeout() : 60);
    }

    /** Text of a YAML/JSON value as PostgreSQL reads it. */
    static final class EffectiveParametersText {
        private EffectiveParametersText() {
        }

        static String of(Object v) {
            if (v instanceof Boolean b) {
                return b ? "on" : "off";
            }
            return v.toString();
        }
    }
}
