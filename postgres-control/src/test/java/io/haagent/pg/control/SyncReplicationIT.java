package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static io.haagent.pg.control.PgTestSupport.START;
import static io.haagent.pg.control.PgTestSupport.exec;
import static io.haagent.pg.control.PgTestSupport.queryOne;
import static io.haagent.pg.control.PgTestSupport.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.SynchronousStandbyNames;
import io.haagent.slots.SlotAction;
import io.haagent.slots.SlotPlan;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * synchronous_standby_names set through the port makes the primary wait for its sync standby: a commit hangs
 * while the standby is down and completes when it is back (no acknowledged write without the standby).
 */
class SyncReplicationIT {
    private static PostgresFixture fixture;
    private static PostgresTestNode n1;
    private static PostgresTestNode n2;
    private static LocalPostgres pg1;
    private static LocalPostgres pg2;

    @BeforeAll
    static void cluster() {
        fixture = PostgresFixture.create();
        n1 = fixture.node("pg1");
        n2 = fixture.node("pg2");
        pg1 = PgTestSupport.control(fixture, n1, n1.config().build());
        pg2 = PgTestSupport.control(fixture, n2, n2.config().build());
        pg1.bootstrap(LONG);
        pg1.postBootstrap(LONG);
        exec(n1, "CREATE TABLE t(id int primary key)");
        pg1.applySlots(new SlotPlan(List.of(new SlotAction.CreatePhysical("pg2", "test"))));
        pg2.createReplica(upstream(n1), LONG);
        pg2.start(StartRequest.asReplica(upstream(n1), "pg2", START));
    }

    @AfterAll
    static void cleanup() {
        if (pg1 != null) {
            pg1.close();
        }
        if (pg2 != null) {
            pg2.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static CompletableFuture<Void> insertAsync(int id) {
        return CompletableFuture.runAsync(() -> {
            try (Connection c = PgTestSupport.connect(n1)) {
                c.createStatement().execute("INSERT INTO t VALUES (" + id + ")");
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
    }

    @Test
    void onAStoppedNodeTheValueIsKeptForItsNextStart() {
        if (pg2.isRunning()) {
            pg2.stop(StopMode.FAST, false, Duration.ofSeconds(60));
        }
        // what a replica in synchronous mode does before it starts again (e.g. after pg_rewind)
        pg2.setSynchronousStandbyNames("*");
        pg2.start(StartRequest.asReplica(upstream(n1), "pg2", START));
        assertThat(queryOne(n2, "SHOW synchronous_standby_names")).isEqualTo("*");
        pg2.setSynchronousStandbyNames("");
        assertThat(queryOne(n2, "SHOW synchronous_standby_names")).isEmpty();
    }

    @Test
    void aCommitWaitsWhileTheSyncStandbyIsDownAndProceedsWhenItReturns() {
        pg1.setSynchronousStandbyNames(SynchronousStandbyNames.render(1, List.of("pg2")));
        assertThat(queryOne(n1, "SHOW synchronous_standby_names")).isEqualTo("pg2");
        assertThat(pg1.state().synchronousStandbyNames()).isEqualTo("pg2");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(pg1.state().synchronousStandbys()).containsExactly("pg2"));
        insertAsync(1).join();

        pg2.stop(StopMode.FAST, false, Duration.ofSeconds(60));
        CompletableFuture<Void> commit = insertAsync(2);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> !commit.isDone());
        assertThat(queryOne(n1, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"))
                .isEqualTo("1");

        pg2.start(StartRequest.asReplica(upstream(n1), "pg2", START));
        await().atMost(Duration.ofSeconds(60)).until(commit::isDone);
        assertThat(commit).isNotCompletedExceptionally();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(queryOne(n2, "SELECT count(*) FROM t")).isEqualTo("2"));

        // cleared again: commits no longer wait for anyone
        pg1.setSynchronousStandbyNames("");
        pg2.stop(StopMode.FAST, false, Duration.ofSeconds(60));
        insertAsync(3).orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(pg1.state().synchronousStandbys()).isEmpty();
    }
}
