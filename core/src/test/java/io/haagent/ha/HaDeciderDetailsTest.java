package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Role;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.pg.CallbackAction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the decision table does not show: peers asked, memory carried on, role-change records, sync ordering. */
class HaDeciderDetailsTest {

    @Test
    void steadyStateAsksNoPeers() {
        HaFixture leader = HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary());
        leader.decide();
        HaFixture replica = HaFixture.node("pg2");
        replica.decide();
        assertThat(leader.peerRequests()).isEmpty();
        assertThat(replica.peerRequests()).isEmpty();
    }

    @Test
    void electionAsksEveryOtherKnownMemberOnce() {
        HaFixture f = HaFixture.node("pg2").noLeader()
                .memory(m -> m.withLastKnownMembers(List.of(io.haagent.cluster.Member.builder("pg9")
                        .apiUrl("http://127.0.0.19:8008/patroni").build())));
        f.decide();
        assertThat(f.peerRequests()).hasSize(1);
        assertThat(f.peerRequests().get(0)).containsOnlyKeys("pg1", "pg3", "pg9");
    }

    @Test
    void failoverRecordsEachCandidateWithItsReason() {
        Decision d = HaFixture.node("pg2").noLeader()
                .member("pg3", b -> b.tags(Tags.effective(Map.of("nofailover", true))))
                .peer(PeerStatus.unreachable("pg1", "connection refused"))
                .decide();
        RoleChangeRecord r = d.roleChange();
        assertThat(r.kind()).isEqualTo(RoleChangeRecord.Kind.FAILOVER);
        assertThat(r.decision()).isEqualTo("promoted self to leader by acquiring session lock");
        assertThat(r.candidates()).extracting(RoleChangeRecord.Candidate::name, RoleChangeRecord.Candidate::eligible,
                RoleChangeRecord.Candidate::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("pg2", true, "healthiest eligible member"),
                        org.assertj.core.groups.Tuple.tuple("pg1", false, "not reachable"),
                        org.assertj.core.groups.Tuple.tuple("pg3", false, "tagged nofailover"));
    }

    @Test
    void laggingReplicaSaysByHowMuch() {
        Decision d = HaFixture.node("pg2").noLeader().optime(HaFixture.WAL + 2_000_000).decide();
        assertThat(d.roleChange()).isNull();
        assertThat(d.summary()).isEqualTo("following a different leader because i am not the healthiest node");
        assertThat(d.notes()).containsExactly("My wal position exceeds maximum replication lag");
    }

    @Test
    void aReplicaThatDoesNotPromoteSaysWhyInPatronisWords() {
        Decision ahead = HaFixture.node("pg2").noLeader().member("pg3", b -> b.xlogLocation(HaFixture.WAL + 100))
                .decide();
        assertThat(ahead.notes()).contains("Wal position of pg3 is ahead of my wal position");

        Decision priority = HaFixture.node("pg2").noLeader()
                .member("pg3", b -> b.tags(Tags.effective(Map.of("failover_priority", 2))))
                .decide();
        assertThat(priority.summary()).isEqualTo("following a different leader because i am not the healthiest node");
        assertThat(priority.notes())
                .contains("pg3 has equally tolerable WAL position and priority 2, while this node has priority 1");

        Decision alive = HaFixture.node("pg2").noLeader().peer(PeerStatus.primary("pg1", 1, Tags.NONE)).decide();
        assertThat(alive.notes()).contains("Primary (pg1) is still alive");

        assertThat(HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()).decide().notes())
                .as("no election, nothing to explain").isEmpty();
    }

    @Test
    void aStartAfterFailureIsCheckedForDivergenceFirstAndRemembered() {
        HaFixture f = HaFixture.node("pg2").local(l -> l.stopped("shut down in recovery")).divergence(new io.haagent.pg.Divergence.NotDiverged("in line with pg1"));
        Decision d = f.decide();
        assertThat(f.divergenceChecks()).containsExactly("pg1");
        assertThat(d.memory().recovering()).isTrue();
        assertThat(d.memory().rewind()).isEqualTo(RewindState.NOT_NEEDED);
    }

    @Test
    void losingAManualFailoverRaceSchedulesADivergenceCheck() {
        // a manual failover does not guarantee the new leader is ahead of us: check before following it
        Decision d = HaFixture.node("pg2").noLeader().failover("pg1", "pg3").memory(m -> m.withOnStartFired(true)).decide();
        assertThat(d.summary()).isEqualTo("following a different leader because i am not the healthiest node");
        assertThat(d.memory().rewind()).isEqualTo(RewindState.CHECK);
        Decision automatic = HaFixture.node("pg2").noLeader().member("pg3", b -> b.xlogLocation(HaFixture.WAL + 1))
                .memory(m -> m.withOnStartFired(true)).decide();
        assertThat(automatic.memory().rewind()).isEqualTo(RewindState.INITIAL);
    }

    @Test
    void promotionIsRememberedForThePostPromoteCheckpoint() {
        Decision d = HaFixture.node("pg1").lock(LockStatus.HELD).memory(m -> m.withOnStartFired(true)).decide();
        assertThat(d.has(Action.Promote.class)).isTrue();
        assertThat(d.memory().checkpointAfterPromotePending()).isTrue();
        Decision next = HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary().timeline(2))
                .memory(m -> d.memory().withOnStartFired(true)).decide();
        assertThat(next.actions()).contains(new Action.CheckpointAfterPromote());
    }

    @Test
    void aReplicaStartedWithoutACheckChecksDivergenceInTheVeryNextCycle() {
        Decision d = HaFixture.node("pg2").decide();
        assertThat(d.actions()).contains(new Action.FireCallback(CallbackAction.ON_START, Role.REPLICA));
        assertThat(d.memory().rewind()).isEqualTo(RewindState.CHECK);
        assertThat(d.nextCycleInMillis()).isEqualTo(0L);
    }

    @Test
    void aReplicaClonedFromOrCheckedAgainstTheLeaderIsNotCheckedAgainOnStart() {
        Decision d = HaFixture.node("pg2").memory(m -> m.withRewind(RewindState.NOT_NEEDED)).decide();
        assertThat(d.actions()).contains(new Action.FireCallback(CallbackAction.ON_START, Role.REPLICA));
        assertThat(d.memory().rewind()).isEqualTo(RewindState.NOT_NEEDED);
        assertThat(d.nextCycleInMillis()).isNull();
    }

    @Test
    void bootstrapAsksForTheNextCycleAtOnceSoTheMembersSlotsExistBeforeTheyStream() {
        Decision d = HaFixture.node("pg1").noLeader().initialize("").local(l -> l.primary())
                .memory(m -> m.withBootstrapping(true, true)).decide();
        assertThat(d.summary()).isEqualTo("initialized a new cluster");
        assertThat(d.nextCycleInMillis()).isEqualTo(0L);
    }

    @Test
    void scheduledSwitchoverDueBeforeTheNextTickAsksForAnEarlyCycle() {
        Decision d = HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary())
                .scheduledFailover("pg1", "pg2", java.time.OffsetDateTime.parse("2026-03-01T12:00:04Z"))
                .memory(m -> m.withOnStartFired(true)).decide();
        assertThat(d.nextCycleInMillis()).isEqualTo(4000L);
        assertThat(d.has(Action.Demote.class)).isFalse();
    }

    // ---------------------------------------------------------------- synchronous replication on the primary

    private static HaFixture syncPrimary() {
        return HaFixture.node("pg1").lock(LockStatus.HELD).config("synchronous_mode", true)
                .local(l -> l.primary()).memory(m -> m.withOnStartFired(true));
    }

    @Test
    void syncModeNamesItselfInSyncFirst() {
        Decision d = syncPrimary().local(l -> l.standby("pg2", "async", HaFixture.WAL)).decide();
        assertThat(d.actions()).startsWith(new Action.WriteSync(new SyncState("pg1", List.of(), 0), 0, null));
        assertThat(d.actions()).contains(new Action.SetSynchronousStandbyNames(List.of("pg2"), false, 1));
        assertThat(d.nextCycleInMillis()).isEqualTo(1000L);
    }

    @Test
    void newSyncStandbyIsTrustedOnlyOnceVerified() {
        // /sync names nobody yet; postgres reports pg2 'sync' and past the flush LSN of the s_s_n change
        HaFixture f = syncPrimary().sync("pg1").local(l -> l.ssn("pg2").standby("pg2", "sync", HaFixture.WAL))
                .memory(m -> m.withSyncTracking(new SyncTracking("pg2", HaFixture.WAL, Map.of())));
        Decision d = f.decide();
        assertThat(d.actions()).contains(new Action.WriteSync(new SyncState("pg1", List.of("pg2"), 0), 7, null));
        assertThat(d.memory().syncTracking().ready()).containsKey("pg2");
    }

    @Test
    void standbyNotYetAtTheFlushLsnOfTheChangeIsNotTrusted() {
        HaFixture f = syncPrimary().sync("pg1").local(l -> l.ssn("pg2").standby("pg2", "sync", HaFixture.WAL - 10))
                .memory(m -> m.withSyncTracking(new SyncTracking("pg2", HaFixture.WAL, Map.of())));
        Decision d = f.decide();
        assertThat(d.actions()).noneMatch(a -> a instanceof Action.WriteSync);
    }

    @Test
    void replacingASyncStandbyShrinksSyncBeforeChangingPostgres() {
        // pg2 was sync and left; pg3 streams: /sync must drop pg2 before s_s_n names pg3
        HaFixture f = syncPrimary().sync("pg1", "pg2").member("pg2", b -> b.state("stopped"))
                .local(l -> l.ssn("pg2").standby("pg3", "async", HaFixture.WAL))
                .memory(m -> m.withSyncTracking(new SyncTracking("pg2", HaFixture.WAL, Map.of("pg2", 1))));
        Decision d = f.decide();
        List<Action> sync = d.actions().stream()
                .filter(a -> a instanceof Action.WriteSync || a instanceof Action.SetSynchronousStandbyNames).toList();
        assertThat(sync).containsExactly(
                new Action.WriteSync(new SyncState("pg1", List.of(), 0), 7, null),
                new Action.SetSynchronousStandbyNames(List.of("pg3"), false, 1));
    }

    @Test
    void strictModeWithoutStandbysWaitsForAll() {
        HaFixture f = syncPrimary().config("synchronous_mode_strict", true).sync("pg1", "pg2")
                .member("pg2", b -> b.state("stopped")).local(l -> l.ssn("pg2"))
                .memory(m -> m.withSyncTracking(new SyncTracking("pg2", HaFixture.WAL, Map.of("pg2", 1))));
        Decision d = f.decide();
        assertThat(d.actions()).contains(new Action.SetSynchronousStandbyNames(List.of(), true, 0));
    }

    @Test
    void nosyncMembersAreNeverPicked() {
        HaFixture f = syncPrimary().sync("pg1").member("pg2", b -> b.tags(Tags.effective(Map.of("nosync", true))))
                .local(l -> l.ssn("").standby("pg2", "async", HaFixture.WAL).standby("pg3", "async", HaFixture.WAL - 5));
        Decision d = f.decide();
        assertThat(d.actions()).contains(new Action.SetSynchronousStandbyNames(List.of("pg3"), false, 1));
    }

    @Test
    void synchronousNodeCountPicksSeveral() {
        HaFixture f = syncPrimary().config("synchronous_node_count", 2).sync("pg1")
                .local(l -> l.ssn("").standby("pg2", "async", HaFixture.WAL).standby("pg3", "async", HaFixture.WAL - 5));
        Decision d = f.decide();
        assertThat(d.actions()).contains(new Action.SetSynchronousStandbyNames(List.of("pg2", "pg3"), false, 2));
    }

    @Test
    void parsesSynchronousStandbyNamesForms() {
        assertThat(SyncStandbys.ssnMembers("pg2")).containsExactly("pg2");
        assertThat(SyncStandbys.ssnMembers("2 (pg2,\"PG3\")")).containsExactly("pg2", "pg3");
        assertThat(SyncStandbys.ssnMembers("FIRST 1 (a, b)")).containsExactly("a", "b");
        assertThat(SyncStandbys.ssnMembers("*")).containsExactly("*");
        assertThat(SyncStandbys.ssnMembers("")).isEmpty();
    }

    @Test
    void demotedPrimaryThatLostTheLockIsToldWhy() {
        Decision d = HaFixture.node("pg1").leader("pg2").local(l -> l.primary().role(Role.PRIMARY)).decide();
        assertThat(d.roleChange().kind()).isEqualTo(RoleChangeRecord.Kind.DEMOTE);
        assertThat(d.roleChange().leaderBefore()).isEqualTo("pg1");
    }
}
