package io.haagent.pg.control;

import io.haagent.cluster.Lsn;
import io.haagent.pg.ControlData;
import io.haagent.pg.Divergence;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.RewindReport;
import io.haagent.pg.Upstream;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import io.haagent.pg.rewind.Rewinder;
import io.haagent.pg.sql.Connections;
import io.haagent.pg.sql.ReplicationProtocol;
import io.haagent.pg.sql.SqlErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Divergence checks and pg_rewind against a new primary (§4.7): reads the local and remote timelines and
 * positions, lets {@link io.haagent.pg.DivergenceRule} decide, runs pg_rewind. The caller
 * ({@link LocalPostgres}) holds the action lock.
 */
final class RewindOperations {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    private final NodeContext ctx;
    private final Lifecycle lifecycle;

    RewindOperations(NodeContext ctx, Lifecycle lifecycle) {
        this.ctx = ctx;
        this.lifecycle = lifecycle;
    }

    Divergence checkDivergence(Upstream leader) {
        ControlData cd = ctx.controlData();
        ControlData.LocalPosition local;
        if (ctx.isRunning()) {
            try {
                Optional<ControlData.LocalPosition> running = runningPosition();
                if (running.isEmpty()) {
                    return new Divergence.Undetermined("postgres runs as a primary here: demote it before comparing"
                            + " it with " + leader);
                }
                local = running.get();
            } catch (SQLException | PostgresException e) {
                return new Divergence.Undetermined("cannot read the local timeline and position: " + e.getMessage());
            }
        } else {
            Optional<ControlData.LocalPosition> p = cd.localPosition();
            if (p.isEmpty()) {
                return new Divergence.Undetermined("pg_control says '" + cd.clusterState() + "': the last shutdown"
                        + " was not clean; run crash recovery first");
            }
            local = p.get();
        }
        PostgresSettings s = ctx.settings();
        // the leader must really be a writable primary: comparing with a replica would prove nothing
        try (Connection check = Connections.open(leader.host(), leader.port(), s.database(), s.rewindCredentials(),
                "ha-agent divergence check", Connections.Kind.PRIMARY_ONLY, Duration.ofSeconds(5))) {
            check.isValid(3);
        } catch (PostgresException e) {
            return new Divergence.Undetermined(leader + " is not reachable as a read-write primary: "
                    + e.whatHappened());
        } catch (SQLException e) {
            return new Divergence.Undetermined(leader + " is not usable: " + e.getMessage());
        }
        long primaryTimeline;
        String history = null;
        try (Connection repl = Connections.open(leader.host(), leader.port(), s.database(),
                ctx.node.postgresql().replication(), "ha-agent divergence check", Connections.Kind.REPLICATION,
                null)) {
            primaryTimeline = ReplicationProtocol.identifySystem(repl).timeline();
            if (local.timeline() < primaryTimeline) {
                history = ReplicationProtocol.timelineHistory(repl, primaryTimeline);
            }
        } catch (SQLException | PostgresException e) {
            return new Divergence.Undetermined("cannot read the timeline history of " + leader + ": " + e.getMessage());
        }
        Divergence d = new Rewinder(ctx.runner, ctx.waldump(), ctx.dataDir).decide(local, primaryTimeline, history);
        LOG.info("divergence check against {}: {}", leader, d);
        if (!(d instanceof Divergence.RewindNeeded)) {
            return d;
        }
        String why = rewindImpossibleBecause(cd);
        return why == null ? d : new Divergence.RewindImpossible(d.reason(), why,
                s.removeDataDirectoryOnDivergedTimelines(ctx.dynamic));
    }

    /** Replay timeline (IDENTIFY_SYSTEM on the local server) and replay LSN; empty when it is not in recovery. */
    private Optional<ControlData.LocalPosition> runningPosition() throws SQLException {
        try (Connection repl = ctx.localReplicationConnection("ha-agent divergence check");
                Connection sql = ctx.localConnection("ha-agent divergence check", Duration.ofSeconds(5));
                Statement st = sql.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_is_in_recovery(),"
                        + " pg_catalog.pg_last_wal_replay_lsn()::text")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return Optional.empty();
            }
            long tl = ReplicationProtocol.identifySystem(repl).timeline();
            return Optional.of(new ControlData.LocalPosition(true, tl, Lsn.parse(rs.getString(2))));
        }
    }

    /** Why pg_rewind cannot run here, or null when it can (§4.7). */
    private String rewindImpossibleBecause(ControlData cd) {
        if (!ctx.settings().usePgRewind(ctx.dynamic)) {
            return "use_pg_rewind is off";
        }
        if (!ctx.binaries.found().containsKey("pg_rewind")) {
            return "pg_rewind is not installed (" + ctx.binaries.missing().get("pg_rewind") + ")";
        }
        if (!cd.rewindPossible()) {
            return "the data directory has neither wal_log_hints=on nor data checksums";
        }
        return null;
    }

    RewindReport rewind(Upstream leader, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        ctx.requireStopped("rewind");
        ControlData cd = ctx.controlData();
        String impossible = rewindImpossibleBecause(cd);
        if (impossible != null) {
            return failRewind("pg_rewind cannot run: " + impossible, null);
        }
        boolean crashRecovery = false;
        if (!cd.cleanlyShutDown()) {
            LOG.info("pg_control says '{}': running single-user crash recovery before pg_rewind", cd.clusterState());
            lifecycle.crashRecoverySingleUser(NodeContext.remaining(deadline));
            crashRecovery = true;
        }
        ensureLeaderCheckpointed(leader);
        PostgresSettings s = ctx.settings();
        ctx.writePgpass(List.of(PostgresSettings.pgpass(s.rewindCredentials(), leader.host(), leader.port())));
        List<String> cmd = new ArrayList<>(List.of(ctx.tool("pg_rewind").toString(), "-D", ctx.dataDir.toString(),
                "--source-server=" + s.rewindDsn(leader)));
        if (s.recoveryParameters(Recovery.readOnly(), ctx.dynamic).get("restore_command") != null) {
            cmd.add("--restore-target-wal");
            cmd.add("--config-file=" + ctx.files.postgresqlConf());
        }
        Duration left = NodeContext.remaining(deadline);
        ToolResult r = ctx.runner.run(ToolCommand.of("pg_rewind", cmd, left)
                .withEnv("PGPASSFILE", ctx.pgpassFile.toString())
                .withEnv("PGOPTIONS", "-c statement_timeout=0"));
        if (!r.succeeded()) {
            return failRewind("pg_rewind from " + leader + " failed: " + r.report().summary(),
                    r.report().timedOut() ? new PostgresException.ToolTimedOut("pg_rewind", r.report(), left,
                            "raise the timeout") : new PostgresException.ToolFailed("pg_rewind", r.report(), null));
        }
        // pg_rewind copied the leader's configuration files; the next start writes this node's again
        ctx.lastRecovery = null;
        LOG.info("pg_rewind from {} done", leader);
        return new RewindReport(leader, crashRecovery, Duration.ofNanos(System.nanoTime() - start), r.report());
    }

    /**
     * Either flag allows wiping after a failed rewind (§4.7): the node cannot follow with diverged data, and
     * the operator has said a re-clone is preferable to a node that stays down.
     */
    private RewindReport failRewind(String what, Throwable cause) {
        boolean remove = ctx.settings().removeDataDirectoryOnRewindFailure(ctx.dynamic)
                || ctx.settings().removeDataDirectoryOnDivergedTimelines(ctx.dynamic);
        if (remove) {
            LOG.warn("{}; removing the data directory (remove_data_directory_on_rewind_failure)", what);
            DataDirectories.empty(ctx.dataDir);
            ctx.lastRecovery = null;
        }
        throw new PostgresException.RewindFailed(what, remove, cause);
    }

    /**
     * pg_rewind reads the source's timeline from its pg_control, which a new primary updates only at its first
     * checkpoint after promotion. Without it pg_rewind would see "same timeline" and do nothing.
     */
    private void ensureLeaderCheckpointed(Upstream leader) {
        PostgresSettings s = ctx.settings();
        try (Connection c = Connections.open(leader.host(), leader.port(), s.database(), ctx.superuser(),
                "ha-agent rewind", Connections.Kind.PRIMARY_ONLY, null);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT ('x' || pg_catalog.substr(pg_catalog.pg_walfile_name("
                        + "pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int = timeline_id"
                        + " FROM pg_catalog.pg_control_checkpoint()")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                LOG.info("{} has not checkpointed since its promotion: issuing CHECKPOINT there", leader);
                st.execute("CHECKPOINT");
            }
        } catch (SQLException e) {
            throw SqlErrors.wrap("checking that " + leader + " checkpointed after its promotion", e);
        }
    }
}
