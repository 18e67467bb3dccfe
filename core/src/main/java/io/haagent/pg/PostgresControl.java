package io.haagent.pg;

import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the agent does to its local PostgreSQL (§4), as a port: the HA logic decides, an implementation
 * (postgres-control's {@code LocalPostgres}) does what it is told through PostgreSQL's own tools and SQL, and
 * reports exactly what happened.
 *
 * <p>Contract for every method:
 * <ul>
 * <li>Blocking, bounded: each long action takes an explicit timeout (or uses {@code pg_ctl_timeout}); nothing
 *     waits forever. Tools that outlive their timeout are killed with their children.</li>
 * <li>Outcomes are values or a {@link PostgresException} subtype that says what happened and what to do.</li>
 * <li>Thread-safety: actions (everything that changes files or processes) are serialized, one caller at a
 *     time (the agent's action runner). {@link #state()}, {@link #isRunning()}, {@link #postmasterPid()} and
 *     {@link #dataDirectoryState()} may be called concurrently from other threads (HA loop, REST) at any
 *     time; they never wait for an action to finish.</li>
 * <li>Callbacks ({@code postgresql.callbacks}) fire from the lifecycle methods that Patroni fires them from;
 *     never during bootstrap.</li>
 * </ul>
 */
public interface PostgresControl extends AutoCloseable {

    /** This node's member name ({@code application_name} of its replication connections). */
    String memberName();

    /**
     * The cluster-wide configuration in force (restricted GUCs, {@code postgresql.parameters}, pg_hba, ...).
     * Takes effect at the next {@link #writeConfiguration}, {@link #start}, {@link #reload} or
     * {@link #follow}; it does not touch files by itself.
     */
    void setDynamicConfig(DynamicConfig dynamic);

    // ---------------------------------------------------------------- data directory

    /** What the data directory holds; cheap, never throws. */
    DataDirectoryState dataDirectoryState();

    /**
     * Creates a new cluster and starts it (§1.7 step 3): initdb with {@code bootstrap.initdb} options (superuser
     * password through a temporary 0600 file), {@code bootstrap.pg_hba} lines, configuration files, a start as
     * primary; or the custom method {@code bootstrap.method} names (§4.6): its command makes the data directory,
     * and postgres starts with its {@code recovery_conf} (or the recovery the tool left, or as a primary), trusting
     * the local superuser and replication user until {@link #postBootstrap}. On failure nothing is presented as a
     * valid data directory: an initdb failure leaves it empty, a start failure after initdb stops postgres and
     * moves the directory to {@code <data_dir>.failed}; what a failed custom command left stays for the caller to
     * set aside.
     *
     * @throws PostgresException.DataDirectoryProblem when the data directory is not empty
     * @throws PostgresException.InvalidOption        for a forbidden or malformed {@code bootstrap.initdb} option
     */
    void bootstrap(Duration timeout);

    /**
     * The rest of a bootstrap once postgres runs as a primary (§1.7 step 4): the superuser, replication and rewind
     * roles, {@code bootstrap.post_bootstrap}; after a custom bootstrap, pg_hba.conf as configured again and no
     * recovery settings left.
     *
     * @throws PostgresException.HookFailed when post_bootstrap fails
     */
    void postBootstrap(Duration timeout);

    /** Creates or alters the superuser, replication and rewind roles (part of {@link #postBootstrap}). */
    void createRoles();

    /**
     * Fills the empty data directory from {@code source} with {@code postgresql.create_replica_methods} (the
     * first that succeeds wins; {@code basebackup} is tried twice). Every attempt starts from an emptied data
     * directory (a custom method from none: it makes it; with {@code keep_data} from what is there); a failed custom
     * method's leftovers are removed before the next (unless {@code keep_data}); when all fail it is removed.
     *
     * @param source the member to clone from, or null for methods that work without one ({@code no_leader})
     * @throws PostgresException.DiskFull             when the last attempt ran out of space
     * @throws PostgresException.ReplicaCreationFailed with every attempt's report otherwise
     */
    CloneReport createReplica(Upstream source, Duration timeout);

    /**
     * {@link #createReplica} with pg_basebackup only, whatever {@code create_replica_methods} says (Patroni 4.1's
     * {@code reinit --from-leader}: the leader is the source and basebackup the method).
     */
    default CloneReport createReplicaByBasebackup(Upstream source, Duration timeout) {
        return createReplica(source, timeout);
    }

    /**
     * Deletes the data directory (Patroni's {@code remove_data_directory}): its content, then the directory itself
     * where the agent may (a mount point stays, empty). Postgres must be stopped.
     */
    void removeDataDirectory();

    /** {@code pg_controldata} of the data directory (works while stopped). */
    ControlData controlData();

    /** The {@code Database system identifier} from {@code pg_controldata}. */
    String systemIdentifier();

    // ---------------------------------------------------------------- configuration

    /**
     * Writes {@code postgresql.conf} (include of the base file, effective parameters sorted, hba/ident files,
     * the recovery block for {@code recovery}), {@code pg_hba.conf}/{@code pg_ident.conf} when configured,
     * {@code standby.signal}, the pgpass file, and strips recovery settings from {@code postgresql.auto.conf}.
     * Every write is atomic.
     */
    void writeConfiguration(Recovery recovery);

    /**
     * Makes a running replica follow {@code recovery}'s upstream: rewrites the configuration and reloads when
     * that is enough; otherwise reports that a restart is needed (the files are already written).
     */
    FollowResult follow(Recovery recovery);

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts the postmaster with the restricted GUCs on its command line and waits until it accepts
     * connections (or, in recovery, read-only connections).
     *
     * @throws PostgresException.AlreadyRunning       when a postmaster runs on the data directory
     * @throws PostgresException.DataDirectoryProblem when the data directory is not a valid one of this version
     * @throws PostgresException.PortInUse            when the address is taken
     * @throws PostgresException.StartFailed          when the postmaster exits during startup (its log tail
     *                                                included)
     * @throws PostgresException.StartTimedOut        when it runs but does not accept connections in time (it is
     *                                                left running)
     */
    void start(StartRequest request);

    /**
     * Stops the postmaster: {@code before_stop} first, then an optional CHECKPOINT (not for immediate), then the
     * mode's signal. After {@code timeout} it escalates to immediate and then to SIGKILL of the postmaster and its
     * children. Fires {@code on_stop}.
     */
    StopResult stop(StopMode mode, boolean checkpoint, Duration timeout);

    /** Stop (fast, with checkpoint) and start again; fires {@code on_restart} instead of stop/start callbacks. */
    void restart(StartRequest request, Duration stopTimeout);

    /**
     * {@code pre_promote} (non-zero refuses), {@code pg_ctl promote -w}, then waits until pg_control says
     * {@code in production}; fires {@code on_role_change} with {@code master}.
     *
     * @throws PostgresException.HookFailed    when pre_promote refused; nothing was promoted
     * @throws PostgresException.PromoteFailed when the server did not leave recovery
     */
    void promote(Duration timeout);

    /** {@code pg_ctl reload} after rewriting the configuration; fires {@code on_reload}. */
    void reload();

    /**
     * Resumes WAL replay paused by somebody ({@code pg_wal_replay_resume()}): PostgreSQL 14+ pauses replay when
     * the upstream is promoted under certain settings, and a replica must keep up to be a candidate.
     */
    void resumeWalReplay();

    /** Issues CHECKPOINT (e.g. right after a promotion so pg_rewind on others sees the new timeline). */
    void checkpoint();

    /**
     * Single-user crash recovery ({@code postgres --single}) for a data directory that was not shut down
     * cleanly, so pg_controldata and pg_rewind see a consistent state. Postgres must be stopped.
     */
    void crashRecoverySingleUser(Duration timeout);

    // ---------------------------------------------------------------- liveness

    /** True while a verified postmaster (pid file + process identity) runs on the data directory. Cheap. */
    boolean isRunning();

    Optional<Long> postmasterPid();

    /**
     * Registers a listener told within a second of the postmaster's death (event-driven: the postmaster is
     * this process's child, or a watcher checks the adopted pid's process identity; no SQL).
     */
    void addPostmasterListener(PostmasterEvent.Listener listener);

    // ---------------------------------------------------------------- state

    /**
     * One monitoring query's worth of state.
     *
     * @throws PostgresException.NotRunning  when no postmaster runs
     * @throws PostgresException.QueryFailed when the query failed (e.g. still starting)
     */
    ServerStatus state();

    /**
     * The history file of {@code timeline} in this data directory ({@code pg_wal/0000000N.history}), which the
     * primary publishes in the {@code history} key; null when there is none (timeline 1, or not promoted here).
     */
    PgTimelineHistory.File timelineHistoryFile(long timeline);

    // ---------------------------------------------------------------- rewind

    /**
     * Whether the local data diverged from {@code leader} (§4.7): timelines and history over a replication
     * connection, local position from the running server or from pg_controldata when stopped. Never throws for
     * an unreachable leader: that is {@link Divergence.Undetermined}.
     */
    Divergence checkDivergence(Upstream leader);

    /**
     * pg_rewind from {@code leader}: crash recovery first when the shutdown was not clean, a CHECKPOINT on the
     * leader when its pg_control does not show its new timeline yet. Postgres must be stopped; afterwards start
     * it as a replica.
     *
     * @throws PostgresException.RewindFailed telling whether the data directory was removed
     *                                        ({@code remove_data_directory_on_rewind_failure} or
     *                                        {@code remove_data_directory_on_diverged_timelines})
     * @throws PostgresException.QueryFailed  when the leader cannot be reached to check its checkpoint; nothing
     *                                        was changed locally
     */
    RewindReport rewind(Upstream leader, Duration timeout);

    // ---------------------------------------------------------------- slots and synchronous replication

    List<ReplicationSlot> replicationSlots();

    /** Applies each step of {@code plan} on its own; one failure does not stop the others. */
    List<SlotResult> applySlots(SlotPlan plan);

    /**
     * Copies these permanent logical slots from {@code leader} (§4.8.1, Patroni's {@code copy_logical_slots}): their
     * state files are read with the rewind user's session, postgres is stopped, the files written, and postgres
     * started again as it ran. A slot the primary does not have as configured is not copied.
     *
     * @return the names of the slots copied
     */
    List<String> copyLogicalSlots(Upstream leader, List<io.haagent.slots.SlotAction.CopyLogical> slots,
            Duration timeout);

    /**
     * Sets {@code synchronous_standby_names} (render it with {@link SynchronousStandbyNames}) in the managed
     * configuration and reloads; returns once the server runs with it. When postgres is not running the value is
     * kept for its next start.
     */
    void setSynchronousStandbyNames(String value);

    // ---------------------------------------------------------------- callbacks

    /** Fires a user callback ({@code <cmd> <action> <role> <scope>}) asynchronously; a newer one kills an older one. */
    void fireCallback(CallbackAction action, Role role);

    /** How callbacks spell a primary's role from now on (the cluster's spelling, {@link RoleNames}). */
    default void setRoleNames(io.haagent.cluster.RoleNames names) {
    }

    /** Stops watcher threads and closes connections; postgres keeps running. */
    @Override
    void close();
}
