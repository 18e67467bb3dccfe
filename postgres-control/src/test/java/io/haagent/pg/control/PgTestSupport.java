package io.haagent.pg.control;

import io.haagent.config.DynamicConfig;
import io.haagent.config.PostgresqlConfig;
import io.haagent.pg.Upstream;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
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

/** Shared pieces of the component tests: a LocalPostgres for a fixture node, and plain SQL against a node. */
final class PgTestSupport {
    static final Duration START = Duration.ofSeconds(90);
    static final Duration LONG = Duration.ofSeconds(180);
    static final String SCOPE = "batman";

    private PgTestSupport() {
    }

    /** The dynamic configuration the tests run with: small restricted GUCs, slots on. */
    static DynamicConfig dynamic() {
        return DynamicConfig.from(Map.of("postgresql", Map.of("use_slots", true, "parameters", Map.of(
                "max_connections", 30, "max_wal_senders", 6, "max_replication_slots", 6, "max_worker_processes", 4,
                "wal_keep_size", "64MB"))));
    }

    static LocalPostgres control(PostgresFixture f, PostgresTestNode n, PostgresqlConfig cfg) {
        return control(f, n, cfg, Tuning.DEFAULT.withBasebackupRetryDelay(Duration.ofMillis(200)));
    }

    static LocalPostgres control(PostgresFixture f, PostgresTestNode n, PostgresqlConfig cfg, Tuning tuning) {
        LocalPostgres pg = new LocalPostgres(new PostgresNode(n.name(), SCOPE, cfg, null), f.binaries(), tuning);
        pg.setDynamicConfig(dynamic());
        return pg;
    }

    static Upstream upstream(PostgresTestNode n) {
        return new Upstream(n.name(), n.address(), n.port());
    }

    static Connection connect(PostgresTestNode n) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", PostgresTestNode.SUPERUSER.username());
        p.setProperty("password", PostgresTestNode.SUPERUSER.password().reveal());
        p.setProperty("connectTimeout", "5");
        p.setProperty("ApplicationName", "test");
        return DriverManager.getConnection("jdbc:postgresql://" + n.address() + ":" + n.port() + "/postgres", p);
    }

    static String queryOne(PostgresTestNode n, String sql) {
        try (Connection c = connect(n); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new AssertionError("query on " + n.name() + " failed: " + sql, e);
        }
    }

    static List<String> queryColumn(PostgresTestNode n, String sql) {
        try (Connection c = connect(n); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError("query on " + n.name() + " failed: " + sql, e);
        }
    }

    static void exec(PostgresTestNode n, String... sql) {
        try (Connection c = connect(n); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new AssertionError("statement on " + n.name() + " failed: " + String.join("; ", sql), e);
        }
    }
}
