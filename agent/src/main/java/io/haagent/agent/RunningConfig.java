package io.haagent.agent;

import io.haagent.config.loader.HostEnvironment;
import io.haagent.pg.Conninfo;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code ha-agent --generate-config [--dsn DSN] [FILE]} as Patroni 4.1's RunningClusterConfigGenerator: connect as a
 * superuser to the PostgreSQL running here, and write a configuration from what it runs with: its non-default
 * settings (the commands and file locations in {@code postgresql.parameters}, the rest in {@code bootstrap.dcs}),
 * {@code cluster_name} as the scope, its data directory, listen address and port, its {@code bin_dir} (from the
 * postmaster's executable), and its pg_hba.conf and pg_ident.conf lines. The connection is TCP (JDBC has no unix
 * sockets): {@code host} defaults to PGHOST, else localhost. Errors name what failed and exit 1.
 */
final class RunningConfig {
    private static final String FIXME = SampleConfig.FIXME;
    private static final List<String> CMDLINE = List.of("listen_addresses", "port", "cluster_name", "wal_level",
            "hot_standby", "max_connections", "max_wal_senders", "wal_keep_segments", "wal_keep_size",
            "max_prepared_transactions", "max_locks_per_transaction", "track_commit_timestamp",
            "max_replication_slots", "max_worker_processes", "wal_log_hints");
    private static final List<String> LOCAL = List.of("archive_command", "restore_command", "archive_cleanup_command",
            "recovery_end_command", "ssl_passphrase_command", "hba_file", "ident_file", "config_file");

    private RunningConfig() {
    }

    static int generate(HostEnvironment host, String dsn, String file, PrintStream out, PrintStream err) {
        try {
            return GeneratedConfig.write(GeneratedConfig.format(build(host.env(), dsn)) , file, out, err);
        } catch (IllegalStateException e) {
            err.println("ha-agent: --generate-config: " + e.getMessage());
            return 1;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> build(Map<String, String> env, String dsn) {
        Map<String, String> parsed = new LinkedHashMap<>();
        if (dsn != null) {
            try {
                parsed.putAll(Conninfo.parse(dsn));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Failed to parse DSN string: " + e.getMessage());
            }
            if (parsed.isEmpty()) {
                throw new IllegalStateException("Failed to parse DSN string");
            }
        }
        String pgHost = parsed.getOrDefault("host", env.getOrDefault("PGHOST", "localhost"));
        if (pgHost.startsWith("/")) {
            throw new IllegalStateException("host " + pgHost + " is a unix socket directory; ha-agent connects over"
                    + " TCP: give host=127.0.0.1 (or the address PostgreSQL listens on) in --dsn");
        }
        String port = parsed.getOrDefault("port", env.getOrDefault("PGPORT", "5432"));
        String user = parsed.getOrDefault("user", env.getOrDefault("PGUSER", System.getProperty("user.name")));
        String password = parsed.getOrDefault("password", env.get("PGPASSWORD"));
        if (password == null) {
            Console c = System.console();
            if (c == null) {
                throw new IllegalStateException("no password for " + user + ": give password= in --dsn or set"
                        + " PGPASSWORD (there is no terminal to ask)");
            }
            char[] typed = c.readPassword("Please enter the user password:");
            password = typed == null ? "" : new String(typed);
        }
        String[] address = SampleConfig.address();
        Map<String, Object> config = template(address[0], address[1]);
        Map<String, Object> pg = (Map<String, Object>) config.get("postgresql");
        Map<String, Object> dcsParams = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) config.get("bootstrap")).get("dcs")).get("postgresql")).get("parameters");
        Map<String, Object> superuser = new LinkedHashMap<>();
        for (String k : List.of("sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "gssencmode",
                "channel_binding")) {
            String v = parsed.getOrDefault(k, env.get("PG" + k.toUpperCase(java.util.Locale.ROOT).replace("_", "")));
            if (v != null && !v.isEmpty()) {
                superuser.put(k, v);
            }
        }
        superuser.put("username", user);
        superuser.put("password", password);
        pg.put("authentication", new LinkedHashMap<>(Map.of("superuser", superuser,
                "replication", new LinkedHashMap<>(Map.of("username", FIXME, "password", FIXME)))));
        Map<String, Object> params = new LinkedHashMap<>();
        pg.put("parameters", params);
        String listen = null;
        String runningPort = null;
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", "ha-agent --generate-config");
        p.setProperty("connectTimeout", "10");
        String url = "jdbc:postgresql://" + (pgHost.contains(":") ? "[" + pgHost + "]" : pgHost) + ":" + port + "/"
                + parsed.getOrDefault("dbname", env.getOrDefault("PGDATABASE", "postgres"));
        try (Connection c = DriverManager.getConnection(url, p)) {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_catalog.current_setting('is_superuser')")) {
                rs.next();
                if (!"on".equals(rs.getString(1))) {
                    throw new IllegalStateException("The provided user does not have superuser privilege");
                }
            }
            List<String> required = new ArrayList<>(List.of("hba_file", "ident_file", "config_file", "data_directory"));
            required.addAll(CMDLINE);
            try (PreparedStatement st = c.prepareStatement("SELECT name, pg_catalog.current_setting(name) FROM"
                    + " pg_catalog.pg_settings WHERE context <> 'internal' AND source IN ('configuration file',"
                    + " 'command line', 'environment variable') AND category <> 'Write-Ahead Log / Recovery Target'"
                    + " AND setting <> '(disabled)' OR name = ANY(?)")) {
                st.setArray(1, c.createArrayOf("text", required.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        String value = rs.getString(2);
                        if (name.equals("data_directory")) {
                            pg.put("data_dir", value);
                        } else if (name.equals("cluster_name") && value != null && !value.isEmpty()) {
                            config.put("scope", value);
                        } else if (LOCAL.contains(name)) {
                            params.put(name, value);
                        } else if (name.equals("port")) {
                            runningPort = value;
                        } else if (name.equals("listen_addresses")) {
                            listen = value;
                        } else if (!name.equals("cluster_name")) {
                            dcsParams.put(name, value);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Failed to establish PostgreSQL connection: " + e.getMessage());
        }
        String connectIp = String.valueOf(pg.get("connect_address")).split(":")[0];
        pg.put("connect_address", connectIp + ":" + parsed.getOrDefault("port", env.getOrDefault("PGPORT",
                String.valueOf(runningPort))));
        pg.put("listen", listen + ":" + runningPort);
        String dataDir = String.valueOf(pg.get("data_dir"));
        confFiles(pg, params, dataDir);
        pg.put("bin_dir", binDir(dataDir));
        return config;
    }

    /** pg_hba and pg_ident from the data directory when the server uses the default files there, as Patroni. */
    private static void confFiles(Map<String, Object> pg, Map<String, Object> params, String dataDir) {
        Path hba = Path.of(dataDir, "pg_hba.conf");
        if (hba.toString().equals(params.get("hba_file"))) {
            List<String> types = List.of("local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc",
                    "include", "include_if_exists", "include_dir");
            try {
                pg.put("pg_hba", Files.readAllLines(hba).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && types.contains(l.split("\\s+")[0])).toList());
            } catch (IOException e) {
                throw new IllegalStateException("Failed to read pg_hba.conf: " + e.getMessage());
            }
        }
        Path ident = Path.of(dataDir, "pg_ident.conf");
        if (ident.toString().equals(params.get("ident_file"))) {
            try {
                List<String> lines = Files.readAllLines(ident).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
                if (!lines.isEmpty()) {
                    pg.put("pg_ident", lines);
                }
            } catch (IOException e) {
                throw new IllegalStateException("Failed to read pg_ident.conf: " + e.getMessage());
            }
        }
    }

    /** The directory of the running postmaster's executable (its pid from postmaster.pid). */
    private static String binDir(String dataDir) {
        String pid;
        try {
            List<String> lines = Files.readAllLines(Path.of(dataDir, "postmaster.pid"));
            pid = lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (IOException e) {
            throw new IllegalStateException("Error while reading postmaster.pid file: " + e.getMessage());
        }
        if (pid.isEmpty()) {
            throw new IllegalStateException("Failed to obtain postmaster pid from postmaster.pid file");
        }
        try {
            return Path.of("/proc", pid, "exe").toRealPath().getParent().toString();
        } catch (IOException e) {
            return ProcessHandle.of(Long.parseLong(pid)).flatMap(h -> h.info().command())
                    .map(c -> Path.of(c).getParent().toString())
                    .orElseThrow(() -> new IllegalStateException("Obtained postmaster pid doesn't exist."));
        }
    }

    /** Patroni's get_template_config with its defaults for the cluster-wide configuration. */
    static Map<String, Object> template(String hostname, String ip) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scope", FIXME);
        c.put("name", hostname);
        c.put("restapi", new LinkedHashMap<>(Map.of("connect_address", ip + ":8008", "listen", ip + ":8008")));
        c.put("log", new LinkedHashMap<>(Map.of("type", "plain", "level", "INFO", "traceback_level", "ERROR",
                "format", "%(asctime)s %(levelname)s: %(message)s", "max_queue_size", 1000)));
        Map<String, Object> params = new LinkedHashMap<>(Map.of("wal_level", "hot_standby", "hot_standby", "on",
                "max_connections", 100, "max_wal_senders", 10, "max_prepared_transactions", 0,
                "max_locks_per_transaction", 64, "track_commit_timestamp", "off", "max_replication_slots", 10,
                "max_worker_processes", 8, "wal_log_hints", "on"));
        Map<String, Object> dcs = new LinkedHashMap<>(Map.of("ttl", 30, "loop_wait", 10, "retry_timeout", 10,
                "postgresql", new LinkedHashMap<>(Map.of("use_slots", true, "parameters", params))));
        c.put("bootstrap", new LinkedHashMap<>(Map.of("dcs", dcs)));
        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("data_dir", FIXME);
        pg.put("connect_address", ip + ":5432");
        pg.put("listen", ip + ":5432");
        pg.put("bin_dir", "");
        c.put("postgresql", pg);
        c.put("tags", new LinkedHashMap<>(Map.of("failover_priority", 1, "sync_priority", 1, "noloadbalance", false,
                "clonefrom", true, "nosync", false, "nostream", false)));
        return c;
    }
}
