package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.StopMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision table: each row is one situation of §3.2–3.10 with the actions and the sentence it must produce.
 */
class HaDeciderTest {

    private static final Tags NOFAILOVER = Tags.effective(Map.of("nofailover", true));
    private static final Action.WriteFailover CLEAR_FAILOVER =
            new Action.WriteFailover(FailoverRequest.of(null, null, null), 42);

    /** What the next decision does after an offline or immediate step-down, pg2 leading (§3.7). */
    private static final Action.StartReplica START_AFTER_DEMOTION_OF_PG2 = new Action.StartReplica(
            FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null), Role.REPLICA, null,
            "starting after demotion", CallbackAction.ON_ROLE_CHANGE);
    private static final NodeRequest.Restart RESTART = new NodeRequest.Restart(7, null, null, false, null);

    /** What the primary holding the lock writes to the status key each cycle (§1.2). */
    private static final Action.WriteStatus STATUS = new Action.WriteStatus(HaFixture.WAL);

    static Arguments row(String title, Supplier<HaFixture> fixture, String summary, Action... actions) {
        return Arguments.of(title, fixture, summary, List.of(actions));
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // ---------------------------------------------------------- steady state
                row("leader with the lock keeps running",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("replica follows the leader",
                        () -> HaFixture.node("pg2").memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots()),
                row("replica fires on_start once and checks divergence",
                        () -> HaFixture.node("pg2"),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots(), new Action.FireCallback(CallbackAction.ON_START, Role.REPLICA)),
                row("replica with replicatefrom cascades from that member",
                        () -> HaFixture.node("pg3").tags(Map.of("replicatefrom", "pg2")).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg3), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots()),
                row("nostream replica follows nobody",
                        () -> HaFixture.node("pg3").tags(Map.of("nostream", true)).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg3), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("replica resumes paused WAL replay",
                        () -> HaFixture.node("pg2").local(l -> l.replayPaused()).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.ResumeWalReplay(),
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots()),

                // ---------------------------------------------------------- a leader key that names no member
                row("replica does not follow a leader key that names no member",
                        () -> HaFixture.node("pg2").leader("pg1\nERROR forged").memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), and the leader key names 'pg1\\nERROR forged', which is not a member:"
                                + " not following it until it expires",
                        new Action.SyncSlots()),
                row("the owner of the lease under a garbage leader key deletes it",
                        () -> HaFixture.node("pg1").leader("ghost").member("pg1", b -> b.lease(77))
                                .memory(m -> m.withOnStartFired(true)),
                        "deleting the leader key: the leader key names 'ghost', which is not a member, and my lease"
                                + " keeps it alive",
                        new Action.DeleteUnusableLeader(11), new Action.SyncSlots()),
                row("a primary under a garbage leader key on its lease stops writes first",
                        () -> HaFixture.node("pg1").leader("ghost").member("pg1", b -> b.lease(77))
                                .local(l -> l.primary()).memory(m -> m.withOnStartFired(true)),
                        "demoting self because the leader key names 'ghost', which is not a member",
                        new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK)),
                row("anybody deletes a garbage leader key that sits on no lease",
                        () -> HaFixture.node("pg2").leader("ghost").leaderLease(0).memory(m -> m.withOnStartFired(true)),
                        "deleting the leader key: the leader key names 'ghost', which is not a member, and no lease"
                                + " would ever expire it",
                        new Action.DeleteUnusableLeader(11), new Action.SyncSlots()),
                row("a garbage leader key on another member's lease is left to its owner",
                        () -> HaFixture.node("pg2").leader("ghost").member("pg2", b -> b.lease(5))
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), and the leader key names 'ghost', which is not a member: not following"
                                + " it until it expires",
                        new Action.SyncSlots()),

                // ---------------------------------------------------------- step 4: repairs by the lock holder
                row("leader rewrites a missing initialize key",
                        () -> HaFixture.node("pg1").initialize(null).lock(LockStatus.HELD).local(l -> l.primary())
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.WriteInitialize(HaFixture.SYSID, true, null), new Action.UpdateHistory(1), STATUS,
                        new Action.SyncSlots()),
                row("leader rewrites a missing config key",
                        () -> HaFixture.node("pg1").noConfig().lock(LockStatus.HELD).local(l -> l.primary())
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.WriteConfig(Map.of("ttl", 30)), new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),

                // ---------------------------------------------------------- step 5: long action in progress
                row("leader keeps the lock during a long action",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .longAction(LongAction.Kind.RESTART, "restart", 3),
                        "updated leader lock during restart", STATUS),
                row("replica reports its long action",
                        () -> HaFixture.node("pg2").longAction(LongAction.Kind.CLONE, "bootstrap from leader 'pg1'", 3),
                        "bootstrap from leader 'pg1' in progress"),
                row("lost the lock before promote: cancel it",
                        () -> HaFixture.node("pg2").leader("pg3").longAction(LongAction.Kind.PROMOTE, "promote", 1),
                        "lost leader before promote", new Action.CancelLongAction()),
                row("lost the lock while a primary runs a long action: demote now",
                        () -> HaFixture.node("pg1").leader("pg2").local(l -> l.primary())
                                .longAction(LongAction.Kind.RESTART, "restart", 5),
                        "lost leader lock during restart",
                        new Action.CancelLongAction(), new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK)),
                row("crash recovery longer than primary_start_timeout: fail over",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).config("primary_start_timeout", 60)
                                .local(l -> l.stopped("in crash recovery").role(Role.PRIMARY))
                                .longAction(LongAction.Kind.CRASH_RECOVERY, "doing crash recovery in a single user mode", 70)
                                .memory(m -> m.withCrashRecoveryStarted(HaFixture.NOW_NANOS - 70_000_000_000L)),
                        "terminated crash recovery because of startup timeout",
                        new Action.CancelLongAction(), new Action.Demote(DemoteMode.IMMEDIATE)),

                // ---------------------------------------------------------- step 6: starting
                row("leader still starting",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.starting(20).role(Role.PRIMARY)),
                        "PostgreSQL is still starting up, 280 seconds until timeout"),
                row("leader start timed out, failover possible",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.starting(301).role(Role.PRIMARY)),
                        "stopped PostgreSQL because of startup timeout", new Action.Demote(DemoteMode.IMMEDIATE)),
                row("leader start timed out, nobody to fail over to",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.starting(301).role(Role.PRIMARY))
                                .peer(PeerStatus.unreachable("pg2", "refused")).peer(PeerStatus.unreachable("pg3", "refused")),
                        "primary start has timed out, but continuing to wait because failover is not possible"),
                row("lock lost while starting",
                        () -> HaFixture.node("pg1").lock(LockStatus.LOST).local(l -> l.starting(5).role(Role.PRIMARY)),
                        "stopped PostgreSQL while starting up because leader key was lost",
                        new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK)),

                // ---------------------------------------------------------- step 7: bootstrap
                row("bootstrap finished: publish the cluster",
                        () -> HaFixture.node("pg1").noLeader().initialize("").local(l -> l.primary())
                                .memory(m -> m.withBootstrapping(true, true)),
                        "initialized a new cluster",
                        new Action.WriteInitialize(HaFixture.SYSID, false, null),
                        new Action.WriteConfig(Map.of("ttl", 30, "loop_wait", 10, "retry_timeout", 10)),
                        new Action.TakeLeader(), new Action.SetRole(Role.PRIMARY),
                        new Action.FireCallback(CallbackAction.ON_START, Role.PRIMARY), STATUS),
                row("standby cluster bootstrapped: publish it with a standby leader, still in recovery",
                        () -> HaFixture.node("pg1").noLeader().initialize("").noConfig()
                                .localDynamic(Map.of("standby_cluster", Map.of("host", "10.9.0.1")))
                                .memory(m -> m.withBootstrapping(true, true)),
                        "initialized a new cluster",
                        new Action.WriteInitialize(HaFixture.SYSID, false, null),
                        new Action.WriteConfig(Map.of("standby_cluster", Map.of("host", "10.9.0.1"))),
                        new Action.TakeLeader(), new Action.SetRole(Role.STANDBY_LEADER),
                        new Action.FireCallback(CallbackAction.ON_START, Role.STANDBY_LEADER)),
                row("bootstrapped and started, still in recovery (a custom bootstrap's restore): wait",
                        () -> HaFixture.node("pg1").noLeader().initialize("")
                                .memory(m -> m.withBootstrapping(true, null)),
                        "waiting for end of recovery after bootstrap"),
                row("bootstrapped postgres runs as a primary: roles and post_bootstrap",
                        () -> HaFixture.node("pg1").noLeader().initialize("").local(l -> l.primary())
                                .memory(m -> m.withBootstrapping(true, null)),
                        "running post_bootstrap",
                        new Action.SetRole(Role.PRIMARY), new Action.PostBootstrap()),
                row("bootstrapped postgres died before post_bootstrap: undo and exit",
                        () -> HaFixture.node("pg1").noLeader().initialize("").local(l -> l.stopped("in production"))
                                .memory(m -> m.withBootstrapping(true, null)),
                        "removing initialize key after failed attempt to bootstrap the cluster",
                        new Action.CancelInitialization(), new Action.StopPostgres(StopMode.IMMEDIATE),
                        new Action.QuarantineDataDirectory(), new Action.Exit("Failed to bootstrap cluster")),
                row("bootstrap failed: undo and exit",
                        () -> HaFixture.node("pg1").noLeader().initialize("").local(l -> l.stopped("shut down"))
                                .memory(m -> m.withBootstrapping(true, false)),
                        "removing initialize key after failed attempt to bootstrap the cluster",
                        new Action.CancelInitialization(), new Action.StopPostgres(StopMode.IMMEDIATE),
                        new Action.QuarantineDataDirectory(), new Action.Exit("Failed to bootstrap cluster")),

                // ---------------------------------------------------------- step 8: after a (re)start attempt
                row("start after failure did not bring postgres up: release the lock",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.stopped("shut down").role(Role.PRIMARY))
                                .memory(m -> m.withRecovering(true)),
                        "removed leader key after trying and failing to start postgres",
                        new Action.SetRole(Role.DEMOTED), new Action.ReleaseLock(null)),
                row("replica start failed",
                        () -> HaFixture.node("pg2").local(l -> l.stopped("shut down in recovery"))
                                .memory(m -> m.withRecovering(true)),
                        "failed to start postgres"),

                // ---------------------------------------------------------- step 9: empty data directory
                row("empty cluster: race for initialize",
                        () -> HaFixture.node("pg1").noLeader().initialize(null).local(l -> l.emptyDataDir()),
                        "trying to bootstrap a new cluster",
                        new Action.WriteInitialize("", true, "failed to acquire initialize lock"),
                        new Action.Bootstrap("initdb")),
                row("empty cluster, bootstrap.method with a command: race, then the custom method",
                        () -> HaFixture.node("pg1").noLeader().initialize(null).bootstrapMethod("backup_restore")
                                .local(l -> l.emptyDataDir()),
                        "trying to bootstrap a new cluster",
                        new Action.WriteInitialize("", true, "failed to acquire initialize lock"),
                        new Action.Bootstrap("backup_restore")),
                row("empty standby cluster, no config key yet: bootstrap.dcs says clone from the remote",
                        () -> HaFixture.node("pg1").noLeader().initialize(null).noConfig()
                                .localDynamic(Map.of("standby_cluster", Map.of("host", "10.9.0.1", "port", 5433,
                                        "primary_slot_name", "dr")))
                                .local(l -> l.emptyDataDir()),
                        "trying to bootstrap a new standby leader",
                        new Action.WriteInitialize("", true, "failed to acquire initialize lock"),
                        new Action.BootstrapStandbyLeader(FollowTarget.remote("10.9.0.1", 5433, "dr"))),
                row("empty data dir, nofailover: do not race, wait",
                        () -> HaFixture.node("pg1").noLeader().initialize(null).tags(Map.of("nofailover", true))
                                .local(l -> l.emptyDataDir()),
                        "waiting for leader to bootstrap"),
                row("empty data dir, no bootstrap section: wait",
                        () -> HaFixture.node("pg1").noLeader().initialize(null).noBootstrapSection().local(l -> l.emptyDataDir()),
                        "waiting for leader to bootstrap"),
                row("another node is bootstrapping: wait",
                        () -> HaFixture.node("pg2").noLeader().initialize("").local(l -> l.emptyDataDir()),
                        "waiting for leader to bootstrap"),
                row("new replica clones from the leader",
                        () -> HaFixture.node("pg3").local(l -> l.emptyDataDir()),
                        "trying to bootstrap from leader 'pg1'",
                        new Action.CloneReplica(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null),
                                "from leader 'pg1'")),
                row("new replica clones from a clonefrom member",
                        () -> HaFixture.node("pg3").member("pg2", b -> b.tags(Tags.effective(Map.of("clonefrom", true))))
                                .local(l -> l.emptyDataDir()),
                        "trying to bootstrap from replica 'pg2'",
                        new Action.CloneReplica(FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null), FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null),
                                "from replica 'pg2'")),
                row("no leader but a backup method works without one",
                        () -> HaFixture.node("pg3").noLeader().replicaWithoutLeader().local(l -> l.emptyDataDir()),
                        "trying to bootstrap (without leader)", new Action.CloneReplica(null, FollowTarget.NONE, "(without leader)")),
                row("every replica method failed 4 s ago: the next attempt waits for loop_wait",
                        () -> HaFixture.node("pg3").local(l -> l.emptyDataDir())
                                .memory(m -> m.withCloneFailed(HaFixture.NOW_NANOS - 4_000_000_000L)),
                        "failed to bootstrap from leader 'pg1': trying again in 6 seconds"),
                row("every replica method failed a loop_wait ago: try again",
                        () -> HaFixture.node("pg3").noLeader().replicaWithoutLeader().local(l -> l.emptyDataDir())
                                .memory(m -> m.withCloneFailed(HaFixture.NOW_NANOS - 10_000_000_000L)),
                        "trying to bootstrap (without leader)", new Action.CloneReplica(null, FollowTarget.NONE, "(without leader)")),
                row("leader whose data dir vanished releases the lock",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.emptyDataDir().role(Role.PRIMARY)),
                        "released leader key voluntarily as data dir empty and currently leader",
                        new Action.SetRole(Role.UNINITIALIZED), new Action.ReleaseLock(null)),
                row("inaccessible data directory",
                        () -> HaFixture.node("pg2").local(l -> l.inaccessibleDataDir("Permission denied")),
                        "data directory is not accessible: Permission denied",
                        new Action.SetRole(Role.UNINITIALIZED)),
                row("empty data dir in pause: nothing",
                        () -> HaFixture.node("pg3").config("pause", true).local(l -> l.emptyDataDir()),
                        "PAUSE: running with empty data directory"),

                // ---------------------------------------------------------- step 10: system id
                row("system id mismatch: refuse to join",
                        () -> HaFixture.node("pg2").local(l -> l.sysid("7309999999999999999")),
                        "system ID mismatch, node pg2 belongs to a different cluster: " + HaFixture.SYSID
                                + " != 7309999999999999999",
                        new Action.Exit("system ID mismatch, node pg2 belongs to a different cluster: " + HaFixture.SYSID
                                + " != 7309999999999999999")),
                row("invalid system id",
                        () -> HaFixture.node("pg2").local(l -> l.sysid("garbage")),
                        "data dir for the cluster is not empty, but system ID is invalid; consider doing reinitialize"),
                row("existing primary data, no initialize key: claim it and race",
                        () -> HaFixture.node("pg1").noLeader().initialize(null).local(l -> l.primary()),
                        "acquired session lock as a leader",
                        new Action.WriteInitialize(HaFixture.SYSID, true, null),
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots(),
                        new Action.FireCallback(CallbackAction.ON_START, Role.PRIMARY)),
                row("existing replica data, no initialize key: abort",
                        () -> HaFixture.node("pg2").noLeader().initialize(null),
                        "No initialize key in DCS and PostgreSQL is running as replica, aborting start."
                                + " Please first start the agent on the node running as primary",
                        new Action.Exit("No initialize key in DCS and PostgreSQL is running as replica, aborting start."
                                + " Please first start the agent on the node running as primary")),

                // ---------------------------------------------------------- step 11 / §3.6: postgres not running
                row("crashed primary with the lock restarts as primary, same timeline",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary().stopped("in production")),
                        "starting primary after failure",
                        new Action.SetState(PostgresState.CRASHED), new Action.StartPrimary(300)),
                row("crashed primary with primary_start_timeout 0 fails over",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).config("primary_start_timeout", 0)
                                .local(l -> l.primary().stopped("in production")),
                        "stopped PostgreSQL to fail over after a crash",
                        new Action.SetState(PostgresState.CRASHED), new Action.Demote(DemoteMode.IMMEDIATE)),
                row("legacy master_start_timeout 0 also fails over",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).config("master_start_timeout", 0)
                                .local(l -> l.primary().stopped("in production")),
                        "stopped PostgreSQL to fail over after a crash",
                        new Action.SetState(PostgresState.CRASHED), new Action.Demote(DemoteMode.IMMEDIATE)),
                row("after an immediate step-down: start as a replica of the leader, announcing the role change",
                        () -> HaFixture.node("pg1").leader("pg2").local(l -> l.role(Role.DEMOTED).stopped("in production")
                                .state(PostgresState.STOPPED)).memory(m -> m.withStartAfterDemote(DemoteMode.IMMEDIATE_NOLOCK)),
                        "starting after demotion",
                        START_AFTER_DEMOTION_OF_PG2),
                row("after an immediate step-down in synchronous mode: s_s_n cleared before the start",
                        () -> HaFixture.node("pg1").leader("pg2").config("synchronous_mode", true)
                                .local(l -> l.role(Role.DEMOTED).stopped("in production").state(PostgresState.STOPPED))
                                .memory(m -> m.withStartAfterDemote(DemoteMode.IMMEDIATE)),
                        "starting after demotion",
                        new Action.SetSynchronousStandbyNames(List.of(), false, 0),
                        START_AFTER_DEMOTION_OF_PG2),
                row("after an immediate step-down in pause: postgres stays stopped",
                        () -> HaFixture.node("pg1").leader("pg2").config("pause", true)
                                .local(l -> l.role(Role.DEMOTED).stopped("in production").state(PostgresState.STOPPED))
                                .memory(m -> m.withStartAfterDemote(DemoteMode.IMMEDIATE)),
                        "PAUSE: postgres is not running"),
                row("after a step-down, postgres already running: nothing is started",
                        () -> HaFixture.node("pg1").leader("pg2").memory(m -> m.withOnStartFired(true)
                                .withStartAfterDemote(DemoteMode.IMMEDIATE_NOLOCK)),
                        "no action. I am (pg1), a secondary, and following a leader (pg2)",
                        new Action.Follow(FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots()),
                row("crashed replica: crash recovery first when no leader",
                        () -> HaFixture.node("pg2").noLeader().local(l -> l.stopped("in production")),
                        "doing crash recovery in a single user mode",
                        new Action.SetState(PostgresState.CRASHED), new Action.CrashRecovery()),
                row("stopped replica, not diverged from the leader (checked first): starts as its secondary",
                        () -> HaFixture.node("pg2").local(l -> l.stopped("shut down in recovery").state(PostgresState.STOPPED))
                                .divergence(new io.haagent.pg.Divergence.NotDiverged("in line with pg1")),
                        "starting as a secondary",
                        new Action.StartReplica(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null),
                                Role.REPLICA, null, "restarting after failure", CallbackAction.ON_START)),
                row("lock holder whose postgres stopped in recovery starts read-only",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.stopped("shut down in recovery")),
                        "starting as readonly because i had the session lock",
                        new Action.SetState(PostgresState.CRASHED),
                        new Action.StartReplica(FollowTarget.NONE, Role.REPLICA, 300, "restarting after failure",
                                CallbackAction.ON_START)),
                row("stopped replica that diverged from the leader (checked first): rewound, not started",
                        () -> HaFixture.node("pg2").local(l -> l.stopped("shut down in recovery").state(PostgresState.STOPPED))
                                .divergence(new io.haagent.pg.Divergence.RewindNeeded("replayed past the fork")),
                        "running pg_rewind from pg1",
                        new Action.Rewind(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null))),
                row("diverged stopped node is rewound before it starts",
                        () -> HaFixture.node("pg1").leader("pg2").local(l -> l.stopped("shut down").role(Role.DEMOTED)
                                .state(PostgresState.STOPPED)).memory(m -> m.withRewind(RewindState.NEEDED)),
                        "running pg_rewind from pg2",
                        new Action.Rewind(FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null))),
                row("diverged, no rewind, reinitialize allowed",
                        () -> HaFixture.node("pg1").leader("pg2").removeDataDirectoryOnDivergedTimelines()
                                .local(l -> l.stopped("shut down").cannotRewind().state(PostgresState.STOPPED))
                                .memory(m -> m.withRewind(RewindState.NEEDED)),
                        "reinitializing due to diverged timelines",
                        new Action.Reinitialize(FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null), FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null),
                                "diverged timelines")),
                row("postgres stopped in pause: leave it",
                        () -> HaFixture.node("pg2").config("pause", true).local(l -> l.stopped("shut down in recovery")),
                        "PAUSE: postgres is not running", new Action.SetState(PostgresState.STOPPED)),
                row("stopped by its own switchover step-down in pause: start as a replica of the new leader",
                        () -> HaFixture.node("pg1").config("pause", true).leader("pg2")
                                .local(l -> l.stopped("shut down").state(PostgresState.STOPPED).role(Role.DEMOTED))
                                .memory(m -> m.withStartAfterDemote(DemoteMode.GRACEFUL).withRewind(RewindState.CHECK))
                                .divergence(new io.haagent.pg.Divergence.NotDiverged("in line with pg2")),
                        "PAUSE: starting as a secondary", new Action.StartReplica(FollowTarget.member("pg2",
                                "postgres://127.0.0.12:5432/postgres", null), Role.REPLICA, null,
                                "restarting after failure", CallbackAction.ON_ROLE_CHANGE)),
                row("postgres stopped in pause on the leader: release the lock",
                        () -> HaFixture.node("pg1").config("pause", true).lock(LockStatus.HELD)
                                .local(l -> l.primary().stopped("shut down")),
                        "PAUSE: removed leader lock because postgres is not running",
                        new Action.SetState(PostgresState.STOPPED), new Action.ReleaseLock(null)),

                // ---------------------------------------------------------- §3.3 leader key present
                row("replica holding the lock is promoted",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader because I had the session lock", new Action.Promote(), new Action.SyncSlots()),
                row("primary without the lock demotes at once",
                        () -> HaFixture.node("pg1").leader("pg2").local(l -> l.primary()).memory(m -> m.withOnStartFired(true)),
                        "demoting self because I do not have the lock and I was a leader",
                        new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK)),
                row("renew lost on a primary: demote",
                        () -> HaFixture.node("pg1").lock(LockStatus.LOST).local(l -> l.primary()).memory(m -> m.withOnStartFired(true)),
                        "demoted self because failed to update leader lock in DCS",
                        new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK)),
                row("renew lost on a replica: do not promote",
                        () -> HaFixture.node("pg1").lock(LockStatus.LOST).memory(m -> m.withOnStartFired(true)),
                        "not promoting because failed to update leader lock in DCS", new Action.SyncSlots()),
                row("renew lost in pause: keep running",
                        () -> HaFixture.node("pg1").config("pause", true).lock(LockStatus.LOST).local(l -> l.primary())
                                .memory(m -> m.withOnStartFired(true)),
                        "PAUSE: continue to run as primary after failing to update leader lock in DCS",
                        new Action.SyncSlots()),
                row("pause: lock holder no longer primary releases the lock",
                        () -> HaFixture.node("pg1").config("pause", true).lock(LockStatus.HELD).memory(m -> m.withOnStartFired(true)),
                        "PAUSE: removed leader lock because postgres is not running as primary",
                        new Action.ReleaseLock(null), new Action.SyncSlots()),
                row("pause: primary without the lock continues",
                        () -> HaFixture.node("pg1").config("pause", true).leader("pg2").local(l -> l.primary())
                                .memory(m -> m.withOnStartFired(true)),
                        "PAUSE: continue to run as primary without lock", new Action.SyncSlots()),
                row("pre_promote failed: release the lock and back off",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).memory(m -> m.withOnStartFired(true).withPromoteResult(false)),
                        "Promotion cancelled because the pre-promote script failed",
                        new Action.ReleaseLock(null), new Action.SyncSlots()),
                row("watchdog required but unusable: do not promote",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).watchdogRequiredButUnusable()
                                .memory(m -> m.withOnStartFired(true)),
                        "Not promoting self because watchdog could not be activated",
                        new Action.ReleaseLock(null), new Action.SyncSlots(), new Action.DisableWatchdog()),
                row("leader with a watchdog keeps it alive",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).watchdog()
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.KeepWatchdogAlive(), new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("paused leader disarms its watchdog",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).watchdog()
                                .config("pause", true).memory(m -> m.withOnStartFired(true)),
                        "PAUSE: no action. I am (pg1), the leader with the lock",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots(), new Action.DisableWatchdog()),
                row("replica with a watchdog keeps it disarmed",
                        () -> HaFixture.node("pg2").watchdog().memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null),
                                Role.REPLICA),
                        new Action.SyncSlots(), new Action.DisableWatchdog()),

                // ---------------------------------------------------------- §3.5 manual switchover from the leader
                row("switchover to a healthy candidate: graceful demote",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).failover("pg1", "pg2")
                                .memory(m -> m.withOnStartFired(true)),
                        "switchover: demoting myself", new Action.Demote(DemoteMode.GRACEFUL)),
                row("manual failover to a candidate: graceful demote",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).failover(null, "pg3")
                                .memory(m -> m.withOnStartFired(true)),
                        "manual failover: demoting myself", new Action.Demote(DemoteMode.GRACEFUL)),
                row("switchover to an unreachable candidate: clear the key",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).failover("pg1", "pg2")
                                .peer(PeerStatus.unreachable("pg2", "timeout")).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        CLEAR_FAILOVER, new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("switchover naming another leader: clear the key",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).failover("pg3", "pg2")
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        CLEAR_FAILOVER, new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("switchover to myself: clear the key",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).failover("pg1", "pg1")
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        CLEAR_FAILOVER, new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("scheduled switchover in the future: wait",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .scheduledFailover("pg1", "pg2", OffsetDateTime.of(2026, 3, 1, 12, 5, 0, 0, ZoneOffset.UTC))
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock", new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("scheduled switchover due: graceful demote",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .scheduledFailover("pg1", "pg2", OffsetDateTime.of(2026, 3, 1, 11, 59, 59, 0, ZoneOffset.UTC))
                                .memory(m -> m.withOnStartFired(true)),
                        "switchover: demoting myself", new Action.Demote(DemoteMode.GRACEFUL)),
                row("scheduled switchover long past: stale, clear",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .scheduledFailover("pg1", "pg2", OffsetDateTime.of(2026, 3, 1, 11, 50, 0, 0, ZoneOffset.UTC))
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        CLEAR_FAILOVER, new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),

                // ---------------------------------------------------------- §3.4 no leader
                row("leader gone, equal WAL, I am first among equals: take over",
                        () -> HaFixture.node("pg2").noLeader().memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.Promote(), new Action.SyncSlots()),
                row("leader gone, a peer is ahead: follow",
                        () -> HaFixture.node("pg2").noLeader().member("pg3", b -> b.xlogLocation(HaFixture.WAL + 100))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("leader gone, old primary still answers as primary: follow",
                        () -> HaFixture.node("pg2").noLeader().peer(PeerStatus.primary("pg1", 1, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("leader gone, I lag more than maximum_lag_on_failover",
                        () -> HaFixture.node("pg2").noLeader().optime(HaFixture.WAL + 2_000_000)
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("leader gone, nofailover: never race",
                        () -> HaFixture.node("pg2").noLeader().tags(Map.of("nofailover", true)).memory(m -> m.withOnStartFired(true)),
                        "following a different leader because I am not allowed to promote",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("leader gone, failover_priority 0 means nofailover",
                        () -> HaFixture.node("pg2").noLeader().tags(Map.of("failover_priority", 0)).memory(m -> m.withOnStartFired(true)),
                        "following a different leader because I am not allowed to promote",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("leader gone, equal WAL but a peer has higher priority",
                        () -> HaFixture.node("pg2").noLeader()
                                .member("pg3", b -> b.tags(Tags.effective(Map.of("failover_priority", 2))))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("leader gone, a nofailover peer ahead does not block me",
                        () -> HaFixture.node("pg2").noLeader()
                                .member("pg3", b -> b.xlogLocation(HaFixture.WAL + 100).tags(NOFAILOVER))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.Promote(), new Action.SyncSlots()),
                row("leader gone, check_timeline: my timeline is behind",
                        () -> HaFixture.node("pg2").noLeader().config("check_timeline", true).clusterTimeline(2)
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("leader gone, watchdog required and unusable",
                        () -> HaFixture.node("pg2").noLeader().watchdogRequiredButUnusable().memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots(),
                        new Action.DisableWatchdog()),
                row("stalled old primary behind the cluster timeline does not retake the lock",
                        () -> HaFixture.node("pg1").noLeader().clusterTimeline(3).local(l -> l.primary().timeline(2))
                                .memory(m -> m.withOnStartFired(true)),
                        "demoting self because i am not the healthiest node",
                        new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK)),
                // an old primary on timeline 2, its rewind failed, reports a higher position than the nodes of 3:
                // it does not race (behind the cluster timeline), so nobody may defer to it (simulator seed 17080)
                row("leader gone: a member further on an older timeline is not ahead of me",
                        () -> HaFixture.node("pg3").noLeader().clusterTimeline(3).local(l -> l.timeline(3))
                                .peer(PeerStatus.replica("pg1", HaFixture.WAL + 100, 2, Tags.NONE))
                                .peer(PeerStatus.replica("pg2", HaFixture.WAL, 3, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.Promote(), new Action.SyncSlots()),
                row("primary found without a leader key retakes it",
                        () -> HaFixture.node("pg1").noLeader().local(l -> l.primary()).memory(m -> m.withOnStartFired(true)),
                        "acquired session lock as a leader",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("pre_promote backoff: skip the race",
                        () -> HaFixture.node("pg2").noLeader().memory(m -> m.withOnStartFired(true)
                                .withPrePromoteFailed(HaFixture.NOW_NANOS - 5_000_000_000L)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),

                // ---------------------------------------------------------- manual failover without a leader
                row("switchover candidate takes over once the leader stepped down",
                        () -> HaFixture.node("pg3").noLeader().failover("pg1", "pg3").memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1), new Action.Promote(), new Action.SyncSlots()),
                row("named candidate, but the former primary still answers as one: wait (simulator seed 2592)",
                        () -> HaFixture.node("pg3").noLeader().failover(null, "pg3").memory(m -> m.withOnStartFired(true))
                                .peer(PeerStatus.primary("pg1", 1, io.haagent.cluster.Tags.NONE)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("not the named candidate, which is healthy: let it win",
                        () -> HaFixture.node("pg2").noLeader().failover("pg1", "pg3").memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("named candidate unreachable: the healthiest other takes over (no lag check)",
                        () -> HaFixture.node("pg2").noLeader().failover("pg1", "pg3").optime(HaFixture.WAL + 5_000_000)
                                .peer(PeerStatus.unreachable("pg3", "timeout")).peer(PeerStatus.unreachable("pg1", "down"))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1), new Action.Promote(), new Action.SyncSlots()),

                // ---------------------------------------------------------- REST requests (§2.6, §3.11)
                row("POST /restart on a replica: restarts following the leader, answered when it is done",
                        () -> HaFixture.node("pg2").request(RESTART).memory(m -> m.withOnStartFired(true)),
                        "restarting as requested",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.SyncSlots(),
                        new Action.Restart(null, FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA)),
                row("POST /restart on the leader in pause: allowed, as the primary",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).config("pause", true).local(l -> l.primary())
                                .request(new NodeRequest.Restart(7, null, null, false, 60)).memory(m -> m.withOnStartFired(true)),
                        "PAUSE: restarting as requested",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots(),
                        new Action.Restart(60, null, Role.PRIMARY)),
                row("POST /restart role=replica on the primary: conditions not satisfied",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .request(new NodeRequest.Restart(7, "replica", null, false, null)).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots(),
                        new Action.AnswerRequest(7, false, "restart conditions are not satisfied")),
                row("POST /restart role=primary on a primary reporting master: either spelling matches",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .request(new NodeRequest.Restart(7, "master", null, false, null)).memory(m -> m.withOnStartFired(true)),
                        "restarting as requested",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots(), new Action.Restart(null, null, Role.PRIMARY)),
                row("POST /restart postgres_version not newer than the server: conditions not satisfied",
                        () -> HaFixture.node("pg2").request(new NodeRequest.Restart(7, null, 150004, false, null))
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.SyncSlots(),
                        new Action.AnswerRequest(7, false, "restart conditions are not satisfied")),
                row("POST /restart restart_pending without a pending restart: conditions not satisfied",
                        () -> HaFixture.node("pg2").request(new NodeRequest.Restart(7, null, null, true, null))
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.SyncSlots(),
                        new Action.AnswerRequest(7, false, "restart conditions are not satisfied")),
                row("POST /restart restart_pending with one pending and an older server: restarts",
                        () -> HaFixture.node("pg2").local(l -> l.pendingRestart())
                                .request(new NodeRequest.Restart(7, "replica", 150005, true, null))
                                .memory(m -> m.withOnStartFired(true)),
                        "restarting as requested",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.SyncSlots(),
                        new Action.Restart(null, FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA)),
                row("POST /restart while a long action runs: already in progress",
                        () -> HaFixture.node("pg2").longAction(LongAction.Kind.REWIND, "running pg_rewind from pg1", 3)
                                .request(RESTART),
                        "running pg_rewind from pg1 in progress",
                        new Action.AnswerRequest(7, false, "running pg_rewind from pg1 already in progress")),
                row("POST /restart on a primary that must demote this cycle: the demote goes first",
                        () -> HaFixture.node("pg1").leader("pg2").local(l -> l.primary()).request(RESTART),
                        "demoting self because I do not have the lock and I was a leader",
                        new Action.Demote(DemoteMode.IMMEDIATE_NOLOCK),
                        new Action.AnswerRequest(7, false, "demote already in progress")),
                row("a requested restart still running: no answer yet",
                        () -> HaFixture.node("pg2").longAction(LongAction.Kind.RESTART, "restart", 3)
                                .memory(m -> m.withRequestInFlight(new NodeRequest.InFlight(RESTART, null))),
                        "restart in progress"),
                row("POST /restart while a requested restart runs: already in progress, the first still waits",
                        () -> HaFixture.node("pg2").longAction(LongAction.Kind.RESTART, "restart", 3)
                                .memory(m -> m.withRequestInFlight(new NodeRequest.InFlight(RESTART, null)))
                                .request(new NodeRequest.Restart(9, null, null, false, null)),
                        "restart in progress",
                        new Action.AnswerRequest(9, false, "restart already in progress")),
                row("a requested restart came back running: restarted successfully",
                        () -> HaFixture.node("pg2").memory(m -> m.withOnStartFired(true).withRequestInFlight(
                                new NodeRequest.InFlight(RESTART, new Outcome.Restarted(Outcome.Restarted.Result.RESTARTED)))),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.SyncSlots(),
                        new Action.AnswerRequest(7, true, "restarted successfully")),
                row("a requested restart whose start timed out: postgres is still starting",
                        () -> HaFixture.node("pg2").local(l -> l.starting(5)).memory(m -> m.withOnStartFired(true)
                                .withRequestInFlight(new NodeRequest.InFlight(RESTART,
                                        new Outcome.Restarted(Outcome.Restarted.Result.STILL_STARTING)))),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.AnswerRequest(7, false, "postgres is still starting")),
                row("POST /reinitialize on a replica: clone again from the leader",
                        () -> HaFixture.node("pg2").request(new NodeRequest.Reinitialize(8, false)),
                        "reinitializing from leader 'pg1' as requested",
                        new Action.Reinitialize(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), "requested"), new Action.AnswerRequest(8, true, "reinitialize started")),
                row("POST /reinitialize: from a clonefrom member, or from_leader: from the leader by pg_basebackup",
                        () -> HaFixture.node("pg3").member("pg2", b -> b.tags(Tags.effective(Map.of("clonefrom", true))))
                                .request(new NodeRequest.Reinitialize(8, false, true)),
                        "reinitializing from leader 'pg1' as requested",
                        new Action.Reinitialize(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), "requested", true),
                        new Action.AnswerRequest(8, true, "reinitialize started")),
                row("POST /reinitialize without from_leader: from the clonefrom member",
                        () -> HaFixture.node("pg3").member("pg2", b -> b.tags(Tags.effective(Map.of("clonefrom", true))))
                                .request(new NodeRequest.Reinitialize(8, false)),
                        "reinitializing from replica 'pg2' as requested",
                        new Action.Reinitialize(FollowTarget.member("pg2", "postgres://127.0.0.12:5432/postgres", null), FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), "requested"),
                        new Action.AnswerRequest(8, true, "reinitialize started")),
                row("POST /reinitialize on the leader: refused",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .request(new NodeRequest.Reinitialize(8, true)).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.AnswerRequest(8, false, "I am the leader, can not reinitialize"),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("POST /reinitialize without a leader: refused",
                        () -> HaFixture.node("pg2").noLeader().local(l -> l.stopped("shut down in recovery").state(PostgresState.STOPPED))
                                .config("pause", true).request(new NodeRequest.Reinitialize(8, false)),
                        "PAUSE: postgres is not running",
                        new Action.AnswerRequest(8, false, "Cluster has no leader, can not reinitialize")),
                row("POST /reinitialize while a long action runs: already in progress",
                        () -> HaFixture.node("pg2").longAction(LongAction.Kind.CLONE, "bootstrap from leader 'pg1'", 3)
                                .request(new NodeRequest.Reinitialize(8, false)),
                        "bootstrap from leader 'pg1' in progress",
                        new Action.AnswerRequest(8, false, "bootstrap from leader 'pg1' already in progress")),
                row("POST /reinitialize force while a long action runs: cancel it, no answer yet",
                        () -> HaFixture.node("pg2").longAction(LongAction.Kind.CLONE, "bootstrap from leader 'pg1'", 3)
                                .request(new NodeRequest.Reinitialize(8, true)),
                        "bootstrap from leader 'pg1' in progress",
                        new Action.CancelLongAction()),
                row("a forced reinitialize once the cancelled action ended: clone again",
                        () -> HaFixture.node("pg2").local(l -> l.stopped("shut down in recovery").state(PostgresState.STOPPED))
                                .memory(m -> m.withRequestInFlight(new NodeRequest.InFlight(new NodeRequest.Reinitialize(8, true), null))),
                        "reinitializing from leader 'pg1' as requested",
                        new Action.Reinitialize(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), "requested"), new Action.AnswerRequest(8, true, "reinitialize started")),
                row("POST /reinitialize with etcd unreachable: refused",
                        () -> HaFixture.node("pg2").dcsDown().request(new NodeRequest.Reinitialize(8, false)),
                        "DCS is not accessible",
                        new Action.AnswerRequest(8, false, "DCS is not accessible, can not reinitialize")),
                row("scheduled restart due, its role matching: restart",
                        () -> HaFixture.node("pg2").memory(m -> m.withOnStartFired(true)).scheduledRestart(new ScheduledRestart(
                                HaFixture.NOW.minusSeconds(1), "replica", null, false, null, "2026-03-01 11:00:00.000000+00:00")),
                        "restarting after scheduled restart",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.ClearScheduledRestart(),
                        new Action.Restart(null, FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA)),
                row("scheduled restart due with restart_pending and none pending: cleared, not run",
                        () -> HaFixture.node("pg2").memory(m -> m.withOnStartFired(true)).scheduledRestart(new ScheduledRestart(
                                HaFixture.NOW.minusSeconds(1), null, null, true, null, "2026-03-01 11:00:00.000000+00:00")),
                        "restart conditions are not satisfied",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.ClearScheduledRestart(), new Action.SyncSlots()),
                row("scheduled restart in pause: waits",
                        () -> HaFixture.node("pg2").config("pause", true).memory(m -> m.withOnStartFired(true)).scheduledRestart(
                                new ScheduledRestart(HaFixture.NOW.minusSeconds(1), null, null, false, null,
                                        "2026-03-01 11:00:00.000000+00:00")),
                        "PAUSE: no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA), new Action.SyncSlots()),
                // a switchover's candidate that was not streaming when the old primary stopped (restarted then) lacks
                // the end of its WAL: the old primary, alive, takes the lock back; gone, the candidate promotes
                row("switchover candidate behind the former leader's shutdown checkpoint, which answers: no promotion",
                        () -> HaFixture.node("pg3").noLeader().failover("pg1", "pg3").optime(HaFixture.WAL + 8416)
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("switchover candidate behind the former leader's last position, which is gone: it promotes",
                        () -> HaFixture.node("pg3").noLeader().failover("pg1", "pg3").optime(HaFixture.WAL + 8416)
                                .peer(PeerStatus.unreachable("pg1", "connection refused"))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1), new Action.Promote(), new Action.SyncSlots()),
                // a switchover whose leader is gone is a failover: its named candidate is held to
                // maximum_lag_on_failover, and the member that is not lagging takes its place (seed 14118)
                row("switchover candidate lagging past maximum_lag_on_failover, its leader gone: no promotion",
                        () -> HaFixture.node("pg3").noLeader().failover("pg1", "pg3").config("maximum_lag_on_failover", 65536)
                                .optime(HaFixture.WAL + 97463).peer(PeerStatus.unreachable("pg1", "timed out"))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("the member not lagging takes the place of a lagging switchover candidate whose leader is gone",
                        () -> HaFixture.node("pg2").noLeader().failover("pg1", "pg3").config("maximum_lag_on_failover", 65536)
                                .optime(HaFixture.WAL + 97463).local(l -> l.wal(HaFixture.WAL + 97463))
                                .peer(PeerStatus.unreachable("pg1", "timed out"))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1), new Action.Promote(), new Action.SyncSlots()),
                // what the candidate's GET /patroni reports may predate the old primary's last records: the
                // candidate judges its own position (the rows above), the others wait for it
                row("the other replica has the old primary's WAL, the candidate reports less: the other waits for it",
                        () -> HaFixture.node("pg2").noLeader().failover("pg1", "pg3").optime(HaFixture.WAL + 8416)
                                .local(l -> l.wal(HaFixture.WAL + 8416))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                // stopped, it first starts as a standby of nobody (§3.6), then races as any replica
                row("the switchover's old primary, a standby again, whose WAL nobody else has: takes the lock back",
                        () -> HaFixture.node("pg1").noLeader().failover("pg1", "pg3").optime(HaFixture.WAL + 8416)
                                .local(l -> l.wal(HaFixture.WAL + 8416))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1), new Action.Promote(), new Action.SyncSlots()),
                // a failover requested while the synchronous leader runs is its graceful step-down: a named candidate
                // that was not streaming when it stopped lacks WAL the other standby confirmed (simulator seed 11339)
                row("quorum: a failover's candidate behind the stepped-down sync leader, which answers: no promotion",
                        () -> HaFixture.node("pg2").noLeader().failover(null, "pg2").config("synchronous_mode", "quorum")
                                .quorum("pg1", 1, "pg2", "pg3").optime(HaFixture.WAL + 8416)
                                .peer(PeerStatus.replica("pg1", HaFixture.WAL + 8416, 1, Tags.NONE))
                                .peer(PeerStatus.replica("pg3", HaFixture.WAL + 8416, 1, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                // the leader gone, a voter ahead of the named candidate may hold commits acknowledged on its
                // confirmation alone (ANY 1): the candidate does not promote, that voter does (seed 23375)
                row("quorum: a failover's named candidate with a voter ahead of it: no promotion",
                        () -> HaFixture.node("pg2").noLeader().failover(null, "pg2").config("synchronous_mode", "quorum")
                                .quorum("pg1", 1, "pg2", "pg3").peer(PeerStatus.unreachable("pg1", "refused"))
                                .peer(PeerStatus.replica("pg3", HaFixture.WAL + 100, 1, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("quorum: the voter ahead of a failover's named candidate takes its place",
                        () -> HaFixture.node("pg3").noLeader().failover(null, "pg2").config("synchronous_mode", "quorum")
                                .quorum("pg1", 1, "pg2", "pg3").peer(PeerStatus.unreachable("pg1", "refused"))
                                .local(l -> l.wal(HaFixture.WAL + 100))
                                .peer(PeerStatus.replica("pg2", HaFixture.WAL, 1, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1),
                        Action.SetSynchronousStandbyNames.anyOf(1, List.of("pg1", "pg2")), new Action.Promote(),
                        new Action.SyncSlots()),
                // quorum: pg3 promoted on the key naming pg1 and stepped down for the failover before it rewrote it:
                // pg1, named by the key but behind the last position pg3 published, is no former leader to take the
                // lock back (simulator seed 7125: it promoted without commits pg3's standby had confirmed)
                row("quorum: the sync key's stale leader, behind the cluster's last position, does not take the lock back",
                        () -> HaFixture.node("pg1").noLeader().failover(null, "pg2").config("synchronous_mode", "quorum")
                                .quorum("pg1", 1, "pg2", "pg3").optime(HaFixture.WAL + 8416)
                                .peer(PeerStatus.unreachable("pg2", "refused"))
                                .peer(PeerStatus.replica("pg3", HaFixture.WAL + 8416, 2, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                // a named candidate whose postgres is not running (no xlog in its GET /patroni; Patroni reads it as
                // unreachable) waits for a leader: the others must not wait for it (seed 7125)
                row("quorum: a failover's named candidate without postgres running: the voter ahead promotes",
                        () -> HaFixture.node("pg3").noLeader().failover(null, "pg1").config("synchronous_mode", "quorum")
                                .quorum("pg2", 1, "pg1", "pg3").optime(HaFixture.WAL + 8416)
                                .local(l -> l.wal(HaFixture.WAL + 8416))
                                .peer(PeerStatus.replica("pg1", 0, 0, Tags.NONE))
                                .peer(PeerStatus.replica("pg2", HaFixture.WAL, 1, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1),
                        Action.SetSynchronousStandbyNames.anyOf(1, List.of("pg1", "pg2")), new Action.Promote(),
                        new Action.SyncSlots()),

                // ---------------------------------------------------------- §3.8 DCS unreachable
                row("etcd unreachable on a primary: demote offline",
                        () -> HaFixture.node("pg1").dcsDown().local(l -> l.primary()),
                        "demoting self because DCS is not accessible and I was a leader",
                        new Action.Demote(DemoteMode.OFFLINE)),
                // a paused primary demotes too (Patroni's keeps running): cut off from etcd it cannot see a resume or
                // a manual failover, and once its lock expires another member promotes beside it (simulator seed 8617)
                row("etcd unreachable on a paused primary: demote offline as well",
                        () -> HaFixture.node("pg1").dcsDown().local(l -> l.primary()).memory(m -> m.withWasPaused(true)),
                        "demoting self because DCS is not accessible and I was a leader",
                        new Action.Demote(DemoteMode.OFFLINE)),
                row("etcd unreachable on a paused primary, failsafe on, all members accept: stay primary",
                        () -> HaFixture.node("pg1").dcsDown().config("failsafe_mode", true).failsafeTopologyOk(true)
                                .local(l -> l.primary()).memory(m -> m.withWasPaused(true)),
                        "continue to run as a leader because failsafe mode is enabled and all members are accessible",
                        new Action.HoldLeadershipInFailsafe()),
                row("etcd unreachable after a paused primary's offline step-down: start read-only, following nobody",
                        () -> HaFixture.node("pg1").dcsDown().local(l -> l.role(Role.DEMOTED).stopped("shut down")
                                .state(PostgresState.STOPPED)).memory(m -> m.withStartAfterDemote(DemoteMode.OFFLINE)
                                        .withWasPaused(true)),
                        "starting after demotion",
                        new Action.StartReplica(FollowTarget.NONE, Role.REPLICA, null, "starting after demotion",
                                CallbackAction.ON_ROLE_CHANGE)),
                row("etcd unreachable on a paused replica that was stopped by the operator: stays stopped",
                        () -> HaFixture.node("pg2").dcsDown().local(l -> l.stopped("shut down").state(PostgresState.STOPPED))
                                .memory(m -> m.withWasPaused(true)),
                        "DCS is not accessible"),
                row("a config key that changes postgresql.parameters: postgres reloads",
                        () -> HaFixture.node("pg2").config("postgresql", Map.of("parameters", Map.of("work_mem", "8MB")))
                                .memory(m -> m.withAppliedParameters(Map.of("work_mem", "4MB")).withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.ApplyParameters(),
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots()),
                row("etcd unreachable after an offline step-down: start read-only, following nobody",
                        () -> HaFixture.node("pg1").dcsDown().local(l -> l.role(Role.DEMOTED).stopped("shut down")
                                .state(PostgresState.STOPPED)).memory(m -> m.withStartAfterDemote(DemoteMode.OFFLINE)),
                        "starting after demotion",
                        new Action.StartReplica(FollowTarget.NONE, Role.REPLICA, null, "starting after demotion",
                                CallbackAction.ON_ROLE_CHANGE)),
                row("etcd unreachable on a replica: carry on",
                        () -> HaFixture.node("pg2").dcsDown(),
                        "DCS is not accessible"),
                row("a replica copies the logical slots the last slot sync found missing",
                        () -> HaFixture.node("pg2").memory(m -> m.withOnStartFired(true).withLogicalSlotsToCopy(
                                List.of(new io.haagent.slots.SlotAction.CopyLogical("app", "postgres", "pgoutput", "t")))),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.CopyLogicalSlots(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null),
                                List.of(new io.haagent.slots.SlotAction.CopyLogical("app", "postgres", "pgoutput", "t")))),
                row("the leader copies no logical slots",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .memory(m -> m.withOnStartFired(true).withLogicalSlotsToCopy(List.of(
                                        new io.haagent.slots.SlotAction.CopyLogical("app", "postgres", "pgoutput", "t")))),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("failsafe on: the leader writes the failsafe key after the status key",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .config("failsafe_mode", true).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.UpdateHistory(1), STATUS, new Action.WriteFailsafe(), new Action.SyncSlots()),
                row("a replica writes neither status nor failsafe",
                        () -> HaFixture.node("pg2").config("failsafe_mode", true).memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots()),
                row("etcd unreachable, failsafe on, all members accept: stay primary",
                        () -> HaFixture.node("pg1").dcsDown().config("failsafe_mode", true).failsafeTopologyOk(true)
                                .local(l -> l.primary()),
                        "continue to run as a leader because failsafe mode is enabled and all members are accessible",
                        new Action.HoldLeadershipInFailsafe()),
                row("etcd unreachable, failsafe on, a member does not answer: demote",
                        () -> HaFixture.node("pg1").dcsDown().config("failsafe_mode", true).failsafeTopologyOk(false)
                                .local(l -> l.primary()),
                        "demoting self because DCS is not accessible and I was a leader",
                        new Action.Demote(DemoteMode.OFFLINE)),
                row("etcd unreachable during a long action on a primary: cancel and demote",
                        () -> HaFixture.node("pg1").dcsDown().local(l -> l.primary())
                                .longAction(LongAction.Kind.RESTART, "restart", 1),
                        "demoting self because DCS is not accessible and I was a leader",
                        new Action.CancelLongAction(), new Action.Demote(DemoteMode.OFFLINE, false)),
                row("failsafe: a primary that called us within ttl counts as the leader",
                        () -> HaFixture.node("pg2").noLeader().config("failsafe_mode", true).failsafeLeader("pg1")
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null), Role.REPLICA),
                        new Action.SyncSlots()),
                row("etcd unreachable on a replica, failsafe: permanent slots follow what the primary sent",
                        () -> HaFixture.node("pg2").dcsDown().config("failsafe_mode", true)
                                .localDynamic(Map.of("failsafe_mode", true))
                                .failsafeContact("pg1", HaFixture.NOW_NANOS, Map.of("cdc", HaFixture.WAL)),
                        "DCS is not accessible",
                        new Action.SyncSlots()),
                row("failsafe: a POST /failsafe older than ttl no longer counts: race",
                        () -> HaFixture.node("pg2").noLeader().config("failsafe_mode", true)
                                .failsafeContact("pg1", HaFixture.NOW_NANOS - 31_000_000_000L, Map.of())
                                .peer(PeerStatus.unreachable("pg1", "connection refused"))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.Promote(), new Action.SyncSlots()),
                row("failsafe: the sender's member key expired: follow the addresses it sent",
                        () -> HaFixture.node("pg2").noLeader().config("failsafe_mode", true)
                                .failsafeContact("pg1", HaFixture.NOW_NANOS, Map.of("pg2", HaFixture.WAL))
                                .withoutMember("pg1").memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)",
                        new Action.Follow(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null),
                                Role.REPLICA),
                        new Action.SyncSlots()),
                row("failsafe key without me: not eligible",
                        () -> HaFixture.node("pg3").noLeader().config("failsafe_mode", true)
                                .failsafeKey(Map.of("pg1", "http://127.0.0.11:8008/patroni", "pg2", "http://127.0.0.12:8008/patroni"))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),

                // ---------------------------------------------------------- pause
                row("pause: no leader, replicas do not race",
                        () -> HaFixture.node("pg2").noLeader().config("pause", true).memory(m -> m.withOnStartFired(true)),
                        "PAUSE: no action. I am (pg2)", new Action.SyncSlots()),
                row("pause: running primary with matching sysid takes the free lock",
                        () -> HaFixture.node("pg1").noLeader().config("pause", true).local(l -> l.primary())
                                .memory(m -> m.withOnStartFired(true)),
                        "PAUSE: acquired session lock as a leader",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                // Patroni's paused primary takes the lock whatever its timeline: a primary left on timeline 1 (its
                // agent crashed, another node promoted to 2) would lead again, the newer primary's commits lost
                // (simulator seed 5313)
                row("pause: a running primary behind the cluster timeline does not take the free lock",
                        () -> HaFixture.node("pg1").noLeader().config("pause", true).clusterTimeline(2)
                                .local(l -> l.primary().timeline(1)).memory(m -> m.withOnStartFired(true)),
                        "PAUSE: continue to run as primary without lock", new Action.SyncSlots()),
                row("pause: manual failover to me is honoured",
                        () -> HaFixture.node("pg2").noLeader().config("pause", true).failover(null, "pg2")
                                .memory(m -> m.withOnStartFired(true)),
                        "PAUSE: promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteFailover(FailoverRequest.of(null, null, null), -1), new Action.Promote(), new Action.SyncSlots()),
                row("pause: scheduled switchover is ignored",
                        () -> HaFixture.node("pg1").config("pause", true).lock(LockStatus.HELD).local(l -> l.primary())
                                .scheduledFailover("pg1", "pg2", OffsetDateTime.of(2026, 3, 1, 11, 59, 59, 0, ZoneOffset.UTC))
                                .memory(m -> m.withOnStartFired(true)),
                        "PAUSE: no action. I am (pg1), the leader with the lock",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),

                // ---------------------------------------------------------- synchronous mode
                row("sync mode: only /sync members may race",
                        () -> HaFixture.node("pg3").noLeader().config("synchronous_mode", true).sync("pg1", "pg2")
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("sync mode: the sync standby takes over and claims /sync before promoting",
                        () -> HaFixture.node("pg2").noLeader().config("synchronous_mode", true).sync("pg1", "pg2")
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteSync(new SyncState("pg2", List.of(), 0), 7,
                                "Postponing promotion because synchronous replication state was updated by somebody else"),
                        new Action.SetSynchronousStandbyNames(List.of(), false, 0), new Action.Promote(), new Action.SyncSlots()),
                row("sync mode strict: promote with synchronous_standby_names '*'",
                        () -> HaFixture.node("pg2").noLeader().config("synchronous_mode", true)
                                .config("synchronous_mode_strict", true).sync("pg1", "pg2")
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteSync(new SyncState("pg2", List.of(), 0), 7,
                                "Postponing promotion because synchronous replication state was updated by somebody else"),
                        new Action.SetSynchronousStandbyNames(List.of(), true, 0), new Action.Promote(), new Action.SyncSlots()),
                row("sync mode: a former leader ahead of me (the /sync leader) does not block me",
                        () -> HaFixture.node("pg2").noLeader().config("synchronous_mode", true).sync("pg1", "pg2")
                                .peer(PeerStatus.replica("pg1", HaFixture.WAL + 500, 1, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        new Action.WriteSync(new SyncState("pg2", List.of(), 0), 7,
                                "Postponing promotion because synchronous replication state was updated by somebody else"),
                        new Action.SetSynchronousStandbyNames(List.of(), false, 0), new Action.Promote(), new Action.SyncSlots()),
                // ---------------------------------------------------------- quorum commit (Patroni 4)
                row("quorum: a voter that compared its position with enough voters promotes, s_s_n keeps the quorum",
                        () -> HaFixture.node("pg2").noLeader().config("synchronous_mode", "quorum")
                                .quorum("pg1", 1, "pg2", "pg3").peer(PeerStatus.unreachable("pg1", "refused"))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        Action.SetSynchronousStandbyNames.anyOf(1, List.of("pg1", "pg3")), new Action.Promote(),
                        new Action.SyncSlots()),
                row("quorum: a voter that reaches fewer voters than the quorum does not promote",
                        () -> HaFixture.node("pg2").noLeader().config("synchronous_mode", "quorum")
                                .quorum("pg1", 1, "pg2", "pg3").peer(PeerStatus.unreachable("pg1", "refused"))
                                .peer(PeerStatus.unreachable("pg3", "refused")).memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("quorum: a node outside the voters may race and needs the votes (quorum 0: one voter seen)",
                        () -> HaFixture.node("pg3").noLeader().config("synchronous_mode", "quorum")
                                .quorum("pg1", 0, "pg2").peer(PeerStatus.unreachable("pg1", "refused"))
                                .memory(m -> m.withOnStartFired(true)),
                        "promoted self to leader by acquiring session lock",
                        new Action.AcquireLock("following new leader after trying and failing to obtain lock"),
                        Action.SetSynchronousStandbyNames.anyOf(2, List.of("pg1", "pg2")), new Action.Promote(),
                        new Action.SyncSlots()),
                row("quorum: a voter ahead of me wins, whatever the votes",
                        () -> HaFixture.node("pg2").noLeader().config("synchronous_mode", "quorum")
                                .quorum("pg1", 1, "pg2", "pg3").peer(PeerStatus.unreachable("pg1", "refused"))
                                .peer(PeerStatus.replica("pg3", HaFixture.WAL + 100, 1, Tags.NONE))
                                .memory(m -> m.withOnStartFired(true)),
                        "following a different leader because i am not the healthiest node",
                        new Action.Follow(FollowTarget.NONE, Role.REPLICA), new Action.SyncSlots()),
                row("quorum: the primary names itself in an empty sync key",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                                .config("synchronous_mode", "quorum").memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.WriteSync(new SyncState("pg1", List.of(), 0, 0), 0, null),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("quorum: new standbys are listed ANY 1 (...) before they vote",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()
                                .standby("pg2", "async", HaFixture.WAL).standby("pg3", "async", HaFixture.WAL))
                                .config("synchronous_mode", "quorum").quorum("pg1", 0)
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        Action.SetSynchronousStandbyNames.anyOf(1, List.of("pg2", "pg3")),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("quorum: standbys caught up while 'quorum': they become voters, quorum 1 of 2",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary().ssn("ANY 1 (pg2,pg3)")
                                .standby("pg2", "quorum", HaFixture.WAL).standby("pg3", "quorum", HaFixture.WAL))
                                .config("synchronous_mode", "quorum").quorum("pg1", 0)
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.WriteSync(new SyncState("pg1", List.of("pg2", "pg3"), 1, 0), 7, null),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("quorum: every standby gone: voters emptied first, then s_s_n",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary().ssn("ANY 1 (pg2,pg3)"))
                                .config("synchronous_mode", "quorum").quorum("pg1", 1, "pg2", "pg3")
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.WriteSync(new SyncState("pg1", List.of(), 0, 0), 7, null),
                        Action.SetSynchronousStandbyNames.anyOf(0, List.of()),
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("quorum strict: every standby gone: the last synchronous set is kept (no '*')",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary().ssn("ANY 1 (pg2,pg3)"))
                                .config("synchronous_mode", "quorum").config("synchronous_mode_strict", true)
                                .quorum("pg1", 1, "pg2", "pg3").memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()),
                row("sync mode off with a /sync key: delete it",
                        () -> HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).sync("pg1", "pg2")
                                .memory(m -> m.withOnStartFired(true)),
                        "no action. I am (pg1), the leader with the lock",
                        new Action.DeleteSync(7), new Action.UpdateHistory(1), STATUS, new Action.SyncSlots()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String title, Supplier<HaFixture> fixture, String summary, List<Action> actions) {
        Decision d = fixture.get().decide();
        assertThat(d.summary()).as(title).isEqualTo(summary);
        assertThat(d.actions()).as(title).containsExactlyElementsOf(actions);
    }

    @org.junit.jupiter.api.Test
    void theDivergenceCheckIsAskedForAndItsAnswerRead() {
        java.util.function.Supplier<HaFixture> f = () -> HaFixture.node("pg2")
                .member("pg1", b -> b.role(Role.PRIMARY)).memory(m -> m.withOnStartFired(true).withRewind(RewindState.CHECK));
        Decision.Outcome first = new HaDecider().decide(f.get().input());
        assertThat(first.decision()).isNull();
        assertThat(first.divergenceCheckAgainst().name()).isEqualTo("pg1");

        HaFixture diverged = f.get().divergence(new io.haagent.pg.Divergence.RewindNeeded("replayed past the branch point"));
        Decision d = diverged.decide();
        assertThat(diverged.divergenceChecks()).containsExactly("pg1");
        assertThat(d.memory().rewind()).isEqualTo(RewindState.NEEDED);
        assertThat(d.summary()).isEqualTo("running pg_rewind from pg1");
        assertThat(d.actions()).contains(new Action.Rewind(FollowTarget.member("pg1", "postgres://127.0.0.11:5432/postgres", null)));

        Decision fine = f.get().divergence(new io.haagent.pg.Divergence.NotDiverged("same timeline")).decide();
        assertThat(fine.memory().rewind()).isEqualTo(RewindState.NOT_NEEDED);
        Decision unknown = f.get().divergence(new io.haagent.pg.Divergence.Undetermined("leader unreachable")).decide();
        assertThat(unknown.memory().rewind()).as("asked again next cycle").isEqualTo(RewindState.CHECK);

        HaFixture busy = f.get().longAction(LongAction.Kind.REWIND, "running pg_rewind from pg1", 2);
        assertThat(new HaDecider().decide(busy.input()).decision()).as("not while a long action runs").isNotNull();
    }

    /**
     * Patroni's follow: a running replica on an older timeline than its leader's checks for divergence again, even
     * after an earlier check said 'not diverged' (made before that leader promoted, or reset by a pause), and is
     * rewound when it did diverge (simulator seed 3967: it kept streaming on timeline 1 from a leader on 3).
     */
    @org.junit.jupiter.api.Test
    void aReplicaOnAnOlderTimelineThanItsLeaderChecksAgain() {
        java.util.function.Supplier<HaFixture> f = () -> HaFixture.node("pg2").local(l -> l.timeline(1))
                .member("pg1", b -> b.role(Role.PRIMARY).timeline(3))
                .memory(m -> m.withOnStartFired(true).withRewind(RewindState.NOT_NEEDED));
        Decision.Outcome first = new HaDecider().decide(f.get().input());
        assertThat(first.decision()).as("asks for the check").isNull();
        assertThat(first.divergenceCheckAgainst().name()).isEqualTo("pg1");
        Decision d = f.get().divergence(new io.haagent.pg.Divergence.RewindNeeded("replayed past the fork")).decide();
        assertThat(d.summary()).isEqualTo("running pg_rewind from pg1");
        Decision same = HaFixture.node("pg2").local(l -> l.timeline(3)).member("pg1", b -> b.role(Role.PRIMARY)
                .timeline(3)).memory(m -> m.withOnStartFired(true).withRewind(RewindState.NOT_NEEDED)).decide();
        assertThat(same.memory().rewind()).as("on the leader's timeline: nothing to ask")
                .isEqualTo(RewindState.NOT_NEEDED);
    }

    /**
     * Patroni 4.1's demote-cluster: a running primary holding the lock whose cluster gets a standby_cluster section
     * demotes cleanly (a fast stop, the lock released with the shutdown checkpoint), not with an immediate stop that
     * keeps the lock; without the lock it still stops writes at once.
     */
    @org.junit.jupiter.api.Test
    void aPrimaryWhoseClusterBecomesAStandbyClusterDemotesCleanly() {
        Decision d = HaFixture.node("pg1").lock(LockStatus.HELD).config("standby_cluster", Map.of("host", "10.9.0.1"))
                .local(l -> l.primary()).memory(m -> m.withOnStartFired(true)).decide();
        assertThat(d.summary()).isEqualTo("cannot be a real primary in standby cluster");
        assertThat(d.actions()).contains(new Action.Demote(DemoteMode.DEMOTE_CLUSTER));
        assertThat(DemoteMode.DEMOTE_CLUSTER.stopMode()).isEqualTo(io.haagent.pg.StopMode.FAST);
        assertThat(DemoteMode.DEMOTE_CLUSTER.releaseLock()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void followingReportsTheRoleAndFiresOnRoleChangeOnlyForTheStandbyLeadersChange() {
        // the lock holder of a standby cluster follows the remote: it becomes the standby leader
        Decision up = HaFixture.node("pg1").lock(LockStatus.HELD).config("standby_cluster", Map.of("host", "10.9.0.1"))
                .memory(m -> m.withOnStartFired(true)).decide();
        assertThat(up.actions()).as(up.summary()).containsSubsequence(
                new Action.Follow(FollowTarget.remote("10.9.0.1", null, null), Role.STANDBY_LEADER),
                new Action.SetRole(Role.STANDBY_LEADER),
                new Action.FireCallback(CallbackAction.ON_ROLE_CHANGE, Role.STANDBY_LEADER));

        // a former standby leader that follows the new one as a replica: back to replica, with the callback
        Decision down = HaFixture.node("pg2").config("standby_cluster", Map.of("host", "10.9.0.1"))
                .local(l -> l.role(Role.STANDBY_LEADER)).memory(m -> m.withOnStartFired(true)).decide();
        assertThat(down.actions()).as(down.summary()).containsSubsequence(
                new Action.SetRole(Role.REPLICA), new Action.FireCallback(CallbackAction.ON_ROLE_CHANGE, Role.REPLICA));

        // a demoted primary that follows the leader settles to replica without a callback (its start fired one)
        Decision settle = HaFixture.node("pg2").local(l -> l.role(Role.DEMOTED)).memory(m -> m.withOnStartFired(true))
                .decide();
        assertThat(settle.actions()).as(settle.summary()).contains(new Action.SetRole(Role.REPLICA))
                .noneMatch(Action.FireCallback.class::isInstance);

        // a replica following as a replica: nothing to report
        Decision steady = HaFixture.node("pg2").memory(m -> m.withOnStartFired(true)).decide();
        assertThat(steady.actions()).noneMatch(a -> a instanceof Action.SetRole || a instanceof Action.FireCallback);
    }

    @org.junit.jupiter.api.Test
    void theStartsCallbackIsChosenByTheDecider() {
        Decision demoted = HaFixture.node("pg2").local(l -> l.stopped("shut down").role(Role.DEMOTED)).divergence(new io.haagent.pg.Divergence.NotDiverged("in line with pg1")).decide();
        assertThat(demoted.actions()).as(demoted.summary()).filteredOn(Action.StartReplica.class::isInstance)
                .singleElement().extracting(a -> ((Action.StartReplica) a).callback())
                .isEqualTo(CallbackAction.ON_ROLE_CHANGE);
        Decision replica = HaFixture.node("pg2").local(l -> l.stopped("shut down in recovery")).divergence(new io.haagent.pg.Divergence.NotDiverged("in line with pg1")).decide();
        assertThat(replica.actions()).as(replica.summary()).filteredOn(Action.StartReplica.class::isInstance)
                .singleElement().extracting(a -> ((Action.StartReplica) a).callback())
                .isEqualTo(CallbackAction.ON_START);
    }

    @org.junit.jupiter.api.Test
    void aCycleRecordReplaysWithItsSecondPhaseAnswers() {
        // an election: the decider asked the peers; the record holds their answers and decides the same way again
        HaFixture f = HaFixture.node("pg2").noLeader().memory(m -> m.withOnStartFired(true));
        HaInput[] last = new HaInput[1];
        HaDecider decider = new HaDecider();
        HaInput in = f.input();
        Decision.Outcome out = decider.decide(in);
        assertThat(out.needsPeers()).isTrue();
        Map<String, PeerStatus> answers = new java.util.LinkedHashMap<>();
        out.peersNeeded().keySet().forEach(n -> answers.put(n, PeerStatus.unreachable(n, "connection refused")));
        last[0] = in.withPeers(answers);
        Decision d = decider.decide(last[0]).decision();
        CycleRecord record = new CycleRecord(last[0], d);
        assertThat(record.replays()).isTrue();
        assertThat(record.replay().summary()).isEqualTo(d.summary());
        assertThat(new CycleRecord(in, d)).as("without the answers it cannot replay")
                .satisfies(r -> org.assertj.core.api.Assertions.assertThatThrownBy(r::replay)
                        .isInstanceOf(IllegalStateException.class));
        Decision other = HaFixture.node("pg3").decide();
        assertThat(new CycleRecord(last[0], other).replays()).as("a record that does not match its input").isFalse();
    }

    @org.junit.jupiter.api.Test
    void oneReadingOfADivergenceAnswer() {
        assertThat(RewindState.after(new io.haagent.pg.Divergence.RewindImpossible("diverged", "no wal_log_hints", false)))
                .isEqualTo(RewindState.NEEDED);
        assertThat(RewindState.keepsPostgresDown(
                new io.haagent.pg.Divergence.RewindImpossible("diverged", "no wal_log_hints", false))).isFalse();
        assertThat(RewindState.keepsPostgresDown(
                new io.haagent.pg.Divergence.RewindImpossible("diverged", "no wal_log_hints", true))).isTrue();
        assertThat(RewindState.keepsPostgresDown(new io.haagent.pg.Divergence.RewindNeeded("diverged"))).isTrue();
        assertThat(RewindState.keepsPostgresDown(new io.haagent.pg.Divergence.Undetermined("?"))).isFalse();
        assertThat(RewindState.after(new io.haagent.pg.Divergence.Undetermined("?"))).isNull();
    }

    @org.junit.jupiter.api.Test
    void changedParametersReachAStoppedPostgresWhenItStartsNotByReload() {
        Decision d = HaFixture.node("pg2").config("postgresql", Map.of("parameters", Map.of("work_mem", "8MB")))
                .memory(m -> m.withAppliedParameters(Map.of("work_mem", "4MB"))).local(l -> l.stopped("shut down"))
                .divergence(new io.haagent.pg.Divergence.NotDiverged("in line with pg1")).decide();
        assertThat(d.actions()).noneMatch(Action.ApplyParameters.class::isInstance);
        assertThat(d.memory().appliedParameters()).isEqualTo(Map.of("work_mem", "8MB"));
        Decision first = HaFixture.node("pg2").config("postgresql", Map.of("parameters", Map.of("work_mem", "8MB")))
                .decide();
        assertThat(first.actions()).as("the first cycle adopts what runs").noneMatch(Action.ApplyParameters.class::isInstance);
        assertThat(first.memory().appliedParameters()).isEqualTo(Map.of("work_mem", "8MB"));
    }
}
