package io.haagent.agent.ha;

import io.haagent.cluster.Role;
import io.haagent.ha.DataDirState;
import io.haagent.ha.LocalState;
import io.haagent.pg.ControlData;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the local side of the world once per cycle: the data directory, whether the postmaster lives, one
 * monitoring query, and pg_controldata when postgres is down (it is only needed then, and costs a process).
 */
public final class LocalStateReader {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStateReader.class);

    private final PostgresControl pg;
    private final NodeState node;
    private final Path dataDir;
    private final BooleanSupplier usePgRewind;
    private final BooleanSupplier useSlots;
    private ControlData lastControl;
    private String sysid;

    public LocalStateReader(PostgresControl pg, NodeState node, Path dataDir, BooleanSupplier usePgRewind,
            BooleanSupplier useSlots) {
        this.pg = pg;
        this.useSlots = useSlots;
        this.node = node;
        this.dataDir = dataDir;
        this.usePgRewind = usePgRewind;
    }

    public Observation read() {
        DataDirectoryState dd = pg.dataDirectoryState();
        DataDirState dataDir;
        String ddError = null;
        if (dd.isValid()) {
            dataDir = DataDirState.VALID;
        } else if (dd.isEmpty()) {
            dataDir = DataDirState.EMPTY;
            sysid = null;
            lastControl = null;
        } else {
            dataDir = DataDirState.INACCESSIBLE;
            ddError = dd + ": " + dd.whatToDo();
        }
        boolean running = dataDir == DataDirState.VALID && pg.isRunning();
        ServerStatus status = null;
        boolean queryFailed = false;
        String queryError = null;
        boolean starting = false;
        if (running) {
            try {
                status = pg.state();
            } catch (PostgresException e) {
                if (node.starting()) {
                    starting = true;
                } else {
                    queryFailed = true;
                    queryError = e.getMessage();
                }
            }
        } else if (node.starting()) {
            starting = false;
        }
        ControlData control = lastControl;
        if (dataDir == DataDirState.VALID && (!running || control == null)) {
            try {
                control = pg.controlData();
                lastControl = control;
            } catch (PostgresException e) {
                LOG.warn("pg_controldata failed: {}", e.getMessage());
            }
        }
        if (status != null && status.systemIdentifier() != null) {
            sysid = status.systemIdentifier();
        } else if (sysid == null && control != null) {
            sysid = control.systemIdentifier();
        }
        boolean canRewind = usePgRewind.getAsBoolean() && control != null && control.rewindPossible();
        List<LocalState.ReplicationConnection> rows = new ArrayList<>();
        if (status != null) {
            for (ServerStatus.ReplicationConnection r : status.replication()) {
                rows.add(new LocalState.ReplicationConnection(r.pid(), r.applicationName(), r.state(), r.syncState(),
                        r.writeLsn() == null ? null : r.writeLsn().value(),
                        r.flushLsn() == null ? null : r.flushLsn().value(),
                        r.replayLsn() == null ? null : r.replayLsn().value()));
            }
        }
        boolean recoveryConf = Files.exists(this.dataDir.resolve("standby.signal"))
                || Files.exists(this.dataDir.resolve("recovery.signal"));
        LocalState local = new LocalState(
                dataDir,
                ddError,
                node.role(),
                node.state(),
                running,
                status != null && status.isPrimary(),
                starting,
                starting ? node.secondsInState() : 0,
                status != null ? status.timeline() : control != null ? control.checkpointTimeline().orElse(0L) : 0,
                status != null ? status.xlogLocation().value() : 0,
                running ? null : control == null ? null : control.state(),
                recoveryConf,
                sysid,
                status != null && status.walReceiver() != null ? status.walReceiver().senderHost() : null,
                canRewind,
                status != null && status.replayPaused(),
                rows,
                status != null ? status.synchronousStandbyNames() : null,
                status != null ? status.synchronousCommit() : null,
                status != null && status.pendingRestartNeeded(),
                status != null ? status.serverVersion() : 0,
                status != null && status.postmasterStartTime() != null ? status.postmasterStartTime().toString() : null,
                slots(status));
        return new Observation(local, status, control, queryFailed, queryError);
    }

    /** The slots the decider plans from (§4.8): read while postgres answers and use_slots is on. */
    private LocalState.Slots slots(ServerStatus status) {
        if (status == null || !useSlots.getAsBoolean()) {
            return null;
        }
        try {
            return new LocalState.Slots(pg.replicationSlots(), status.isPrimary() ? null : status.replayLsn());
        } catch (PostgresException e) {
            LOG.warn("reading the replication slots failed: {}", e.getMessage());
            return null;
        }
    }

    /** The role postgres itself reports, when known: what a node that just started finds out about itself. */
    static Role observedRole(ServerStatus status) {
        return status == null ? null : status.role();
    }
}
