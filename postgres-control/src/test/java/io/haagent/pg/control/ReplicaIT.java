package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static io.haagent.pg.control.PgTestSupport.START;
import static io.haagent.pg.control.PgTestSupport.exec;
import static io.haagent.pg.control.PgTestSupport.queryOne;
import static io.haagent.pg.control.PgTestSupport.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.Lsn;
import io.haagent.cluster.Role;
import io.haagent.pg.CloneReport;
import io.haagent.pg.ControlData;
import io.haagent.pg.Divergence;
import io.haagent.pg.FollowResult;
import io.haagent.pg.ServerStatus;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.slots.SlotAction;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotResult;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A primary and two replicas cloned with pg_basebackup: streaming with advancing LSNs, a clean failover
 * (promotion after the primary stopped), and nodes that did not diverge following the new primary without a
 * rewind. Real PostgreSQL 15 throughout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaIT {
    private static PostgresFixture fixture;
    private static PostgresTestNode n1;
    private static PostgresTestNode n2;
    private static PostgresTestNode n3;
    private static LocalPostgres pg1;
    private static LocalPostgres pg2;
    private static LocalPostgres pg3;

    @BeforeAll
    static void primary() {
        fixture = PostgresFixture.create();
        n1 = fixture.node("pg1");
        n2 = fixture.node("pg2");
        n3 = fixture.node("pg3");
        pg1 = PgTestSupport.control(fixture, n1, n1.config().build());
        pg2 = PgTestSupport.control(fixture, n2, n2.config().build());
        pg3 = PgTestSupport.control(fixture, n3, n3.config().build());
        pg1.bootstrap(LONG);
        pg1.postBootstrap(LONG);
        exec(n1, "CREATE TABLE t(id int primary key, v text)", "INSERT INTO t VALUES (1, 'before clone')");
        List<SlotResult> r = pg1.applySlots(new SlotPlan(List.of(new SlotAction.CreatePhysical("pg2", "test"),
                new SlotAction.CreatePhysical("pg3", "test"))));
        assertThat(r).allSatisfy(x -> assertThat(x.outcome()).isEqualTo(SlotResult.Outcome.DONE));
    }

    @AfterAll
    static void cleanup() {
        for (LocalPostgres p : new LocalPostgres[] {pg1, pg2, pg3}) {
            if (p != null) {
                p.close();
            }
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    void aReplicaClonedWithBasebackupStreamsAndItsPositionsAdvance() throws Exception {
        CloneReport report = pg2.createReplica(upstream(n1), LONG);
        assertThat(report.method()).isEqualTo("basebackup");
        assertThat(report.attempts()).hasSize(1);
        // --no-sync: the agent makes the copy durable with one syncfs afterwards (FilesystemSync, issue 17)
        assertThat(report.attempts().get(0).command()).contains("-X", "stream", "--no-sync")
                .noneMatch(a -> a.contains("repl 'secret'"));
        pg2.start(StartRequest.asReplica(upstream(n1), "pg2", START));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ServerStatus s = pg2.state();
            assertThat(s.role()).isEqualTo(Role.REPLICA);
            assertThat(s.replicationState()).isEqualTo(ServerStatus.STREAMING);
            assertThat(s.walReceiver().slotName()).isEqualTo("pg2");
            assertThat(s.walReceiver().senderHost()).isEqualTo(n1.address());
            assertThat(s.timeline()).isEqualTo(1);
            ServerStatus.ReplicationConnection row = pg1.state().replicationOf("pg2");
            assertThat(row).isNotNull();
            assertThat(row.state()).isEqualTo("streaming");
            assertThat(row.usename()).isEqualTo("replicator");
        });
        assertThat(queryOne(n2, "SELECT v FROM t WHERE id = 1")).isEqualTo("before clone");

        Lsn receivedBefore = pg2.state().receiveLsn();
        Lsn replayedBefore = pg2.state().replayLsn();
        exec(n1, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(2, 2000) g");
        Lsn primaryNow = pg1.state().flushLsn();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ServerStatus s = pg2.state();
            assertThat(s.receiveLsn()).isGreaterThan(receivedBefore);
            assertThat(s.replayLsn()).isGreaterThan(replayedBefore).isGreaterThanOrEqualTo(primaryNow);
            assertThat(s.xlogLocation()).isEqualTo(Lsn.max(s.receiveLsn(), s.replayLsn()));
        });
        assertThat(queryOne(n2, "SELECT count(*) FROM t")).isEqualTo("2000");

        // the password travels in the 0600 pgpass file named by passfile=, never in primary_conninfo
        String conf = Files.readString(n2.dataDir().resolve("postgresql.conf"));
        assertThat(conf).contains("primary_conninfo = 'dbname=postgres user=replicator passfile=" + n2.pgpass())
                .contains("application_name=pg2").contains("primary_slot_name = 'pg2'")
                .contains("recovery_target_timeline = 'latest'").doesNotContain("secret");
        assertThat(n2.dataDir().resolve("standby.signal")).exists();
        assertThat(Files.getPosixFilePermissions(n2.pgpass())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(n2.pgpass())).contains(n1.address() + ":" + n1.port() + ":*:replicator:");
    }

    @Test
    @Order(2)
    void aSecondReplicaAlsoStreams() {
        pg3.createReplica(upstream(n1), LONG);
        pg3.start(StartRequest.asReplica(upstream(n1), "pg3", START));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(pg3.state().replicationState()).isEqualTo(ServerStatus.STREAMING));
        assertThat(pg1.state().replication()).extracting(ServerStatus.ReplicationConnection::applicationName)
                .containsExactly("pg2", "pg3");
    }

    @Test
    @Order(3)
    void promotingAReplicaAfterTheCleanStopOfThePrimary() {
        exec(n1, "INSERT INTO t VALUES (5000, 'last write on timeline 1')");
        Lsn last = pg1.state().flushLsn();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(pg2.state().replayLsn()).isGreaterThanOrEqualTo(last);
            assertThat(pg3.state().replayLsn()).isGreaterThanOrEqualTo(last);
        });
        // a fast shutdown sends the shutdown checkpoint to connected standbys before the walsenders exit
        pg1.stop(StopMode.FAST, true, Duration.ofSeconds(60));
        ControlData cd1 = pg1.controlData();
        assertThat(cd1.state()).isEqualTo(ControlData.State.SHUT_DOWN);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(pg2.state().replayLsn()).isGreaterThan(cd1.checkpointLocation().orElseThrow());
            assertThat(pg3.state().replayLsn()).isEqualTo(pg2.state().replayLsn());
        });

        // issue 17: the agent's kept session (open since the state() calls above) signals and watches the
        // promotion itself, without starting pg_ctl or opening another connection
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("io.haagent.pg"); // the tools' runner logs under it too
        logger.addAppender(logs);
        try {
            pg2.promote(Duration.ofSeconds(60));
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .contains("promote signalled (pg_promote)", "promoted: postgres takes writes")
                .noneMatch(m -> m.contains("pg_ctl") && m.contains("promote"));
        ServerStatus s = pg2.state();
        assertThat(s.role()).isEqualTo(Role.PRIMARY);
        assertThat(s.timeline()).isEqualTo(2);
        assertThat(pg2.controlData().state()).isEqualTo(ControlData.State.IN_PRODUCTION);
        exec(n2, "INSERT INTO t VALUES (6000, 'first write on timeline 2')");
        assertThat(n2.dataDir().resolve("standby.signal")).doesNotExist();
        // slots are not copied by pg_basebackup: the new primary needs its own for the others (the HA loop's
        // SlotPlanner does this each cycle)
        assertThat(pg2.applySlots(new SlotPlan(List.of(new SlotAction.CreatePhysical("pg1", "test"),
                new SlotAction.CreatePhysical("pg3", "test"))))).noneMatch(SlotResult::failed);
    }

    @Test
    @Order(4)
    void aReplicaThatDidNotDivergeIsNotRewoundAndFollowsTheNewPrimary() {
        Divergence d = pg3.checkDivergence(upstream(n2));
        assertThat(d).isInstanceOf(Divergence.NotDiverged.class);
        assertThat(d.reason()).contains("local timeline 1").contains("primary timeline 2").contains("replayed only");

        assertThat(pg3.follow(io.haagent.pg.Recovery.follow(upstream(n2), "pg3"))).isEqualTo(FollowResult.RELOADED);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ServerStatus s = pg3.state();
            assertThat(s.replicationState()).isEqualTo(ServerStatus.STREAMING);
            assertThat(s.walReceiver().senderHost()).isEqualTo(n2.address());
            assertThat(s.timeline()).isEqualTo(2);
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(queryOne(n3, "SELECT v FROM t WHERE id = 6000")).isEqualTo("first write on timeline 2"));
        assertThat(pg3.follow(io.haagent.pg.Recovery.follow(upstream(n2), "pg3"))).isEqualTo(FollowResult.UNCHANGED);
    }

    @Test
    @Order(5)
    void theCleanlyStoppedOldPrimaryDidNotDivergeEither() {
        // its shutdown checkpoint record ends exactly where timeline 2 branched off (read with pg_waldump)
        Divergence d = pg1.checkDivergence(upstream(n2));
        assertThat(d).isInstanceOf(Divergence.NotDiverged.class);
        assertThat(d.reason()).contains("end of the shutdown checkpoint record");
        pg1.start(StartRequest.asReplica(upstream(n2), "pg1", START));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(pg1.state().timeline()).isEqualTo(2);
            assertThat(queryOne(n1, "SELECT v FROM t WHERE id = 6000")).isEqualTo("first write on timeline 2");
        });
    }

    @Test
    @Order(6)
    void aReplicaWhosePrimaryDiedStillReportsTheTimelineItReplays() {
        String checkpointTimeline = queryOne(n3, "SELECT timeline_id FROM pg_catalog.pg_control_checkpoint()");
        pg2.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ServerStatus s = pg3.state();
            assertThat(s.walReceiver() == null || s.walReceiver().receivedTimeline() == null)
                    .as("walreceiver gone: %s", s.walReceiver()).isTrue();
            // pg_control says %s until the next restartpoint; IDENTIFY_SYSTEM says what is replayed
            assertThat(s.timeline()).as("pg_control's checkpoint timeline is %s", checkpointTimeline).isEqualTo(2);
        });
    }
}
