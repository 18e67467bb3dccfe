package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link PostgresControlContract} on the fake, and the parts of its model the contract cannot reach. */
class FakePostgresContractTest extends PostgresControlContract {
    private final FakePostgres.World world = new FakePostgres.World();
    private final FakePostgres pg1 = world.instance("pg1", "10.0.0.11", 5432);
    private final FakePostgres pg2 = world.instance("pg2", "10.0.0.12", 5432);

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
        return ((FakePostgres) pg).address();
    }

    @Override
    protected void write(PostgresControl primary) {
        ((FakePostgres) primary).write(100);
    }

    @Override
    protected void replicate(PostgresControl replica, PostgresControl primary) {
        world.stream();
    }

    @Override
    protected void crash(PostgresControl pg) {
        ((FakePostgres) pg).crash();
    }

    @Test
    void anOldPrimaryThatWroteAfterTheForkNeedsARewindAndFollowsAfterIt() {
        pg1.bootstrap(LONG);
        pg2.createReplica(pg1.address(), LONG);
        pg2.start(StartRequest.asReplica(pg1.address(), null, LONG));
        world.stream();
        pg2.stall(true);
        pg1.write(500); // never reaches pg2
        world.stream();
        pg1.crash();
        pg2.promote(LONG);
        pg2.write(100);

        assertThat(pg1.checkDivergence(pg2.address())).isInstanceOf(Divergence.RewindNeeded.class);
        pg1.rewind(pg2.address(), LONG);
        assertThat(pg1.timeline()).isEqualTo(2);
        assertThat(pg1.checkDivergence(pg2.address())).isInstanceOf(Divergence.NotDiverged.class);
        pg1.start(StartRequest.asReplica(pg2.address(), null, LONG));
        pg2.write(100);
        world.stream();
        assertThat(pg1.lsn()).isEqualTo(pg2.lsn());
        assertThat(pg1.events()).containsSubsequence("crash", "rewind from pg2", "start replica of pg2");
    }

    @Test
    void scriptedFailuresAndAHangingStart() {
        pg1.bootstrap(LONG);
        pg2.failNext("basebackup");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pg2.createReplica(pg1.address(), LONG))
                .isInstanceOf(PostgresException.ReplicaCreationFailed.class);
        assertThat(pg2.dataDirectoryState().isEmpty()).isTrue();
        pg2.createReplica(pg1.address(), LONG);
        pg2.startHangs(true);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pg2.start(StartRequest.asReplica(pg1.address(), null, LONG)))
                .isInstanceOf(PostgresException.StartTimedOut.class);
        assertThat(pg2.isRunning()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(pg2::state).isInstanceOf(PostgresException.QueryFailed.class);
        pg2.finishStartup();
        assertThat(pg2.state().role()).isEqualTo(io.haagent.cluster.Role.REPLICA);
        pg2.failNext("promote");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pg2.promote(LONG))
                .isInstanceOf(PostgresException.HookFailed.class);
        assertThat(pg2.state().role()).isEqualTo(io.haagent.cluster.Role.REPLICA);
        assertThat(FakePostgres.syncNames("ANY 1 (\"pg2\",\"pg3\")")).isEqualTo(List.of("pg2", "pg3"));
    }
}
