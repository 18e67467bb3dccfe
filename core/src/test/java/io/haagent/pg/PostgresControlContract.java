package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.cluster.Role;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the HA loop relies on from {@link PostgresControl}, asserted the same way against the real PostgreSQL
 * ({@code LocalPostgresContractIT}) and the {@link FakePostgres} the loop tests and the simulator run on
 * ({@code FakePostgresContractTest}), so the fake stays faithful: a bootstrap, a clone that streams, a clean stop,
 * a promotion onto a new timeline, the old primary not diverged and following it, a crash and what pg_controldata
 * says after each.
 */
public abstract class PostgresControlContract {
    protected static final Duration LONG = Duration.ofSeconds(180);

    /** Two instances with empty data directories; the second can clone from the first. */
    protected abstract PostgresControl first();

    protected abstract PostgresControl second();

    protected abstract Upstream address(PostgresControl pg);

    /** Clients write to the primary (a few rows). */
    protected abstract void write(PostgresControl primary);

    /**
     * Waits (or makes it happen) until {@code replica} has received everything {@code primary} has now (a stopped
     * primary: up to its shutdown checkpoint).
     */
    protected abstract void replicate(PostgresControl replica, PostgresControl primary);

    /** Kills the postmaster (SIGKILL) and waits until it is gone. */
    protected abstract void crash(PostgresControl pg);

    @Test
    void lifecycleAcrossAFailover() {
        PostgresControl a = first();
        PostgresControl b = second();
        assertThat(a.dataDirectoryState().isEmpty()).isTrue();
        assertThat(a.isRunning()).isFalse();

        a.bootstrap(LONG);
        a.postBootstrap(LONG);
        assertThat(a.isRunning()).isTrue();
        assertThat(a.dataDirectoryState().isValid()).isTrue();
        ServerStatus s = a.state();
        assertThat(s.role()).isEqualTo(Role.PRIMARY);
        assertThat(s.timeline()).isEqualTo(1);
        assertThat(a.systemIdentifier()).isNotBlank().isEqualTo(s.systemIdentifier());
        assertThatThrownBy(() -> a.start(StartRequest.asPrimary(LONG)))
                .isInstanceOf(PostgresException.AlreadyRunning.class);

        b.createReplica(address(a), LONG);
        assertThat(b.dataDirectoryState().isValid()).isTrue();
        assertThat(b.isRunning()).isFalse();
        assertThat(b.systemIdentifier()).isEqualTo(a.systemIdentifier());
        b.start(StartRequest.asReplica(address(a), null, LONG));
        write(a);
        replicate(b, a);
        ServerStatus rs = b.state();
        assertThat(rs.role()).isEqualTo(Role.REPLICA);
        assertThat(rs.timeline()).isEqualTo(1);
        assertThat(rs.replicationState()).isEqualTo(ServerStatus.STREAMING);
        assertThat(rs.xlogLocation()).isGreaterThanOrEqualTo(a.state().flushLsn());
        assertThat(a.state().replicationOf(b.memberName())).isNotNull();

        StopResult stopped = a.stop(StopMode.FAST, true, LONG);
        assertThat(stopped.wasRunning()).isTrue();
        assertThat(a.isRunning()).isFalse();
        ControlData cd = a.controlData();
        assertThat(cd.state()).isEqualTo(ControlData.State.SHUT_DOWN);
        assertThat(cd.cleanlyShutDown()).isTrue();
        assertThat(cd.checkpointTimeline()).contains(1L);
        assertThatThrownBy(a::state).isInstanceOf(PostgresException.class);
        replicate(b, a); // a fast shutdown sends its checkpoint to connected standbys before the walsenders exit

        b.promote(LONG);
        ServerStatus ps = b.state();
        assertThat(ps.role()).isEqualTo(Role.PRIMARY);
        assertThat(ps.timeline()).isEqualTo(2);
        write(b);

        Divergence d = a.checkDivergence(address(b));
        assertThat(d).isInstanceOf(Divergence.NotDiverged.class);
        a.start(StartRequest.asReplica(address(b), null, LONG));
        replicate(a, b);
        ServerStatus fs = a.state();
        assertThat(fs.role()).isEqualTo(Role.REPLICA);
        assertThat(fs.timeline()).isEqualTo(2);
        assertThat(fs.xlogLocation()).isGreaterThanOrEqualTo(b.state().flushLsn());

        crash(b);
        assertThat(b.isRunning()).isFalse();
        assertThat(b.controlData().state()).isEqualTo(ControlData.State.IN_PRODUCTION);
        assertThat(b.controlData().cleanlyShutDown()).isFalse();
        assertThat(a.checkDivergence(address(b))).isInstanceOf(Divergence.Undetermined.class);
    }
}
