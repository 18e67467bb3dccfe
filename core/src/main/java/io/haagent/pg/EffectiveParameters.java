package io.haagent.pg;

import io.haagent.config.RestrictedGucs;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The server parameters a node runs with (§4.2, §5.1): the cluster-wide {@code postgresql.parameters} from the
 * dynamic configuration, overlaid by this node's local ones (local wins), except the restricted GUCs, which
 * come from the dynamic configuration only, and {@code listen_addresses}/{@code port}/{@code cluster_name},
 * which come from {@code postgresql.listen} and the scope. Pure: the result is data, sorted by name.
 *
 * <p>Why restricted GUCs ignore local values: {@code max_connections}, {@code max_wal_senders} and the like
 * must be at least as large on a standby as on its primary, or the standby refuses to start (or stops
 * replaying) after a failover. Only one source for them keeps every node equal.
 */
public final class EffectiveParameters {
    /** Set on the command line as well, so no included file can override them (§4.1). */
    public static final Set<String> COMMAND_LINE = Set.of("listen_addresses", "port", "cluster_name", "wal_level",
            "hot_standby", "max_connections", "max_wal_senders", "max_prepared_transactions",
            "max_locks_per_transaction", "track_commit_timestamp", "max_replication_slots", "max_worker_processes",
            "wal_log_hints");

    /** Parameters that belong to the recovery block and never to the parameter section. */
    public static final Set<String> RECOVERY_PARAMETERS = Set.of("standby_mode", "primary_conninfo",
            "primary_slot_name", "promote_trigger_file", "trigger_file", "restore_command", "archive_cleanup_command",
            "recovery_end_command", "recovery_min_apply_delay", "recovery_target", "recovery_target_name",
            "recovery_target_time", "recovery_target_xid", "recovery_target_lsn", "recovery_target_inclusive",
            "recovery_target_timeline", "recovery_target_action", "pause_at_recovery_target");

    private static final long WAL_SEGMENT_MB = 16;

    private final Map<String, String> values;

    private EffectiveParameters(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * @param dynamicParameters {@code postgresql.parameters} of the dynamic configuration (may be null)
     * @param localParameters   {@code postgresql.parameters} of the local configuration (may be null)
     * @param listen            {@code postgresql.listen}, {@code host[,host...]:port}
     * @param scope             the cluster name, used as {@code cluster_name}
     * @param configDir         where {@code pg_hba.conf} and {@code pg_ident.conf} live unless overridden
     * @param majorVersion      the server's major version, e.g. 15 (wal_keep_segments became wal_keep_size in 13)
     * @param warn              receives one sentence per ignored or translated setting, naming the key path
     */
    public static EffectiveParameters compute(Map<String, Object> dynamicParameters,
            Map<String, Object> localParameters, String listen, String scope, String configDir, int majorVersion,
            Consumer<String> warn) {
        Map<String, String> out = new TreeMap<>();
        overlay(out, dynamicParameters, "bootstrap.dcs/config postgresql.parameters", warn, false);
        overlay(out, localParameters, "postgresql.parameters", warn, true);

        Map<String, String> restricted = RestrictedGucs.resolve(dynamicParameters, warn);
        boolean walKeepSegmentsGiven = dynamicParameters != null && dynamicParameters.keySet().stream()
                .anyMatch(k -> k.equalsIgnoreCase("wal_keep_segments"));
        boolean walKeepSizeGiven = dynamicParameters != null && dynamicParameters.keySet().stream()
                .anyMatch(k -> k.equalsIgnoreCase("wal_keep_size"));
        for (Map.Entry<String, String> e : restricted.entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            if (majorVersion >= 13 && name.equals("wal_keep_segments")) {
                continue; // PostgreSQL 13 replaced it by wal_keep_size and refuses to start with it
            }
            if (majorVersion >= 13 && name.equals("wal_keep_size") && walKeepSegmentsGiven && !walKeepSizeGiven) {
                long segments = Long.parseLong(restricted.get("wal_keep_segments"));
                value = (segments * WAL_SEGMENT_MB) + "MB";
                warn.accept("postgresql.parameters.wal_keep_segments: translated to wal_keep_size = " + value
                        + " for PostgreSQL " + majorVersion);
            }
            if (majorVersion < 13 && name.equals("wal_keep_size")) {
                continue;
            }
            if (name.equals("wal_level") && value.equals("hot_standby")) {
                value = "replica"; // the 9.6+ name of the same level
            }
            out.put(name, value);
        }

        ListenAddress la = ListenAddress.parse(listen);
        out.put("listen_addresses", la.hosts());
        out.put("port", Integer.toString(la.port()));
        out.put("cluster_name", scope);
        out.putIfAbsent("hba_file", configDir + "/pg_hba.conf");
        out.putIfAbsent("ident_file", configDir + "/pg_ident.conf");
        return new EffectiveParameters(out);
    }

    private static void overlay(Map<String, String> out, Map<String, Object> params, String path,
            Consumer<String> warn, boolean local) {
        if (params == null) {
            return;
        }
        for (Map.Entry<String, Object> e : params.entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (RestrictedGucs.isRestricted(name)) {
                if (local) {
                    warn.accept(path + "." + e.getKey() + ": has no effect here; it must be equal on every node, so"
                            + " it is taken from the dynamic configuration (bootstrap.dcs.postgresql.parameters)");
                }
                continue;
            }
            if (name.equals("listen_addresses") || name.equals("port") || name.equals("cluster_name")) {
                warn.accept(path + "." + e.getKey() + ": ignored; set by postgresql.listen and the scope");
                continue;
            }
            if (RECOVERY_PARAMETERS.contains(name)) {
                warn.accept(path + "." + e.getKey() + ": ignored; recovery settings belong in"
                        + " postgresql.recovery_conf and are managed by the agent");
                continue;
            }
            if (e.getValue() == null) {
                out.remove(name);
                continue;
            }
            out.put(name, text(e.getValue()));
        }
    }

    static String text(Object v) {
        if (v instanceof Boolean b) {
            return b ? "on" : "off";
        }
        return v.toString();
    }

    /** All parameters, sorted by name. */
    public Map<String, String> values() {
        return values;
    }

    public String get(String name) {
        return values.get(name);
    }

    /** The same parameters with one replaced (null removes it). */
    public EffectiveParameters with(String name, String value) {
        Map<String, String> m = new TreeMap<>(values);
        if (value == null) {
            m.remove(name);
        } else {
            m.put(name, value);
        }
        return new EffectiveParameters(m);
    }

    /** The {@code --name=value} options for the postmaster's command line, in a stable order. */
    public List<String> commandLineOptions() {
        return values.entrySet().stream()
                .filter(e -> COMMAND_LINE.contains(e.getKey()))
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toList();
    }

    /** The command-line subset as a map. */
    public Map<String, String> commandLineValues() {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (COMMAND_LINE.contains(k)) {
                m.put(k, v);
            }
        });
        return m;
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /**
     * {@code postgresql.listen}: {@code host[,host...]:port}. The port is after the last colon; hosts may be
     * {@code *}, {@code 0.0.0.0}, names or addresses.
     */
    public record ListenAddress(String hosts, int port) {
        public static ListenAddress parse(String listen) {
            if (listen == null || listen.isBlank()) {
                throw new IllegalArgumentException("postgresql.listen is empty; expected host[,host...]:port");
            }
            int colon = listen.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("postgresql.listen '" + listen + "' has no port; expected"
                        + " host[,host...]:port");
            }
            String hosts = listen.substring(0, colon).trim();
            String portText = listen.substring(colon + 1).trim();
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("postgresql.listen '" + listen + "': port '" + portText
                        + "' is not a number");
            }
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("postgresql.listen '" + listen + "': port out of range");
            }
            if (hosts.startsWith("[") && hosts.endsWith("]")) {
                hosts = hosts.substring(1, hosts.length() - 1);
            }
            return new ListenAddress(hosts.isEmpty() ? "*" : hosts, port);
        }

        /** The first listed host, as the address local clients connect to. */
        public String firstHost() {
            return hosts.split(",")[0].trim();
        }

        /**
         * The host local clients use: a wildcard listen means the loopback address (Patroni: localhost), else
         * the first listed address.
         */
        public String localConnectHost() {
            String h = firstHost();
            switch (h) {
                case "*":
                case "0.0.0.0":
                case "":
                    return "127.0.0.1";
                case "::":
                    return "::1";
                default:
                    return h;
            }
        }
    }
}
