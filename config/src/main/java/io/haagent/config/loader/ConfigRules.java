package io.haagent.config.loader;

import io.haagent.config.AgentConfig;
import io.haagent.config.Credentials;
import io.haagent.pg.GucSyntax;
import io.haagent.text.SafeText;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks across keys that cost real users a failed deploy, on the tree and the built configuration. Pure.
 * <ul>
 * <li>{@code pg_hba} with no line that lets the replication user stream over TCP;</li>
 * <li>{@code pg_hba} with no local line for a superuser defaulted to the local socket;</li>
 * <li>{@code tags} with both {@code nofailover} and {@code failover_priority};</li>
 * <li>parameter names, values and {@code pg_hba}/{@code pg_ident} lines that PostgreSQL's files cannot carry
 * ({@link GucSyntax}: a line feed would write a second setting); they block the start, as the same values are
 * refused in the cluster-wide configuration.</li>
 * <li>log settings that cannot apply in this Java process: {@code log.loggers} names of Patroni's Python loggers
 *     (they name no logger here) or levels that are not levels, and {@code log.file_num} above the 20 rotated files
 *     the rolling policy keeps.</li>
 * </ul>
 */
final class ConfigRules {
    private ConfigRules() {
    }

    static List<Problem> check(ConfigTree t, AgentConfig config) {
        List<Problem> out = new ArrayList<>();
        hba(t, config, out);
        fileText(t, out);
        if (t.has("tags.nofailover") && t.has("tags.failover_priority")) {
            out.add(Problem.error(t.origin("tags.failover_priority"), "tags.failover_priority", "set together with"
                    + " tags.nofailover: keep only one of them (nofailover: true is failover_priority: 0)"));
        }
        logSettings(t, out);
        return out;
    }

    private static void fileText(ConfigTree t, List<Problem> out) {
        for (String section : List.of("postgresql.parameters", "postgresql.recovery_conf")) {
            if (!(t.node(section) instanceof ConfigNode.Mapping m)) {
                continue;
            }
            m.entries().forEach((name, value) -> {
                String path = section + "." + SafeText.of(name, 80);
                String problem = GucSyntax.nameProblem(name);
                if (problem == null && value instanceof ConfigNode.Scalar s && !s.isNull()) {
                    problem = GucSyntax.valueProblem(s.text());
                }
                if (problem != null) {
                    out.add(Problem.error(value.origin(), path, problem, true));
                }
            });
        }
        for (String lines : List.of("postgresql.pg_hba", "postgresql.pg_ident", "bootstrap.pg_hba")) {
            if (!(t.node(lines) instanceof ConfigNode.Sequence seq)) {
                continue;
            }
            for (int i = 0; i < seq.items().size(); i++) {
                if (seq.items().get(i) instanceof ConfigNode.Scalar s && !s.isNull()
                        && GucSyntax.firstControl(s.text(), true) >= 0) {
                    out.add(Problem.error(s.origin(), lines + "[" + i + "]", "holds a control character (a line feed"
                            + " would write a second line into the file)", true));
                }
            }
        }
    }

    /** The rolling policy keeps at most this many rotated files (logback's fixed window). */
    static final int MAX_LOG_FILES = 20;

    /** Logger names that exist in the process even when no directory of that name is on the class path. */
    private static final List<String> JAVA_LOGGER_PREFIXES = List.of("io.haagent", "io.etcd", "io.grpc", "io.netty",
            "io.javalin", "io.vertx", "org.eclipse.jetty", "org.postgresql", "org.yaml", "com.fasterxml",
            "ch.qos.logback");

    private static void logSettings(ConfigTree t, List<Problem> out) {
        Integer fileNum = t.integer("log.file_num");
        if (fileNum != null && fileNum > MAX_LOG_FILES) {
            out.add(Problem.warning(t.origin("log.file_num"), "log.file_num", fileNum + " rotated files cannot be"
                    + " kept: ha-agent keeps at most " + MAX_LOG_FILES + " (patroni.log.1 to patroni.log."
                    + MAX_LOG_FILES + "); set " + MAX_LOG_FILES + " or less, or a larger file_size"));
        }
        if (!(t.node("log.loggers") instanceof ConfigNode.Mapping loggers)) {
            return; // absent, or the wrong type (the schema check says so)
        }
        for (var e : loggers.entries().entrySet()) {
            String name = e.getKey();
            String path = "log.loggers." + SafeText.of(name, 80);
            Origin where = e.getValue().origin();
            if (!isJavaLogger(name)) {
                out.add(Problem.warning(where, path, "no logger of ha-agent has this name, so this setting does"
                        + " nothing: Patroni's Python logger names (patroni.*, urllib3, etcd, ...) do not exist in"
                        + " this Java process; use a Java logger name such as io.haagent (the agent), io.haagent.ha"
                        + " (the HA loop), io.haagent.rest (the REST API), io.etcd or io.grpc (the etcd client) or"
                        + " org.postgresql (its PostgreSQL connections)"));
            }
            Object level = e.getValue() instanceof ConfigNode.Scalar s ? s.value() : null;
            if (!(level instanceof String l) || !LOG_LEVELS.contains(l.toUpperCase(java.util.Locale.ROOT))) {
                out.add(Problem.warning(where, path, "'" + (e.getValue() instanceof ConfigNode.Scalar s
                        ? s.text() : e.getValue().describe()) + "' is not a log level, so this setting does"
                        + " nothing: use DEBUG, INFO, WARNING, ERROR or CRITICAL"));
            }
        }
    }

    private static final java.util.Set<String> LOG_LEVELS = java.util.Set.of("DEBUG", "INFO", "WARN", "WARNING",
            "ERROR", "CRITICAL", "FATAL", "NOTSET", "OFF");

    /** A logger name under a Java package on the class path (or of a library the agent runs). */
    static boolean isJavaLogger(String name) {
        if (JAVA_LOGGER_PREFIXES.stream().anyMatch(p -> name.equals(p) || name.startsWith(p + ".")
                || p.startsWith(name + "."))) {
            return true;
        }
        if (name.isEmpty() || !name.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*")) {
            return false;
        }
        ClassLoader cl = ConfigRules.class.getClassLoader();
        String resource = name.replace('.', '/');
        return cl.getResource(resource + "/") != null || cl.getResource(resource + ".class") != null;
    }

    private static void hba(ConfigTree t, AgentConfig config, List<Problem> out) {
        if (config.postgresql() == null || (t.has("postgresql.pg_hba") && config.postgresql().pgHba() == null)) {
            return; // a pg_hba of the wrong type is reported by the schema check
        }
        String path;
        List<String> lines;
        String source;
        if (config.postgresql().pgHba() != null) {
            path = "postgresql.pg_hba";
            lines = config.postgresql().pgHba();
            source = "";
        } else if (t.strings("bootstrap.dcs.postgresql.pg_hba") != null) {
            path = "bootstrap.dcs.postgresql.pg_hba";
            lines = t.strings(path);
            source = "";
        } else {
            path = "postgresql.pg_hba";
            lines = new ArrayList<>(PgHbaRules.INITDB_DEFAULT);
            List<String> legacy = t.strings("bootstrap.pg_hba");
            if (legacy != null) {
                lines.addAll(legacy);
            }
            source = "not set, and initdb's default pg_hba.conf";
        }
        List<PgHbaRules.Rule> rules = PgHbaRules.parse(lines);
        Credentials replication = config.postgresql().replication();
        if (replication != null && replication.username() != null
                && !PgHbaRules.allowsRemoteReplication(rules, replication.username())) {
            String user = replication.username();
            String what = source.isEmpty() ? "no line lets the replication user " + user + " connect for replication"
                    : source + " lets replicas connect only from this host";
            out.add(Problem.warning(t.origin(path), path, what + ", so replicas on other hosts cannot stream; add"
                    + " a line such as 'host replication " + user + " 10.0.0.0/24 scram-sha-256' (your network)"));
        }
        Credentials superuser = config.postgresql().superuser();
        boolean defaulted = superuser != null && superuser.password() == null && config.postgresql().useUnixSocket()
                && !t.has("postgresql.authentication.superuser") && !t.has("postgresql.superuser")
                && !t.has("postgresql.pg_rewind");
        String database = config.postgresql().database();
        if (defaulted && source.isEmpty() && !PgHbaRules.allowsLocalWithoutPassword(rules, superuser.username(),
                database)) {
            out.add(Problem.warning(t.origin(path), path, "no local line lets " + superuser.username() + " connect"
                    + " over the socket without a password, so ha-agent cannot reach its own PostgreSQL; add"
                    + " 'local all " + superuser.username() + " peer' first"));
        }
    }
}
