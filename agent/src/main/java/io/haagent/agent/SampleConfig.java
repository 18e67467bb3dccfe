package io.haagent.agent;

import io.haagent.config.loader.EnvironmentChecks;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ha-agent --generate-sample-config [FILE]} as Patroni 4.1.4's SampleConfigGenerator writes it (pinned:
 * samples/patroni-4.1.4/generate-sample-config.yml): this host's name and first address, Patroni's defaults for
 * the cluster-wide configuration, and the settings of the PostgreSQL major version found ({@code postgres} on the
 * PATH, else the newest under /usr/lib/postgresql). What the operator must fill in says {@code '#FIXME'}.
 */
final class SampleConfig {
    static final String FIXME = "#FIXME";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./-][A-Za-z0-9_.:/-]*");
    private static final List<String> YAML_WORDS = List.of("on", "off", "yes", "no", "true", "false", "null", "y",
            "n", "~");

    private SampleConfig() {
    }

    /** @param pgMajor the server's major version as an integer (150000), 0 when unknown */
    static String text(String hostname, String ip, int pgMajor) {
        String auth = pgMajor >= 100000 ? "scram-sha-256" : "md5";
        String walKeep = pgMajor < 130000 ? "wal_keep_segments: 8" : "wal_keep_size: 128MB";
        StringBuilder b = new StringBuilder();
        b.append("scope: '#FIXME'\n");
        b.append("name: ").append(scalar(hostname)).append("\n\n");
        b.append("log:\n  format: '%(asctime)s %(levelname)s: %(message)s'\n  level: INFO\n  max_queue_size: 1000\n"
                + "  traceback_level: ERROR\n  type: plain\n\n");
        b.append("restapi:\n  connect_address: ").append(scalar(ip + ":8008")).append("\n  listen: ")
                .append(scalar(ip + ":8008")).append("\n");
        b.append(GeneratedConfig.BOOTSTRAP_HEADER).append("    loop_wait: 10\n    retry_timeout: 10\n    ttl: 30\n"
                + "    postgresql:\n      parameters:\n"
                + "        hot_standby: 'on'\n        max_connections: 100\n        max_locks_per_transaction: 64\n"
                + "        max_prepared_transactions: 0\n        max_replication_slots: 10\n"
                + "        max_wal_senders: 10\n        max_worker_processes: 8\n"
                + "        track_commit_timestamp: 'off'\n");
        b.append("        ").append(walKeep).append('\n');
        b.append("        wal_level: ").append(pgMajor < 90600 ? "hot_standby" : "replica").append('\n');
        b.append("        wal_log_hints: 'on'\n      use_pg_rewind: true\n      use_slots: true\n\n");
        b.append("postgresql:\n  authentication:\n    replication:\n      password: '#FIXME'\n"
                + "      username: replicator\n");
        if (pgMajor >= 110000) {
            b.append("    rewind:\n      password: '#FIXME'\n      username: rewind_user\n");
        }
        b.append("    superuser:\n      password: '#FIXME'\n      username: postgres\n");
        b.append("  bin_dir: ''\n  connect_address: ").append(scalar(ip + ":5432")).append('\n');
        b.append("  data_dir: '#FIXME'\n  listen: ").append(scalar(ip + ":5432")).append('\n');
        b.append("  parameters:\n    password_encryption: ").append(auth).append('\n');
        b.append("  pg_hba:\n  - host all all all ").append(auth).append('\n');
        b.append("  - host replication replicator all ").append(auth).append("\n\n");
        b.append("tags:\n  clonefrom: true\n  failover_priority: 1\n  noloadbalance: false\n  nostream: false\n"
                + "  nosync: false\n  sync_priority: 1");
        return b.toString();
    }

    /** A YAML scalar as PyYAML's safe_dump writes it: plain when it can be, else single-quoted. */
    static String scalar(String s) {
        if (PLAIN.matcher(s).matches() && !YAML_WORDS.contains(s.toLowerCase(java.util.Locale.ROOT))
                && !s.matches("[-+]?[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+")) {
            return s;
        }
        return "'" + s.replace("'", "''") + "'";
    }

    /** Patroni's get_address: the host name and its first address, IPv4 first; '#FIXME' for both when unknown. */
    static String[] address() {
        try {
            String hostname = InetAddress.getLocalHost().getHostName();
            InetAddress[] all = InetAddress.getAllByName(hostname);
            InetAddress first = Arrays.stream(all).min(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1))
                    .orElseThrow();
            return new String[] {hostname, first.getHostAddress()};
        } catch (Exception e) {
            return new String[] {FIXME, FIXME};
        }
    }

    /** The major version of the PostgreSQL found, as an integer (150000, 90600); 0 when none is found. */
    static int pgMajor(String path) {
        Path found = null;
        for (String dir : (path == null ? "" : path).split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "postgres"))) {
                found = Path.of(dir, "postgres");
                break;
            }
        }
        if (found == null) {
            try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
                found = s.map(d -> d.resolve("bin/postgres")).filter(Files::isExecutable)
                        .max(Comparator.comparingDouble(p -> parse(p.getParent().getParent().getFileName().toString())))
                        .orElse(null);
            } catch (Exception e) {
                found = null;
            }
        }
        String major = found == null ? null : EnvironmentChecks.postgresMajor(found);
        if (major == null) {
            return 0;
        }
        String[] parts = major.split("\\.");
        return parts.length == 1 ? Integer.parseInt(parts[0]) * 10000
                : Integer.parseInt(parts[0]) * 10000 + Integer.parseInt(parts[1]) * 100;
    }

    private static double parse(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
