package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.START;
import static io.haagent.pg.control.PgTestSupport.queryColumn;
import static io.haagent.pg.control.PgTestSupport.queryOne;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.Role;
import io.haagent.config.BootstrapConfig;
import io.haagent.pg.ControlData;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.StopResult;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** initdb → start → roles → stop in every mode, with callbacks and hooks, against real PostgreSQL 15. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LifecycleIT {
    private static PostgresFixture fixture;
    private static PostgresTestNode node;
    private static LocalPostgres pg;
    private static Path callbackLog;
    private static Path postBootstrapLog;

    @BeforeAll
    static void bootstrap() throws Exception {
        fixture = PostgresFixture.create();
        node = fixture.node("pg1");
        callbackLog = node.root().resolve("callbacks.log");
        postBootstrapLog = node.root().resolve("post_bootstrap.log");
        Path cb = script(node.root().resolve("cb.sh"), "echo \"$1 $2 $3\" >> " + callbackLog);
        Path before = script(node.root().resolve("before_stop.sh"), "echo before_stop >> " + callbackLog);
        Path post = script(node.root().resolve("post.sh"), "echo \"$1\" > " + postBootstrapLog
                + "\npsql \"$1\" -Atc 'CREATE TABLE made_by_post_bootstrap()' >> " + postBootstrapLog + " 2>&1");
        var cfg = node.config();
        for (String a : List.of("on_start", "on_stop", "on_restart", "on_reload", "on_role_change")) {
            cfg.callback(a, cb.toString());
        }
        cfg.beforeStop(before.toString());
        BootstrapConfig bc = new BootstrapConfig(Map.of(), "initdb",
                List.of("data-checksums", Map.of("encoding", "UTF8"), Map.of("locale", "C")), Map.of(),
                post.toString(), List.of(), Map.of());
        pg = new LocalPostgres(new PostgresNode(node.name(), PgTestSupport.SCOPE, cfg.build(), bc),
                fixture.binaries(), Tuning.DEFAULT);
        pg.setDynamicConfig(PgTestSupport.dynamic());
        assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.ABSENT);
        pg.bootstrap(Duration.ofSeconds(180));
        pg.postBootstrap(Duration.ofSeconds(180));
    }

    static Path script(Path p, String body) throws Exception {
        Files.writeString(p, "#!/bin/sh\nPATH=" + fixture.binDir() + ":$PATH\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @AfterAll
    static void cleanup() {
        if (pg != null) {
            pg.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    void bootstrapLeavesARunningPrimaryWithItsDataDirectoryValid() {
        assertThat(pg.isRunning()).isTrue();
        assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.VALID);
        ServerStatus s = pg.state();
        assertThat(s.role()).isEqualTo(Role.PRIMARY);
        assertThat(s.timeline()).isEqualTo(1);
        assertThat(s.serverVersion()).isBetween(150000, 159999);
        assertThat(s.flushLsn()).isNotNull();
        assertThat(s.systemIdentifier()).isEqualTo(pg.systemIdentifier()).matches("\\d{10,}");
        assertThat(queryOne(node, "SHOW data_checksums")).isEqualTo("on");
        assertThat(queryOne(node, "SHOW cluster_name")).isEqualTo(PgTestSupport.SCOPE);
        assertThat(queryOne(node, "SHOW max_connections")).isEqualTo("30");
        assertThat(queryOne(node, "SELECT source FROM pg_settings WHERE name = 'max_connections'"))
                .isEqualTo("command line");
    }

    @Test
    @Order(2)
    void rolesExistWithTheirAttributesAndRewindGrants() {
        assertThat(queryColumn(node, "SELECT rolname || ':' || rolsuper || ':' || rolreplication || ':' || rolcanlogin"
                + " FROM pg_roles WHERE rolname IN ('postgres', 'replicator', 'rewinder') ORDER BY 1"))
                .containsExactly("postgres:true:true:true", "replicator:false:true:true",
                        "rewinder:false:false:true");
        assertThat(queryOne(node, "SELECT bool_and(has_function_privilege('rewinder', f, 'EXECUTE')) FROM unnest("
                + "ARRAY['pg_catalog.pg_ls_dir(text, boolean, boolean)', 'pg_catalog.pg_stat_file(text, boolean)',"
                + " 'pg_catalog.pg_read_binary_file(text)',"
                + " 'pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)']) f")).isEqualTo("t");
        // the passwords (with a quote, a colon and a backslash in them) work over TCP with scram
        for (var cred : List.of(PostgresTestNode.REPLICATION, PostgresTestNode.REWIND)) {
            java.util.Properties p = new java.util.Properties();
            p.setProperty("user", cred.username());
            p.setProperty("password", cred.password().reveal());
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + node.hostPort()
                    + "/postgres", p)) {
                assertThat(c.isValid(5)).isTrue();
            } catch (java.sql.SQLException e) {
                throw new AssertionError(cred.username() + " cannot log in", e);
            }
        }
    }

    @Test
    @Order(3)
    void postBootstrapRanWithTheLocalSuperuserDsnAndNoPasswordOnItsCommandLine() throws Exception {
        String log = Files.readString(postBootstrapLog, StandardCharsets.UTF_8);
        assertThat(log).contains("user=postgres").contains("dbname=postgres").doesNotContain("su-secret");
        assertThat(queryOne(node, "SELECT count(*) FROM pg_class WHERE relname = 'made_by_post_bootstrap'"))
                .isEqualTo("1");
        assertThat(Files.getPosixFilePermissions(node.pgpass())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    @Order(4)
    void filesAreAgentOwnedWithTheBaseConfigurationKept() throws Exception {
        Path data = node.dataDir();
        String conf = Files.readString(data.resolve("postgresql.conf"));
        assertThat(conf).startsWith("# Do not edit this file manually!").contains("include 'postgresql.base.conf'")
                .contains("hba_file = '" + data.resolve("pg_hba.conf") + "'").doesNotContain("# recovery.conf");
        assertThat(Files.readString(data.resolve("postgresql.base.conf"))).contains("initdb");
        assertThat(Files.readString(data.resolve("pg_hba.conf"))).contains("host replication all 127.0.0.0/8");
        assertThat(data.resolve("standby.signal")).doesNotExist();
        assertThat(queryOne(node, "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL")).isEqualTo("0");
    }

    @ParameterizedTest
    @EnumSource(StopMode.class)
    @Order(5)
    void stopsInEachModeAndStartsAgain(StopMode mode) throws Exception {
        if (!pg.isRunning()) {
            pg.start(StartRequest.asPrimary(START));
        }
        Files.deleteIfExists(callbackLog);
        long pid = pg.postmasterPid().orElseThrow();
        StopResult r = pg.stop(mode, true, Duration.ofSeconds(60));
        assertThat(r.wasRunning()).isTrue();
        assertThat(r.used()).isEqualTo(mode);
        assertThat(pg.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(r.controlData().state()).isEqualTo(mode == StopMode.IMMEDIATE
                ? ControlData.State.IN_PRODUCTION : ControlData.State.SHUT_DOWN);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callbackLog).exists()
                .content().contains("before_stop").contains("on_stop primary batman"));
        assertThat(pg.stop(mode, false, Duration.ofSeconds(5)).wasRunning()).isFalse();
        assertThatThrownBy(pg::state).isInstanceOf(PostgresException.NotRunning.class);

        pg.start(StartRequest.asPrimary(START));
        assertThat(pg.isRunning()).isTrue();
        assertThat(pg.postmasterPid().orElseThrow()).isNotEqualTo(pid);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callbackLog)
                .content().contains("on_start primary batman"));
        assertThat(pg.state().role()).isEqualTo(Role.PRIMARY);
    }

    @Test
    @Order(6)
    void aStopThatDoesNotFinishEscalates() {
        if (!pg.isRunning()) {
            pg.start(StartRequest.asPrimary(START));
        }
        // an open transaction keeps a smart shutdown waiting forever: the stop timeout must escalate
        try (Connection c = PgTestSupport.connect(node)) {
            c.setAutoCommit(false);
            c.createStatement().execute("SELECT 1");
            StopResult r = pg.stop(StopMode.SMART, false, Duration.ofSeconds(2));
            assertThat(r.escalated()).isTrue();
            assertThat(r.used()).isEqualTo(StopMode.IMMEDIATE);
            assertThat(pg.isRunning()).isFalse();
        } catch (java.sql.SQLException e) {
            // the connection is gone after the stop: that is expected when closing it
        }
        assertThat(pg.isRunning()).isFalse();
        // no callback here: an on_start still running would race with the next test's callback log
        pg.start(StartRequest.asPrimary(START).withoutCallback());
    }

    @Test
    @Order(7)
    void restartAndReloadFireTheirCallbacks() throws Exception {
        Files.deleteIfExists(callbackLog);
        long pid = pg.postmasterPid().orElseThrow();
        pg.restart(StartRequest.asPrimary(START), Duration.ofSeconds(60));
        assertThat(pg.postmasterPid().orElseThrow()).isNotEqualTo(pid);
        pg.reload();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callbackLog).content()
                .contains("on_restart primary batman").contains("on_reload primary batman")
                .doesNotContain("on_stop").doesNotContain("on_start"));
    }

    @Test
    @Order(8)
    void startingWhatRunsAndBootstrappingOverDataAreRefused() {
        assertThatThrownBy(() -> pg.start(StartRequest.asPrimary(START)))
                .isInstanceOf(PostgresException.AlreadyRunning.class).hasMessageContaining("pid");
        assertThatThrownBy(() -> pg.bootstrap(Duration.ofSeconds(10)))
                .isInstanceOf(PostgresException.DataDirectoryProblem.class).hasMessageContaining("valid");
    }

    @Test
    @Order(9)
    void settingsThatNeedARestartAreReportedWithOldAndNewValues() {
        // a restricted GUC changed in the dynamic configuration: the command line would change
        pg.setDynamicConfig(io.haagent.config.DynamicConfig.from(Map.of("postgresql", Map.of("parameters", Map.of(
                "max_connections", 40, "max_wal_senders", 6, "max_replication_slots", 6,
                "max_worker_processes", 4, "wal_keep_size", "64MB")))));
        assertThat(pg.state().pendingRestart()).containsEntry("max_connections",
                new ServerStatus.PendingRestart("max_connections", "30", "40"));
        pg.setDynamicConfig(PgTestSupport.dynamic());
        assertThat(pg.state().pendingRestart()).isEmpty();

        // a postmaster-context parameter changed locally: the agent (re)reads its configuration and reloads
        LocalPostgres reconfigured = new LocalPostgres(new PostgresNode(node.name(), PgTestSupport.SCOPE,
                node.config().parameter("shared_buffers", "32MB").build(), null), fixture.binaries(), Tuning.DEFAULT);
        try {
            reconfigured.setDynamicConfig(PgTestSupport.dynamic());
            reconfigured.writeConfiguration(io.haagent.pg.Recovery.primary());
            reconfigured.reload();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(reconfigured.state().pendingRestart())
                    .containsEntry("shared_buffers", new ServerStatus.PendingRestart("shared_buffers", "16MB",
                            "32MB")));
            reconfigured.restart(StartRequest.asPrimary(START).withoutCallback(), Duration.ofSeconds(60));
            assertThat(reconfigured.state().pendingRestart()).isEmpty();
            assertThat(queryOne(node, "SHOW shared_buffers")).isEqualTo("32MB");
        } finally {
            reconfigured.close();
        }
    }
}
