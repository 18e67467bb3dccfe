package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.config.Credentials;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.UsageException;
import io.haagent.ctl.output.Format;
import io.haagent.ctl.output.Rows;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code query [CLUSTER] -c SQL}: run SQL on the leader, a member with a role (checked with
 * {@code pg_is_in_recovery()}), or a named member, and print the last result as tsv (or another format).
 * Credentials: {@code -U} (password from {@code --password}, {@code PGPASSWORD} or {@code ~/.pgpass}), else the
 * configuration's superuser.
 */
@Command(name = "query", description = "Run SQL on a member.")
public final class QueryCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = {"-r", "--role"}, paramLabel = "ROLE", description = "A member with this role (default: leader)")
    String role;

    @Option(names = {"-m", "--member"}, paramLabel = "NAME", description = "This member")
    String member;

    @Option(names = {"-d", "--dbname"}, paramLabel = "DB", description = "Database (default: the member's)")
    String dbname;

    @Option(names = {"-U", "--username"}, paramLabel = "USER", description = "Database user")
    String username;

    @Option(names = "--password", description = "Ask for the password")
    boolean askPassword;

    @Option(names = {"-c", "--command"}, paramLabel = "SQL", description = "The SQL to run")
    String command;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Run the SQL in this file")
    String file;

    @Option(names = "--format", defaultValue = "tsv", converter = Format.Converter.class, paramLabel = "FORMAT",
            description = "tsv (default), pretty, json or yaml")
    Format format;

    @Option(names = "--delimiter", defaultValue = "\t", paramLabel = "TEXT", description = "Column delimiter (tsv)")
    String delimiter;

    @Option(names = "-W", description = "Repeat every 2 seconds")
    boolean watchEvery2;

    @Option(names = {"-w", "--watch"}, paramLabel = "SECONDS", description = "Repeat every SECONDS")
    Double watch;

    @Override
    int execute() throws IOException, InterruptedException {
        if (file != null && command != null) {
            throw new UsageException("--file and --command are mutually exclusive options");
        }
        if (file == null && command == null) {
            throw new UsageException("You need to specify either --command or --file");
        }
        String sql = command != null ? command : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        String name = session.clusterName(cluster);
        String password = null;
        if (askPassword) {
            password = session.prompts().ask("Password", "", "PGPASSWORD");
        }
        String pw = password;
        return Watch.loop(session, watchEvery2, watch, () -> {
            ClusterView v = session.store(name).readExisting();
            Member m = DsnCommand.pick(v, name, role, member);
            return run(m, sql, pw) + "\n";
        });
    }

    private String run(Member m, String sql, String password) {
        if (m.host() == null) {
            throw new CtlException(m.name() + " publishes no usable conn_url (" + m.connUrl() + ")");
        }
        Credentials su = session.settings().superuser();
        String user = username;
        String pw = password;
        if (user == null && su != null && su.username() != null) {
            user = su.username();
            if (pw == null && su.password() != null) {
                pw = su.password().reveal();
            }
        }
        if (user == null) {
            user = session.host().osUser();
        }
        if (pw == null) {
            pw = session.host().env().get("PGPASSWORD");
        }
        String db = dbname;
        if (db == null) {
            String path = java.net.URI.create(m.connUrl()).getPath();
            db = path == null || path.length() <= 1 ? "postgres" : path.substring(1);
        }
        Properties p = new Properties();
        p.setProperty("user", user);
        if (pw != null) {
            p.setProperty("password", pw);
        }
        p.setProperty("connectTimeout", "5");
        p.setProperty("ApplicationName", "agentctl");
        String host = m.host().contains(":") ? "[" + m.host() + "]" : m.host();
        String url = "jdbc:postgresql://" + host + ":" + m.port() + "/" + db;
        try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
            String r = role == null ? (member == null ? "leader" : "any") : role;
            if (!r.equals("any") && !r.equals("leader")) {
                try (ResultSet rs = s.executeQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
                    rs.next();
                    boolean recovery = rs.getBoolean(1);
                    boolean wantReplica = r.equals("replica") || r.equals("standby") || r.equals("standby-leader");
                    if (recovery != wantReplica) {
                        throw new CtlException("No connection to role=" + r + " is available: " + m.name()
                                + (recovery ? " is in recovery" : " is not in recovery"));
                    }
                }
            }
            Rows last = null;
            boolean isResult = s.execute(sql);
            while (true) {
                if (isResult) {
                    try (ResultSet rs = s.getResultSet()) {
                        last = rows(rs);
                    }
                } else if (s.getUpdateCount() == -1) {
                    break;
                }
                isResult = s.getMoreResults();
            }
            return last == null ? "" : last.render(format, delimiter, null);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            throw new CtlException("query on " + m.name() + " (" + m.host() + ":" + m.port() + "/" + db + ") failed:"
                    + " ERROR, SQLSTATE: " + state + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }

    private static Rows rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> cols = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            cols.add(md.getColumnLabel(i));
        }
        Rows rows = new Rows(cols);
        while (rs.next()) {
            List<Object> r = new ArrayList<>();
            for (int i = 1; i <= cols.size(); i++) {
                Object o = rs.getObject(i);
                r.add(o == null ? "None" : o instanceof Number n && !(o instanceof BigDecimal) ? n
                        : o instanceof BigDecimal d ? d : o instanceof Boolean ? o : rs.getString(i));
            }
            rows.add(r);
        }
        return rows;
    }
}
