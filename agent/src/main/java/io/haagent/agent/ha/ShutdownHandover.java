package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Lsn;
import io.haagent.cluster.PostgresState;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.StopMode;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM (§3.10), after the loop thread has stopped. Not paused: stop postgres (fast, no extra checkpoint); a
 * leader then deletes its key with the shutdown checkpoint as {@code optime}, so a replica that has it takes over
 * at once instead of after the lease. Paused: leave postgres and the key alone.
 */
final class ShutdownHandover {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHandover.class);

    private ShutdownHandover() {
    }

    /**
     * @param lastView   the last cluster view the loop read (its pause flag decides), or null
     * @param waitIdle   how long a cancelled long action may take to end (pg_ctl_timeout)
     * @param stopTimeout the executor's stop bound ({@link ActionExecutor#stopTimeout()})
     * @param member     the member key to write last, from a fresh reading of the node
     */
    static void run(ClusterView lastView, Dcs dcs, PostgresControl pg, NodeState node, LockBelief lock,
            LongActionRunner runner, Duration waitIdle, Duration stopTimeout,
            Function<ClusterView, io.haagent.cluster.Member> member) {
        if (lastView != null && lastView.isPaused()) {
            LOG.info("Leader key is not deleted and Postgresql is not stopped due paused state");
            return;
        }
        runner.cancel();
        try {
            runner.awaitIdle(waitIdle);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean leader = lock.flagged();
        Long checkpoint = null;
        if (pg.isRunning()) {
            node.setState(PostgresState.STOPPING);
            try {
                var stopped = pg.stop(StopMode.FAST, false, stopTimeout);
                if (stopped.controlData() != null) {
                    checkpoint = stopped.controlData().checkpointLocation().map(Lsn::value).orElse(null);
                }
            } catch (PostgresException e) {
                // a postgres that may still take writes keeps the key: deleting it would let a replica promote
                // beside a live primary; the lease ends it if we cannot
                LOG.error("could not stop postgres: {}; the leader key is kept", e.getMessage());
                return;
            }
        }
        node.setState(PostgresState.STOPPED);
        try {
            if (leader) {
                final Long optime = checkpoint;
                lock.releasing(() -> dcs.releaseLeader(optime));
                LOG.info("Leader key released");
            }
            ClusterView now = dcs.cluster();
            dcs.touchMember(member.apply(now));
        } catch (DcsUnavailableException e) {
            LOG.warn("etcd unreachable during shutdown: {}", e.getMessage());
        }
    }
}
