package io.haagent.pg.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.Lsn;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresControlContract;
import io.haagent.pg.Upstream;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The {@link PostgresControlContract} on real PostgreSQL 15: what FakePostgres models, checked against the truth. */
class LocalPostgresContractIT extends PostgresControlContract {
    private final PostgresFixture fixture = PostgresFixture.create();
    private final PostgresTestNode n1 = fixture.node("pg1");
    private final PostgresTestNode n2 = fixture.node("pg2");
    private final LocalPostgres pg1 = PgTestSupport.control(fixture, n1, n1.config().build());
    private final LocalPostgres pg2 = PgTestSupport.control(fixture, n2, n2.config().build());
    private final Map<PostgresControl, PostgresTestNode> nodes = Map.of(pg1, n1, pg2, n2);
    private int rows;

    @AfterEach
    void cleanup() {
        pg1.close();
        pg2.close();
        fixture.close();
    }

    @Override
    protected PostgresControl first() {
        return pg1;
    }

    @Override
    protected PostgresControl second() {
        return pg2;
    }

    @Override
    protected Upstream address(PostgresControl pg) {
        return PgTestSupport.upstream(nodes.get(pg));
    }

    @Override
    protected void write(PostgresControl primary) {
        PostgresTestNode n = nodes.get(primary);
        if (rows == 0) {
            PgTestSupport.exec(n, "CREATE TABLE IF NOT EXISTS contract(id int primary key)");
        }
        rows++;
        PgTestSupport.exec(n, "INSERT INTO contract VALUES (" + rows + ")");
    }

    @Override
    protected void replicate(PostgresControl replica, PostgresControl primary) {
        Lsn target = primary.isRunning() ? primary.state().flushLsn()
                : primary.controlData().checkpointLocation().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(replica.state().xlogLocation()).isGreaterThanOrEqualTo(target));
    }

    @Override
    protected void crash(PostgresControl pg) {
        long pid = pg.postmasterPid().orElseThrow();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(30)).until(() -> !pg.isRunning());
    }
}
