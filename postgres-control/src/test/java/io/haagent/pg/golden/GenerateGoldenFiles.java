package io.haagent.pg.golden;

import io.haagent.pg.Recovery;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.Upstream;
import io.haagent.pg.control.LocalPostgres;
import io.haagent.pg.control.PostgresNode;
import io.haagent.pg.control.Tuning;
import io.haagent.config.DynamicConfig;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Produces the golden files of the parser and renderer unit tests from real PostgreSQL 15 output. Not a test:
 * run it by hand when PostgreSQL's output format matters again (see golden/README.md), as the postgres user:
 *
 * <pre>
 * scripts/test.sh -o -pl core,postgres-control -am -DskipTests   # compiles the test classes
 * runuser -u postgres -- postgres-control/src/test/resources/golden/generate.sh
 * </pre>
 */
public final class GenerateGoldenFiles {
    private GenerateGoldenFiles() {
    }

    public static void main(String[] args) throws Exception {
        Path pcOut = Files.createDirectories(Path.of(args[0]));
        Path coreOut = Files.createDirectories(Path.of(args[1]));
        try (PostgresFixture f = PostgresFixture.create()) {
            PostgresTestNode n1 = f.node("pg1");
            PostgresTestNode n2 = f.node("pg-2");
            DynamicConfig dyn = DynamicConfig.from(Map.of("postgresql", Map.of("parameters", Map.of(
                    "max_connections", 30, "max_wal_senders", 5, "max_replication_slots", 5))));
            LocalPostgres pg1 = new LocalPostgres(new PostgresNode("pg1", "batman", n1.config().build(), null),
                    f.binaries(), Tuning.DEFAULT);
            LocalPostgres pg2 = new LocalPostgres(new PostgresNode("pg-2", "batman", n2.config().build(), null),
                    f.binaries(), Tuning.DEFAULT);
            pg1.setDynamicConfig(dyn);
            pg2.setDynamicConfig(dyn);
            pg1.bootstrap(Duration.ofSeconds(120));
            pg1.postBootstrap(Duration.ofSeconds(120));
            write(coreOut, "pg_controldata-in-production.txt", controldata(f, n1));
            write(pcOut, "postmaster.pid", Files.readString(n1.dataDir().resolve("postmaster.pid")));
            write(pcOut, "postmaster.opts", Files.readString(n1.dataDir().resolve("postmaster.opts")));
            exec(n1, "ALTER SYSTEM SET work_mem = '5MB'", "ALTER SYSTEM SET primary_conninfo = 'host=10.9.9.9 user=x'",
                    "ALTER SYSTEM SET restore_command = 'cp /arch/%f %p'");
            write(pcOut, "postgresql.auto.conf", Files.readString(n1.dataDir().resolve("postgresql.auto.conf")));
            exec(n1, "ALTER SYSTEM RESET ALL");
            write(pcOut, "postgres-version.txt", run(f.binDir().resolve("postgres").toString(), "--version"));

            Upstream up1 = new Upstream("pg1", n1.address(), n1.port());
            pg2.createReplica(up1, Duration.ofSeconds(120));
            pg2.start(StartRequest.asReplica(up1, null, Duration.ofSeconds(60)));
            waitStreaming(n2);
            write(coreOut, "wal_receiver_conninfo.txt", query(n2, "SELECT conninfo FROM pg_stat_wal_receiver"));
            write(coreOut, "primary_conninfo_setting.txt", query(n2, "SHOW primary_conninfo"));
            write(coreOut, "pg_controldata-in-archive-recovery.txt", controldata(f, n2));
            write(coreOut, "wal_receiver_conninfo.README", "pg_stat_wal_receiver.conninfo and SHOW primary_conninfo of"
                    + " a PostgreSQL 15 replica whose primary_conninfo the agent wrote (passwords are never shown)\n");

            // the renderer goldens, parsed by the real server's configuration parser (postgres -C)
            Path conf = Files.createTempDirectory(f.directory(), "conf");
            Files.writeString(conf.resolve("postgresql.base.conf"), "");
            Files.writeString(conf.resolve("postgresql.conf"), GoldenInputs.replicaConf());
            write(pcOut, "replica-postgresql.conf", GoldenInputs.replicaConf());
            StringBuilder parsed = new StringBuilder();
            for (String line : GoldenInputs.replicaConf().split("\n")) {
                int eq = line.indexOf(" = ");
                if (eq > 0 && !line.startsWith("#")) {
                    String name = line.substring(0, eq);
                    parsed.append(name).append('\t').append(run(f.binDir().resolve("postgres").toString(), "-D",
                            n1.dataDir().toString(), "--config-file=" + conf.resolve("postgresql.conf"), "-C", name)
                            .replaceFirst("\n$", "")).append('\n');
                }
            }
            write(pcOut, "replica-postgresql.conf.postgres-C.tsv", parsed.toString());

            Path hba = n1.dataDir().resolve("pg_hba.conf");
            String savedHba = Files.readString(hba);
            Files.writeString(hba, GoldenInputs.hba());
            write(pcOut, "pg_hba.conf", GoldenInputs.hba());
            write(pcOut, "pg_hba_file_rules.tsv", rows(n1, "SELECT line_number, type, array_to_string(database, ','),"
                    + " array_to_string(user_name, ','), coalesce(address, ''), auth_method,"
                    + " coalesce(array_to_string(options, ','), ''), coalesce(error, '') FROM pg_hba_file_rules"
                    + " ORDER BY line_number"));
            Files.writeString(hba, savedHba);

            pg1.stop(StopMode.FAST, true, Duration.ofSeconds(60));
            String cd1 = controldata(f, n1);
            write(coreOut, "pg_controldata-shut-down.txt", cd1);
            String checkpoint = cd1.lines().filter(l -> l.startsWith("Latest checkpoint location:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
            write(pcOut, "pg_waldump-shutdown-checkpoint.txt", "# pg_waldump -p pg_wal -t 1 -s " + checkpoint
                    + " -n 2 (stdout, then stderr)\n" + run(f.binDir().resolve("pg_waldump").toString(), "-p",
                    n1.dataDir().resolve("pg_wal").toString(), "-t", "1", "-s", checkpoint, "-n", "2"));

            pg2.promote(Duration.ofSeconds(60));
            write(coreOut, "timeline_history_2.txt", timelineHistory(n2));
        }
        try (PostgresFixture f = PostgresFixture.create()) {
            PostgresTestNode n = f.node("crash");
            LocalPostgres pg = new LocalPostgres(new PostgresNode("crash", "batman", n.config().build(), null),
                    f.binaries(), Tuning.DEFAULT);
            pg.bootstrap(Duration.ofSeconds(120));
            pg.postBootstrap(Duration.ofSeconds(120));
            pg.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(30));
            write(coreOut, "pg_controldata-crashed.txt", controldata(f, n));
            PostgresTestNode r = f.node("replica");
            LocalPostgres rp = new LocalPostgres(new PostgresNode("replica", "batman", r.config().build(), null),
                    f.binaries(), Tuning.DEFAULT);
            pg.start(StartRequest.asPrimary(Duration.ofSeconds(60)));
            rp.createReplica(new Upstream("crash", n.address(), n.port()), Duration.ofSeconds(120));
            rp.start(StartRequest.of(Recovery.follow(new Upstream("crash", n.address(), n.port()), null),
                    Duration.ofSeconds(60)));
            rp.stop(StopMode.FAST, true, Duration.ofSeconds(60));
            write(coreOut, "pg_controldata-shut-down-in-recovery.txt", controldata(f, r));
        }
        System.out.println("golden files written to " + pcOut + " and " + coreOut);
        System.exit(0);
    }

    private static String controldata(PostgresFixture f, PostgresTestNode n) throws Exception {
        return run(f.binDir().resolve("pg_controldata").toString(), n.dataDir().toString());
    }

    private static void waitStreaming(PostgresTestNode n) throws Exception {
        for (int i = 0; i < 600; i++) {
            if ("streaming".equals(query(n, "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), '')"))) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("replica did not stream");
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("LANG", "C");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out + err;
    }

    private static Connection connect(PostgresTestNode n, boolean replication) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", PostgresTestNode.SUPERUSER.username());
        p.setProperty("password", PostgresTestNode.SUPERUSER.password().reveal());
        if (replication) {
            p.setProperty("replication", "database");
            p.setProperty("preferQueryMode", "simple");
            p.setProperty("assumeMinServerVersion", "9.4");
        }
        return DriverManager.getConnection("jdbc:postgresql://" + n.hostPort() + "/postgres", p);
    }

    private static String query(PostgresTestNode n, String sql) throws SQLException {
        try (Connection c = connect(n, false); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private static void exec(PostgresTestNode n, String... sql) throws SQLException {
        try (Connection c = connect(n, false); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    private static String rows(PostgresTestNode n, String sql) throws SQLException {
        try (Connection c = connect(n, false); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int cols = rs.getMetaData().getColumnCount();
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= cols; i++) {
                    row.add(rs.getString(i));
                }
                sb.append(String.join("\t", row)).append('\n');
            }
            return sb.toString();
        }
    }

    private static String timelineHistory(PostgresTestNode n) throws SQLException {
        try (Connection c = connect(n, true); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("TIMELINE_HISTORY 2")) {
            rs.next();
            return rs.getString("content");
        }
    }

    private static void write(Path dir, String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        System.out.println("wrote " + dir.resolve(name));
    }
}
