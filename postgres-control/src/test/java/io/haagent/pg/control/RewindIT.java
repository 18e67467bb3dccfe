package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static io.haagent.pg.control.PgTestSupport.START;
import static io.haagent.pg.control.PgTestSupport.exec;
import static io.haagent.pg.control.PgTestSupport.queryOne;
import static io.haagent.pg.control.PgTestSupport.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.Lsn;
import io.haagent.config.Credentials;
import io.haagent.config.Secret;
import io.haagent.pg.ControlData;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.Divergence;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import io.haagent.pg.RewindReport;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.slots.SlotAction;
import io.haagent.slots.SlotPlan;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An old primary that kept writing after a replica was promoted (split brain for a moment, as after a network
 * partition) has diverged: it is detected, crash-recovered, rewound and then streams from the new primary.
 */
class RewindIT {
    private PostgresFixture fixture;
    private PostgresTestNode n1;
    private PostgresTestNode n2;
    private LocalPostgres pg1;
    private LocalPostgres pg2;

    /** pg1 primary, pg2 its replica, then pg2 promoted while pg1 still runs and takes one more write. */
    @BeforeEach
    void diverge() {
        fixture = PostgresFixture.create();
        n1 = fixture.node("pg1");
        n2 = fixture.node("pg2");
        pg1 = PgTestSupport.control(fixture, n1, n1.config().build());
        pg2 = PgTestSupport.control(fixture, n2, n2.config().build());
        pg1.bootstrap(LONG);
        pg1.postBootstrap(LONG);
        exec(n1, "CREATE TABLE t(id int primary key, v text)", "INSERT INTO t VALUES (1, 'common')");
        pg2.createReplica(upstream(n1), LONG);
        pg2.start(StartRequest.asReplica(upstream(n1), null, START));
        Lsn common = pg1.state().flushLsn();
        await().atMost(Duration.ofSeconds(60)).until(() -> pg2.state().replayLsn().compareTo(common) >= 0);

        pg2.promote(Duration.ofSeconds(60));
        pg2.checkpoint();
        pg2.applySlots(new SlotPlan(List.of(new SlotAction.CreatePhysical("pg1", "test"))));
        exec(n2, "INSERT INTO t VALUES (2, 'written on the new primary')");
        exec(n1, "INSERT INTO t VALUES (3, 'lost: written on the old primary after the promotion')",
                "SELECT pg_switch_wal()");
    }

    @AfterEach
    void cleanup() {
        if (pg1 != null) {
            pg1.close();
        }
        if (pg2 != null) {
            pg2.close();
        }
        fixture.close();
    }

    @Test
    void aDivergedOldPrimaryIsDetectedRewoundAndThenStreamsFromTheNewPrimary() {
        // it crashes (immediate stop): the divergence check needs a clean shutdown state first
        pg1.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(30));
        assertThat(pg1.controlData().state()).isEqualTo(ControlData.State.IN_PRODUCTION);
        Divergence unclear = pg1.checkDivergence(upstream(n2));
        assertThat(unclear).isInstanceOf(Divergence.Undetermined.class);
        assertThat(unclear.reason()).contains("in production").contains("crash recovery");

        pg1.crashRecoverySingleUser(Duration.ofSeconds(120));
        assertThat(pg1.controlData().state()).isEqualTo(ControlData.State.SHUT_DOWN);
        Divergence d = pg1.checkDivergence(upstream(n2));
        assertThat(d).isInstanceOf(Divergence.RewindNeeded.class);
        assertThat(d.reason()).contains("local timeline 1").contains("primary timeline 2");

        RewindReport report = pg1.rewind(upstream(n2), Duration.ofSeconds(120));
        assertThat(report.crashRecoveryRan()).isFalse();
        assertThat(report.tool().command()).anyMatch(a -> a.startsWith("--source-server=") && a.contains("user=rewinder")
                && !a.contains("secret"));
        pg1.start(StartRequest.asReplica(upstream(n2), "pg1", START));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ServerStatus s = pg1.state();
            assertThat(s.timeline()).isEqualTo(2);
            assertThat(s.walReceiver()).isNotNull();
            assertThat(s.walReceiver().senderHost()).isEqualTo(n2.address());
            assertThat(queryOne(n1, "SELECT string_agg(id::text, ',' ORDER BY id) FROM t")).isEqualTo("1,2");
        });
        exec(n2, "INSERT INTO t VALUES (4, 'streamed after the rewind')");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(queryOne(n1, "SELECT v FROM t WHERE id = 4")).isEqualTo("streamed after the rewind"));
        assertThat(pg1.checkDivergence(upstream(n2))).isInstanceOf(Divergence.NotDiverged.class);
    }

    @Test
    void rewindRunsCrashRecoveryItselfWhenTheShutdownWasNotClean() {
        pg1.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(30));
        RewindReport report = pg1.rewind(upstream(n2), Duration.ofSeconds(120));
        assertThat(report.crashRecoveryRan()).isTrue();
        pg1.start(StartRequest.asReplica(upstream(n2), "pg1", START));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(queryOne(n1, "SELECT string_agg(id::text, ',' ORDER BY id) FROM t")).isEqualTo("1,2"));
    }

    @Test
    void withoutPgRewindTheDivergenceIsReportedAsImpossibleToRewind() {
        pg1.stop(StopMode.FAST, true, Duration.ofSeconds(30));
        LocalPostgres noRewind = PgTestSupport.control(fixture, n1, n1.config().usePgRewind(false)
                .removeDataDirectoryOnDivergedTimelines(true).build());
        try {
            Divergence d = noRewind.checkDivergence(upstream(n2));
            assertThat(d).isInstanceOfSatisfying(Divergence.RewindImpossible.class, ri -> {
                assertThat(ri.why()).isEqualTo("use_pg_rewind is off");
                assertThat(ri.removeDataDirectoryAllowed()).isTrue();
            });
        } finally {
            noRewind.close();
        }
    }

    @Test
    void aFailedRewindRemovesTheDataDirectoryWhenConfiguredTo() {
        pg1.stop(StopMode.FAST, true, Duration.ofSeconds(30));
        LocalPostgres wrongPassword = PgTestSupport.control(fixture, n1, n1.config()
                .rewind(Credentials.of("rewinder", Secret.of("not the password")))
                .removeDataDirectoryOnRewindFailure(true).build());
        try {
            assertThatThrownBy(() -> wrongPassword.rewind(upstream(n2), Duration.ofSeconds(60)))
                    .isInstanceOfSatisfying(PostgresException.RewindFailed.class, e -> {
                        assertThat(e.dataDirectoryRemoved()).isTrue();
                        assertThat(e.getMessage()).contains("pg_rewind").contains("password authentication failed")
                                .doesNotContain("not the password");
                    });
            assertThat(wrongPassword.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.EMPTY);
        } finally {
            wrongPassword.close();
        }
    }

    @Test
    void aFailedRewindKeepsTheDataDirectoryByDefault() {
        pg1.stop(StopMode.FAST, true, Duration.ofSeconds(30));
        LocalPostgres wrongPassword = PgTestSupport.control(fixture, n1, n1.config()
                .rewind(Credentials.of("rewinder", Secret.of("not the password"))).build());
        try {
            assertThatThrownBy(() -> wrongPassword.rewind(upstream(n2), Duration.ofSeconds(60)))
                    .isInstanceOfSatisfying(PostgresException.RewindFailed.class,
                            e -> assertThat(e.dataDirectoryRemoved()).isFalse());
            assertThat(wrongPassword.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.VALID);
        } finally {
            wrongPassword.close();
        }
    }
}
