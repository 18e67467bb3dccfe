package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.haagent.config.BootstrapConfig;
import io.haagent.config.Credentials;
import io.haagent.config.PostgresqlConfig;
import io.haagent.config.Secret;
import io.haagent.pg.PostgresException;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Custom bootstrap (§4.6) as Patroni runs it: the command makes the data directory (here a base backup of another
 * cluster, whose superuser password is not the configured one), postgres starts with the method's recovery
 * settings, trusting the local superuser until {@code postBootstrap} has set the configured passwords, and ends
 * with the configured pg_hba.conf and no recovery settings.
 */
class CustomBootstrapIT {
    private static final Credentials OTHER_SUPERUSER = Credentials.of("postgres", Secret.of("not the source's"));
    private static PostgresFixture fixture;
    private static PostgresTestNode source;
    private static LocalPostgres primary;

    @BeforeAll
    static void sourceCluster() {
        fixture = PostgresFixture.create();
        source = fixture.node("source");
        primary = PgTestSupport.control(fixture, source, source.config().build());
        primary.bootstrap(LONG);
        primary.postBootstrap(LONG);
        PgTestSupport.exec(source, "CREATE TABLE restored_probe AS SELECT 42 AS v");
    }

    @AfterAll
    static void cleanup() {
        if (primary != null) {
            primary.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** A script that copies the source with pg_basebackup over its trusted socket into {@code --datadir}. */
    private static Path backupScript(PostgresTestNode n, String after) throws Exception {
        Path p = n.root().resolve("restore.sh");
        Files.writeString(p, "#!/bin/sh\nPATH=" + fixture.binDir() + ":$PATH\n"
                + "printf '%s\\n' \"$@\" > " + n.root().resolve("args") + "\n"
                + "for a in \"$@\"; do case \"$a\" in --datadir=*) D=\"${a#--datadir=}\";; esac; done\n"
                // a copy into a directory that must not exist yet, as Patroni's own backup_restore.py does
                + "test ! -e \"$D\" || { echo \"$D exists\" >&2; exit 5; }\n"
                + "pg_basebackup -h " + source.socketDir() + " -p " + source.port() + " -U replicator -D \"$D\""
                + " -X stream -c fast || exit 6\n" + after + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static LocalPostgres control(PostgresTestNode n, PostgresqlConfig cfg, Map<String, Object> method) {
        BootstrapConfig bc = new BootstrapConfig(Map.of(), "restore", List.of(), Map.of("restore", method), null,
                List.of(), Map.of());
        LocalPostgres pg = new LocalPostgres(new PostgresNode(n.name(), PgTestSupport.SCOPE, cfg, bc),
                fixture.binaries(), Tuning.DEFAULT);
        pg.setDynamicConfig(PgTestSupport.dynamic());
        return pg;
    }

    private static String query(PostgresTestNode n, Credentials su, String sql) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", su.username());
        p.setProperty("password", su.password().reveal());
        p.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + n.address() + ":" + n.port()
                + "/postgres", p); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void aCopyWithAnotherSuperuserPasswordEndsWithTheConfiguredRolesAndPgHba() throws Exception {
        PostgresTestNode n = fixture.node("clone");
        Files.createDirectories(n.dataDir());
        PostgresqlConfig cfg = n.config().superuser(OTHER_SUPERUSER).build();
        try (LocalPostgres pg = control(n, cfg, Map.of("command", backupScript(n, "").toString(), "speed", "fast"))) {
            pg.bootstrap(LONG);
            assertThat(Files.readAllLines(n.root().resolve("args"))).containsExactly("--scope=" + PgTestSupport.SCOPE,
                    "--datadir=" + n.dataDir(), "--speed=fast");
            // until post_bootstrap: the superuser and replication user are trusted from this host only
            assertThat(Files.readString(n.dataDir().resolve("pg_hba.conf")))
                    .contains("local\tall\tpostgres\t\ttrust", "host\tall\tpostgres\t" + n.address() + "/32\ttrust")
                    .doesNotContain("scram-sha-256");
            assertThat(n.dataDir().resolve("pg_hba.conf.backup")).content().doesNotContain("\ttrust");

            pg.postBootstrap(LONG);
            assertThat(Files.readString(n.dataDir().resolve("pg_hba.conf"))).doesNotContain("\ttrust")
                    .contains("host all all 127.0.0.0/8 scram-sha-256");
            assertThat(query(n, OTHER_SUPERUSER, "SELECT v FROM restored_probe")).isEqualTo("42");
            assertThat(query(n, OTHER_SUPERUSER, "SELECT pg_is_in_recovery()")).isEqualTo("f");
            assertThat(n.dataDir().resolve("pg_hba.conf.backup")).content().doesNotContain("\ttrust");
        }
    }

    @Test
    void aRestoreWithRecoveryConfReplaysToItsTargetPromotesAndKeepsNoRecoverySettings() throws Exception {
        PostgresTestNode n = fixture.node("pitr");
        PostgresqlConfig cfg = n.config().build();
        Map<String, Object> method = Map.of("command", backupScript(n, "touch \"$D/promote\"").toString(),
                "recovery_conf", Map.of("restore_command", "false", "recovery_target", "immediate",
                        "recovery_target_action", "promote"));
        try (LocalPostgres pg = control(n, cfg, method)) {
            pg.bootstrap(LONG);
            assertThat(n.dataDir().resolve("promote")).as("a leftover promote trigger is removed").doesNotExist();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> "f".equals(PgTestSupport.queryOne(n, "SELECT pg_is_in_recovery()")));
            pg.postBootstrap(LONG);
            assertThat(PgTestSupport.queryOne(n, "SELECT v FROM restored_probe")).isEqualTo("42");
            assertThat(PgTestSupport.queryOne(n, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                    .as("promoted at the end of the restore: a new timeline").isNotEqualTo("00000001");
            assertThat(n.dataDir().resolve("recovery.signal")).doesNotExist();
            assertThat(Files.readString(n.dataDir().resolve("postgresql.conf"))).doesNotContain("restore_command")
                    .doesNotContain("recovery_target");
        }
    }

    @Test
    void keepExistingRecoveryConfStartsWithTheRecoveryTheToolLeft() throws Exception {
        PostgresTestNode n = fixture.node("keep");
        PostgresqlConfig cfg = n.config().build();
        Map<String, Object> method = Map.of("command", backupScript(n, "touch \"$D/recovery.signal\"\n"
                + "printf \"restore_command = 'false'\\nrecovery_target = 'immediate'\\n"
                + "recovery_target_action = 'promote'\\n\" >> \"$D/postgresql.auto.conf\"").toString(),
                "keep_existing_recovery_conf", true);
        try (LocalPostgres pg = control(n, cfg, method)) {
            pg.bootstrap(LONG);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> "f".equals(PgTestSupport.queryOne(n, "SELECT pg_is_in_recovery()")));
            assertThat(PgTestSupport.queryOne(n, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                    .as("the tool's recovery ran: promoted at its target").isNotEqualTo("00000001");
            pg.postBootstrap(LONG);
            assertThat(Files.readString(n.dataDir().resolve("postgresql.auto.conf")))
                    .doesNotContain("restore_command").doesNotContain("recovery_target");
        }
    }

    @Test
    void aFailingCommandLeavesWhatItMadeForTheLoopToSetAside() throws Exception {
        PostgresTestNode n = fixture.node("failing");
        PostgresqlConfig cfg = n.config().build();
        Map<String, Object> method = Map.of("command", backupScript(n, "echo 'restore failed' >&2; exit 3").toString(),
                "no_params", false);
        try (LocalPostgres pg = control(n, cfg, method)) {
            assertThatThrownBy(() -> pg.bootstrap(LONG))
                    .isInstanceOfSatisfying(PostgresException.ToolFailed.class, e -> {
                        assertThat(e.report().exitCode()).isEqualTo(3);
                        assertThat(e.report().lastLines()).contains("restore failed");
                    });
            assertThat(pg.isRunning()).isFalse();
            assertThat(n.dataDir().resolve("PG_VERSION")).exists();
        }
    }
}
