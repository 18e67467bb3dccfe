package io.haagent.agent.ha;

import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.ha.FollowTarget;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.StartRequest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starting postgres and creating a replica's data directory, with the node state each step publishes. */
final class Starts {
    private static final Logger LOG = LoggerFactory.getLogger(Starts.class);

    private final PostgresControl pg;
    private final NodeState node;
    private final LoopContext loop;
    private final Targets targets;
    private final ActionExecutor ex;

    Starts(PostgresControl pg, NodeState node, LoopContext loop, Targets targets, ActionExecutor ex) {
        this.pg = pg;
        this.node = node;
        this.loop = loop;
        this.targets = targets;
        this.ex = ex;
    }

    void start(StartRequest req, Role role) {
        node.setState(PostgresState.STARTING);
        try {
            pg.start(req);
            node.setRole(role);
            node.setState(PostgresState.RUNNING);
        } catch (PostgresException.StartTimedOut e) {
            LOG.warn("postgres is still starting after {}: {}", req.timeout(), e.getMessage());
            node.setRole(role);
        } catch (PostgresException.AlreadyRunning e) {
            node.setRole(role);
            node.setState(PostgresState.RUNNING);
        } catch (PostgresException e) {
            LOG.error("start failed: {}", e.getMessage());
            node.setState(PostgresState.START_FAILED);
        }
    }

    /**
     * @param basebackupOnly pg_basebackup only (reinit --from-leader)
     * @return false when no replica creation method succeeded; else it was started following {@code follow}
     */
    boolean clone(FollowTarget source, FollowTarget follow, boolean basebackupOnly) {
        if (createReplica(source, basebackupOnly)) {
            start(StartRequest.of(targets.recovery(follow), ex.startTimeout(null)).withoutCallback(), Role.REPLICA);
            return true;
        }
        return false;
    }

    /** A new data directory copied from {@code source}; false (logged, state stopped) when that failed. */
    boolean createReplica(FollowTarget source) {
        return createReplica(source, false);
    }

    private boolean createReplica(FollowTarget source, boolean basebackupOnly) {
        node.setState(PostgresState.CREATING_REPLICA);
        node.setRole(Role.UNINITIALIZED);
        String from = source == null ? "(without leader)" : "from " + source;
        try {
            // an hour at least: a base backup of a large cluster takes long, and no bound here protects anything
            // (this node holds no lock and serves nothing while it copies)
            Duration timeout = Duration.ofSeconds(Math.max(3600, loop.pgCtlTimeoutSeconds()));
            if (basebackupOnly) {
                pg.createReplicaByBasebackup(Targets.upstream(source), timeout);
            } else {
                pg.createReplica(Targets.upstream(source), timeout);
            }
        } catch (PostgresException e) {
            LOG.error("failed to bootstrap {}: {}", from, e.getMessage());
            node.setState(PostgresState.STOPPED);
            return false;
        }
        LOG.info("bootstrapped {}", from);
        return true;
    }
}
