package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.ActionOutcome;
import io.haagent.api.RestartRequest;
import io.haagent.cluster.FailoverRequest;
import io.haagent.dcs.Dcs;
import io.haagent.ha.Action;
import io.haagent.ha.CycleRecord;
import io.haagent.ha.DemoteMode;
import io.haagent.ha.RoleChangeRecord;
import io.haagent.slots.ReplicationSlot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop tests (issue 12, STYLE 12): three agents with the real {@link HaLoop}, decider and executor on InMemoryDcs,
 * FakePostgres and one FakeClock, scripted step by step ({@link LoopCluster}). Each scenario asserts the sentences
 * the agents say (Patroni's summaries), the actions decided, what was done to postgres, and that every cycle's
 * decision record replays to the same decision.
 */
class HaLoopTest {
    @TempDir
    Path dir;

    private LoopCluster cluster;

    private LoopCluster cluster(String dynamic) {
        cluster = new LoopCluster(dir, 3, dynamic);
        return cluster;
    }

    @AfterEach
    void everyRecordReplays() {
        if (cluster == null) {
            return;
        }
        try {
            for (LoopCluster.Node n : cluster.nodes.values()) {
                for (CycleRecord r : n.records) {
                    assertThat(r.replays()).as(n.name + ": " + r.decision().summary() + " replays").isTrue();
                }
            }
        } finally {
            cluster.close();
        }
    }

    /** Sets {@code pause: true} in the config key and runs a round, as {@code agentctl pause} does. */
    private static void pause(LoopCluster c) {
        Map<String, Object> cfg = new LinkedHashMap<>(c.view().config().data());
        cfg.put("pause", true);
        assertThat(c.node("pg1").dcs.setConfig(cfg, Dcs.ANY_REVISION)).isTrue();
        c.round();
    }

    private static List<String> since(List<String> all, int from) {
        return all.subList(from, all.size());
    }

    @Test
    void bootstrapOneLeaderTwoClones() {
        LoopCluster c = cluster("");
        c.bootstrap();

        LoopCluster.Node pg1 = c.node("pg1");
        assertThat(pg1.summaries).startsWith("trying to bootstrap a new cluster", "running post_bootstrap",
                "initialized a new cluster", "no action. I am (pg1), the leader with the lock");
        assertThat(pg1.records.get(0).decision().has(Action.Bootstrap.class)).isTrue();
        assertThat(pg1.records.get(2).decision().roleChange().kind()).isEqualTo(RoleChangeRecord.Kind.BOOTSTRAP);
        assertThat(pg1.pg.events()).containsExactly("bootstrap", "post_bootstrap", "callback on_start primary");
        for (String replica : List.of("pg2", "pg3")) {
            LoopCluster.Node n = c.node(replica);
            assertThat(n.summaries).contains("waiting for leader to bootstrap", "trying to bootstrap from leader 'pg1'")
                    .endsWith("no action. I am (" + replica + "), a secondary, and following a leader (pg1)");
            assertThat(n.records).anyMatch(r -> r.decision().has(Action.CloneReplica.class));
            assertThat(n.pg.events()).startsWith("basebackup from pg1", "start replica of pg1");
            assertThat(n.pg.systemIdentifier()).isEqualTo(pg1.pg.systemIdentifier());
            assertThat(n.pg.upstream().memberName()).isEqualTo("pg1");
        }
        assertThat(c.view().members()).hasSize(3);
        // the leader's status key (its decision, Action.WriteStatus): its WAL position, and no failsafe key
        assertThat(pg1.lastRecord().decision().actions()).contains(new Action.WriteStatus(pg1.pg.lsn()));
        assertThat(c.view().status().optime()).isEqualTo(pg1.pg.lsn());
        assertThat(c.view().failsafe()).isNull();
        pg1.pg.write(100);
        c.round();
        assertThat(c.view().status().optime()).isEqualTo(pg1.pg.lsn());
        // Patroni 4.1's member_slots_ttl (default 30 min): the leader publishes every member slot and retains them;
        // each replica holds a slot for each other member, the leader's included
        c.round();
        assertThat(c.view().status().retainSlots()).containsExactly("pg1", "pg2", "pg3");
        assertThat(c.view().status().slots()).containsKeys("pg1", "pg2", "pg3");
        assertThat(c.node("pg2").pg.replicationSlots()).extracting(ReplicationSlot::name).containsExactly("pg1", "pg3");
    }

    @Test
    void switchoverHandsTheLockToTheCandidate() {
        LoopCluster c = cluster("");
        c.bootstrap();
        c.node("pg1").pg.write(4096);
        c.stream();
        int mark1 = c.node("pg1").summaries.size();
        int mark2 = c.node("pg2").summaries.size();
        int events1 = c.node("pg1").pg.events().size();

        assertThat(c.node("pg1").dcs.setFailover(FailoverRequest.of("pg1", "pg2", null), Dcs.ANY_REVISION)).isTrue();
        c.round();

        LoopCluster.Node pg1 = c.node("pg1");
        assertThat(since(pg1.summaries, mark1)).first().isEqualTo("switchover: demoting myself");
        CycleRecord demote = pg1.records.stream().filter(r -> r.decision().has(Action.Demote.class)).findFirst()
                .orElseThrow();
        assertThat(demote.decision().actions()).contains(new Action.Demote(DemoteMode.GRACEFUL));
        assertThat(demote.decision().roleChange().kind()).isEqualTo(RoleChangeRecord.Kind.SWITCHOVER);
        assertThat(since(c.node("pg2").summaries, mark2)).first().isEqualTo("promoted self to leader by acquiring session lock");
        assertThat(c.node("pg2").decided(Action.Promote.class) || c.node("pg2").records.stream()
                .anyMatch(r -> r.decision().has(Action.Promote.class))).isTrue();

        c.rounds(2, Duration.ofSeconds(1));
        assertThat(c.leader()).isEqualTo("pg2");
        assertThat(c.primaries()).containsExactly("pg2");
        assertThat(c.view().failover()).isNull();
        // the step-down ends stopped and without the lock; the next cycle decides what the old primary becomes
        assertThat(since(pg1.summaries, mark1)).containsSubsequence("switchover: demoting myself",
                "starting as a secondary");
        assertThat(pg1.records).anyMatch(r -> r.decision().actions().stream()
                .anyMatch(a -> a instanceof Action.StartReplica s && s.target().memberName().equals("pg2")
                        && s.callback() == io.haagent.pg.CallbackAction.ON_ROLE_CHANGE));
        assertThat(since(pg1.pg.events(), events1)).containsExactly("checkpoint", "stop fast", "callback on_stop primary",
                "start replica of pg2", "callback on_role_change replica");
        assertThat(c.node("pg2").pg.timeline()).isEqualTo(2);
        for (String replica : List.of("pg1", "pg3")) {
            assertThat(c.node(replica).lastSummary())
                    .isEqualTo("no action. I am (" + replica + "), a secondary, and following a leader (pg2)");
            assertThat(c.node(replica).pg.timeline()).as(replica + " follows onto timeline 2").isEqualTo(2);
            assertThat(c.node(replica).pg.lsn()).isEqualTo(c.node("pg2").pg.lsn());
        }
    }

    /**
     * With pg_rewind possible, the decision that starts a switchover's old primary compares it with the new leader
     * first (§4.7, a second-phase input of that decision, not a step of the start): not diverged, it starts following.
     */
    @Test
    void aSwitchoversOldPrimaryIsCheckedForDivergenceByTheDecisionThatStartsIt() {
        LoopCluster c = cluster("    postgresql:\n      use_pg_rewind: true\n");
        c.bootstrap();
        c.node("pg1").pg.write(4096);
        c.stream();
        assertThat(c.node("pg1").dcs.setFailover(FailoverRequest.of("pg1", "pg2", null), Dcs.ANY_REVISION)).isTrue();
        c.rounds(3, Duration.ofSeconds(1));
        LoopCluster.Node pg1 = c.node("pg1");
        CycleRecord start = pg1.records.stream().filter(r -> r.decision().has(Action.StartReplica.class)).findFirst()
                .orElseThrow();
        assertThat(start.decision().summary()).isEqualTo("starting as a secondary");
        assertThat(start.input().divergence()).isInstanceOf(io.haagent.pg.Divergence.NotDiverged.class);
        assertThat(start.decision().memory().rewind()).isEqualTo(io.haagent.ha.RewindState.NOT_NEEDED);
        assertThat(c.primaries()).containsExactly("pg2");
        assertThat(pg1.pg.inRecovery()).isTrue();
    }

    @Test
    void failoverPromotesTheReplicaFurthestAhead() {
        LoopCluster c = cluster("");
        c.bootstrap();
        c.node("pg2").pg.stall(true);
        c.node("pg1").pg.write(1000);
        c.stream();
        assertThat(c.node("pg3").pg.lsn()).isGreaterThan(c.node("pg2").pg.lsn());

        // the whole node pg1 goes away: its agent stops answering and postgres dies
        c.node("pg1").agentDown = true;
        c.node("pg1").pg.crash();
        c.round();
        assertThat(c.leader()).as("the lock lives until its lease ends").isEqualTo("pg1");
        c.clock.advance(Duration.ofSeconds(31));
        c.round();

        LoopCluster.Node pg2 = c.node("pg2");
        LoopCluster.Node pg3 = c.node("pg3");
        // pg2 runs its cycle first: it learns from pg3's answer that it is not the one to take over
        assertThat(pg2.lastSummary()).isEqualTo("following a different leader because i am not the healthiest node");
        assertThat(pg2.lastRecord().decision().has(Action.AcquireLock.class)).isFalse();
        assertThat(pg2.records).anyMatch(r -> r.decision().notes().stream()
                .anyMatch(n -> n.contains("Wal position of pg3 is ahead of my wal position")));
        assertThat(pg3.summaries).contains("promoted self to leader by acquiring session lock");
        CycleRecord promote = pg3.records.stream().filter(r -> r.decision().has(Action.Promote.class)).findFirst()
                .orElseThrow();
        assertThat(promote.decision().roleChange().kind()).isEqualTo(RoleChangeRecord.Kind.FAILOVER);
        assertThat(promote.input().peers()).containsKeys("pg1", "pg2");
        assertThat(promote.input().peers().get("pg1").reachable()).isFalse();

        pg2.pg.stall(false);
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(c.leader()).isEqualTo("pg3");
        assertThat(c.primaries()).containsExactly("pg3");
        assertThat(pg2.pg.timeline()).isEqualTo(2);
        assertThat(pg2.pg.lsn()).isEqualTo(pg3.pg.lsn());
        assertThat(pg2.lastSummary()).isEqualTo("no action. I am (pg2), a secondary, and following a leader (pg3)");
        // the promote's typed outcome reached the memory the next decision started from
        assertThat(pg3.records.get(pg3.records.indexOf(promote) + 1).input().memory().promoteResult()).isTrue();
    }

    @Test
    void anOldPrimaryThatWroteAfterTheForkIsRewoundAndFollows() {
        LoopCluster c = cluster("    postgresql:\n      use_pg_rewind: true\n");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        c.node("pg2").pg.stall(true);
        c.node("pg3").pg.stall(true);
        pg1.pg.write(500); // acknowledged by nobody else: lost when pg1 goes
        c.stream();
        pg1.agentDown = true;
        pg1.pg.crash();
        c.clock.advance(Duration.ofSeconds(31));
        c.node("pg2").pg.stall(false);
        c.node("pg3").pg.stall(false);
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(c.leader()).isEqualTo("pg2");

        pg1.agentDown = false;
        c.rounds(6, Duration.ofSeconds(1));
        assertThat(pg1.records).anyMatch(r -> r.input().divergence() instanceof io.haagent.pg.Divergence.RewindNeeded
                || r.decision().has(Action.Rewind.class));
        // not shut down cleanly: crash recovery in single-user mode first, then pg_rewind (§4.7)
        assertThat(pg1.summaries).containsSubsequence("doing crash recovery in a single user mode",
                "running pg_rewind from pg2");
        assertThat(pg1.records).anyMatch(r -> r.decision().has(Action.CrashRecovery.class));
        assertThat(pg1.pg.events()).containsSubsequence("crash", "crash recovery", "rewind from pg2",
                "start replica of pg2", "callback on_role_change replica");
        assertThat(c.primaries()).containsExactly("pg2");
        assertThat(pg1.pg.timeline()).isEqualTo(2);
        assertThat(pg1.pg.lsn()).isEqualTo(c.node("pg2").pg.lsn());
        assertThat(pg1.lastSummary()).isEqualTo("no action. I am (pg1), a secondary, and following a leader (pg2)");
    }

    @Test
    void replicasCopyThePermanentLogicalSlotsFromThePrimary() {
        LoopCluster c = cluster("""
                    slots:
                      app:
                        type: logical
                        database: postgres
                        plugin: pgoutput
                    postgresql:
                      parameters:
                        wal_level: logical
                """);
        c.rounds(6, Duration.ofSeconds(1));
        assertThat(c.node("pg1").pg.replicationSlots()).extracting(s -> s.name()).contains("app", "pg2", "pg3");
        for (String replica : List.of("pg2", "pg3")) {
            LoopCluster.Node n = c.node(replica);
            // the slot sync found the slot missing; the next decision copied it (a long action)
            assertThat(n.records).anyMatch(r -> r.decision().has(Action.CopyLogicalSlots.class));
            assertThat(n.pg.events()).contains("copy logical slots [app]");
            assertThat(n.pg.replicationSlots()).extracting(s -> s.name()).contains("app");
        }
        int copies = (int) c.node("pg2").pg.events().stream().filter(e -> e.startsWith("copy logical")).count();
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(c.node("pg2").pg.events().stream().filter(e -> e.startsWith("copy logical")).count())
                .as("copied once").isEqualTo(copies);
        // the decision that found the slot missing named it in its slot plan (the executor plans nothing)
        assertThat(c.node("pg2").records).anyMatch(r -> r.decision().actions().stream().anyMatch(
                a -> a instanceof Action.SyncSlots s && !s.plan().copies().isEmpty()));
    }

    @Test
    void theDecisionPlansTheSlotsAndTheExecutorAppliesThePlan() {
        LoopCluster c = cluster("");
        c.rounds(4, Duration.ofSeconds(1));
        LoopCluster.Node pg1 = c.node("pg1");
        assertThat(pg1.records).anyMatch(r -> planned(r, io.haagent.slots.SlotAction.CreatePhysical.class, "pg2"));
        assertThat(pg1.pg.replicationSlots()).extracting(s -> s.name()).contains("pg2", "pg3");
        // a slot nobody streams through, made behind the agent's back: read by the next cycle, dropped by its plan
        pg1.pg.applySlots(new io.haagent.slots.SlotPlan(List.of(
                new io.haagent.slots.SlotAction.CreatePhysical("stray", "made by hand"))));
        int before = pg1.records.size();
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(pg1.records.subList(before, pg1.records.size()))
                .anyMatch(r -> r.input().local().slots().existing().stream().anyMatch(x -> x.name().equals("stray"))
                        && planned(r, io.haagent.slots.SlotAction.Drop.class, "stray"));
        assertThat(pg1.pg.replicationSlots()).extracting(s -> s.name()).doesNotContain("stray").contains("pg2");
    }

    @Test
    void aReplicaPromotedBetweenTheReadAndItsFollowIsDemotedByTheNextDecisionNotRestartedByTheExecutor() {
        LoopCluster c = cluster("");
        c.rounds(4, Duration.ofSeconds(1));
        LoopCluster.Node pg2 = c.node("pg2");
        assertThat(pg2.lastSummary()).isEqualTo("no action. I am (pg2), a secondary, and following a leader (pg1)");
        // pg_ctl promote by hand, after the cycle read pg2 as a replica and before its Follow is applied
        pg2.pg.beforeNextFollow(() -> pg2.pg.promote(Duration.ofSeconds(5)));
        int before = pg2.records.size();
        c.round();
        assertThat(pg2.lastSummary()).isEqualTo("not following pg1: postgres runs as a primary");
        assertThat(pg2.pg.events()).endsWith("follow refused: primary");
        c.rounds(4, Duration.ofSeconds(1));
        List<io.haagent.ha.CycleRecord> after = pg2.records.subList(before, pg2.records.size());
        assertThat(after).anyMatch(r -> r.input().local().primary() && r.decision().has(Action.Demote.class));
        assertThat(pg2.pg.events()).noneMatch(e -> e.startsWith("restart"));
        assertThat(c.primaries()).containsExactly("pg1");
    }

    @Test
    void aPrimaryThatLosesEtcdWhileALongActionHoldsTheRunnerStopsInTheSameCycle() throws Exception {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        List<Thread> threads = new java.util.ArrayList<>();
        call(pg1, () -> pg1.rest.restart(RestartRequest.IMMEDIATE), threads);
        pg1.cycle();
        assertThat(pg1.loop.runner().current().name()).as("queued, not run").isEqualTo("restart");
        c.store.setReachable(false);
        pg1.cycle();
        assertThat(pg1.lastSummary()).isEqualTo("demoting self because DCS is not accessible and I was a leader");
        // the decider chose the inline step-down: the restart it cancels still holds the runner
        assertThat(pg1.lastRecord().decision().actions()).contains(new Action.CancelLongAction(),
                new Action.Demote(io.haagent.ha.DemoteMode.OFFLINE, false));
        assertThat(pg1.pg.running()).as("stopped by this cycle, before any long action ran").isFalse();
        pg1.runLongActions();
        c.store.setReachable(true);
        c.rounds(4, Duration.ofSeconds(1));
        for (Thread t : threads) {
            t.join(5000);
        }
    }

    private static boolean planned(io.haagent.ha.CycleRecord r, Class<?> step, String slot) {
        return r.decision().actions().stream().anyMatch(a -> a instanceof Action.SyncSlots s
                && s.plan().changes().stream().anyMatch(x -> step.isInstance(x) && x.slotName().equals(slot)));
    }

    @Test
    void crashedPrimaryIsStartedAgainWithinMasterStartTimeout() {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        int events = pg1.pg.events().size();
        pg1.pg.crash();
        c.round();

        assertThat(pg1.summaries).contains("starting primary after failure");
        assertThat(pg1.records).anyMatch(r -> r.decision().has(Action.StartPrimary.class)
                && r.decision().roleChange().kind() == RoleChangeRecord.Kind.CRASH_RESTART);
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(pg1.lastSummary()).isEqualTo("no action. I am (pg1), the leader with the lock");
        assertThat(c.leader()).isEqualTo("pg1");
        assertThat(c.primaries()).containsExactly("pg1");
        assertThat(pg1.pg.timeline()).as("the same timeline").isEqualTo(1);
        // on_start fires once, from the start itself, not again from the next cycle (Patroni's cb_called)
        assertThat(since(pg1.pg.events(), events)).containsExactly("crash", "start primary", "callback on_start primary");
    }

    @Test
    void crashWithMasterStartTimeoutZeroFailsOver() {
        LoopCluster c = cluster("    master_start_timeout: 0\n");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        pg1.pg.crash();
        c.round();

        assertThat(pg1.summaries).contains("stopped PostgreSQL to fail over after a crash");
        assertThat(pg1.records).anyMatch(r -> r.decision().actions().contains(new Action.Demote(DemoteMode.IMMEDIATE)));
        c.round();
        // stopped and without the lock; what it becomes is the next decision's: a replica, announced as a role change
        assertThat(pg1.summaries).endsWith("starting after demotion");
        assertThat(pg1.lastRecord().input().memory().startAfterDemote()).isEqualTo(DemoteMode.IMMEDIATE);
        c.rounds(3, Duration.ofSeconds(1));
        assertThat(c.leader()).isEqualTo("pg2");
        assertThat(c.primaries()).containsExactly("pg2");
        assertThat(pg1.lastSummary()).isEqualTo("no action. I am (pg1), a secondary, and following a leader (pg2)");
        assertThat(pg1.pg.events()).doesNotContain("start primary");
        assertThat(pg1.pg.timeline()).isEqualTo(2);
    }

    @Test
    void primaryThatDoesNotComeUpWithinMasterStartTimeoutGivesUpTheLock() {
        LoopCluster c = cluster("    master_start_timeout: 20\n");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        pg1.pg.startHangs(true);
        pg1.pg.crash();
        c.rounds(4, Duration.ofSeconds(5));

        assertThat(pg1.summaries).containsSubsequence("starting primary after failure",
                "PostgreSQL is still starting up, 15 seconds until timeout",
                "PostgreSQL is still starting up, 5 seconds until timeout");
        assertThat(c.leader()).isEqualTo("pg1");
        c.rounds(1, Duration.ofSeconds(5));
        assertThat(pg1.summaries).contains("stopped PostgreSQL because of startup timeout");
        assertThat(pg1.pg.events()).contains("stop immediate");
        pg1.pg.startHangs(false);
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(c.leader()).isEqualTo("pg2");
        assertThat(c.primaries()).containsExactly("pg2");
    }

    /**
     * Simulator seed 4599 (--faults all; issue 13): the start of a crashed primary had not begun (its background
     * thread not yet at pg_ctl start, or a slow one) when the primary lost its lock; the decision cancelled it and
     * demoted, but the start ran anyway and postgres came up as a second primary beside the new leader. Patroni cancels
     * the start through the same interlock (ha.py, handle_long_action_in_progress: critical_task.cancel()).
     */
    @Test
    void aPrimaryStartThatLostItsLockBeforeItBeganDoesNotStart() {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        pg1.pg.crash();
        assertThat(pg1.cycle()).isEqualTo("starting primary after failure");
        pg1.dcs.setLinked(false);
        for (int i = 0; i < 8; i++) {
            c.clock.advance(Duration.ofSeconds(5));
            for (String other : List.of("pg2", "pg3")) {
                c.node(other).cycle();
                c.node(other).runLongActions();
                c.stream();
            }
        }
        pg1.dcs.setLinked(true);
        assertThat(c.leader()).isNotEqualTo("pg1").isNotNull();
        assertThat(pg1.cycle()).isEqualTo("lost leader lock during starting primary after failure");
        pg1.runLongActions();

        assertThat(pg1.pg.events()).doesNotContain("start primary");
        assertThat(c.primaries()).containsExactly(c.leader());
    }

    @Test
    void failsafeKeepsThePrimaryWhileEveryMemberAnswersAndDemotesWhenOneDoesNot() {
        LoopCluster c = cluster("    failsafe_mode: true\n");
        c.bootstrap();
        assertThat(c.node("pg1").decided(Action.WriteFailsafe.class)).isTrue();
        assertThat(c.view().failsafe()).containsOnlyKeys("pg1", "pg2", "pg3")
                .containsEntry("pg2", "http://10.0.0.12:8008/patroni");
        c.store.setReachable(false);
        c.rounds(5, Duration.ofSeconds(10)); // 50 s: past the ttl

        LoopCluster.Node pg1 = c.node("pg1");
        assertThat(pg1.lastSummary())
                .isEqualTo("continue to run as a leader because failsafe mode is enabled and all members are accessible");
        assertThat(pg1.decided(Action.HoldLeadershipInFailsafe.class)).isTrue();
        assertThat(pg1.lastRecord().input().failsafeTopologyOk()).isTrue();
        assertThat(c.primaries()).containsExactly("pg1");
        assertThat(c.node("pg2").lastSummary()).isEqualTo("DCS is not accessible");
        assertThat(c.node("pg2").loop.memory().failsafe()).isNotNull();

        c.cut("pg1", "pg3", true);
        c.round();
        assertThat(pg1.lastSummary()).isEqualTo("demoting self because DCS is not accessible and I was a leader");
        assertThat(pg1.lastRecord().input().failsafeTopologyOk()).isFalse();
        assertThat(c.primaries()).isEmpty();
    }

    /**
     * Failsafe mode switched on, and etcd lost right after the primary's cycle that wrote the failsafe key for the
     * first time: the primary never read that key back, yet it must ask the members it wrote there (Patroni's
     * dcs.failsafe is the key as last read or written), not give up the lock as if there were none. Found by the
     * fault suite (etcd-quorum-lost-failsafe right after the PATCH).
     */
    @Test
    void aFailsafeKeyWrittenButNotYetReadBackIsTheOneThePrimaryAsks() {
        LoopCluster c = cluster("");
        c.bootstrap();
        assertThat(c.view().failsafe()).isNull();
        LoopCluster.Node pg1 = c.node("pg1");
        java.util.Map<String, Object> config = new java.util.LinkedHashMap<>(c.view().config().data());
        config.put("failsafe_mode", true);
        assertThat(pg1.dcs.setConfig(config, c.view().config().modRevision())).isTrue();
        pg1.cycle();
        assertThat(pg1.decided(Action.WriteFailsafe.class)).isTrue();
        assertThat(c.view().failsafe()).containsOnlyKeys("pg1", "pg2", "pg3");

        c.store.setReachable(false);
        pg1.cycle();
        assertThat(pg1.lastSummary())
                .isEqualTo("continue to run as a leader because failsafe mode is enabled and all members are accessible");
        assertThat(pg1.lastRecord().input().failsafeTopologyOk()).isTrue();
        assertThat(c.primaries()).containsExactly("pg1");
    }

    @Test
    void withoutFailsafeThePrimaryDemotesWhenEtcdIsGone() {
        LoopCluster c = cluster("");
        c.bootstrap();
        c.store.setReachable(false);
        c.round();
        assertThat(c.node("pg1").lastSummary()).isEqualTo("demoting self because DCS is not accessible and I was a leader");
        assertThat(c.node("pg1").lastRecord().decision().roleChange().kind()).isEqualTo(RoleChangeRecord.Kind.DEMOTE);
        assertThat(c.primaries()).isEmpty();
        LoopCluster.Node pg1 = c.node("pg1");
        int events = pg1.pg.events().size();
        c.round();
        // the step-down ends stopped; the next decision starts it read-only, following nobody (§3.7 offline)
        assertThat(pg1.lastSummary()).isEqualTo("starting after demotion");
        assertThat(pg1.lastRecord().input().memory().startAfterDemote()).isEqualTo(DemoteMode.OFFLINE);
        assertThat(since(pg1.pg.events(), events)).containsExactly("start replica",
                "callback on_role_change replica");
        c.rounds(3, Duration.ofSeconds(10));
        assertThat(pg1.lastSummary()).isEqualTo("DCS is not accessible");
        assertThat(c.primaries()).as("nobody promotes without etcd").isEmpty();
        c.store.setReachable(true);
        c.rounds(4, Duration.ofSeconds(10));
        assertThat(c.primaries()).hasSize(1);
    }

    @Test
    void pauseLeavesPostgresAloneAndReleasesTheLockOfAStoppedPrimary() {
        LoopCluster c = cluster("");
        c.bootstrap();
        pause(c);
        assertThat(c.node("pg1").lastSummary()).isEqualTo("PAUSE: no action. I am (pg1), the leader with the lock");

        LoopCluster.Node pg1 = c.node("pg1");
        pg1.pg.crash();
        c.rounds(3, Duration.ofSeconds(10));
        assertThat(pg1.summaries).contains("PAUSE: removed leader lock because postgres is not running");
        assertThat(pg1.lastSummary()).isEqualTo("PAUSE: postgres is not running");
        assertThat(pg1.pg.events()).endsWith("crash");
        assertThat(c.leader()).isNull();
        assertThat(c.primaries()).as("no failover while paused").isEmpty();
        assertThat(c.node("pg2").lastSummary()).isEqualTo("PAUSE: no action. I am (pg2)");
        assertThat(c.node("pg2").pg.inRecovery()).isTrue();
    }

    /**
     * A running postgres whose queries fail: the cycle neither decides nor acts nor writes the member key (Patroni's
     * 'Error communicating with PostgreSQL'), and looks again within a second; once it answers, all is as before.
     */
    @Test
    void aPostgresThatDoesNotAnswerIsLeftAloneUntilItDoes() {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg2 = c.node("pg2");
        CycleRecord before = pg2.loop.lastCycle();
        int events = pg2.pg.events().size();
        pg2.pg.stopAnswering();
        assertThat(pg2.loop.cycle()).isEqualTo(1000L);
        assertThat(pg2.loop.lastDecision().summary()).isEqualTo("Error communicating with PostgreSQL. Will try again later");
        assertThat(pg2.loop.lastCycle()).as("the decider was not asked").isSameAs(before);
        assertThat(since(pg2.pg.events(), events)).isEmpty();
        pg2.pg.finishStartup();
        c.round();
        assertThat(pg2.lastSummary()).isEqualTo("no action. I am (pg2), a secondary, and following a leader (pg1)");
    }

    /**
     * Safety rule 2 with neither etcd nor postgres answering: the node that last ran as the primary is taken for one
     * (its postmaster may still take writes) and steps down before its lease can end.
     */
    @Test
    void aPrimaryWhosePostgresDoesNotAnswerStillStepsDownWhenEtcdIsGone() {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        pg1.pg.stopAnswering();
        c.store.setReachable(false);
        pg1.cycle();
        assertThat(pg1.lastSummary()).isEqualTo("demoting self because DCS is not accessible and I was a leader");
        assertThat(pg1.lastRecord().input().local().primary()).as("assumed still the primary it was").isTrue();
        assertThat(pg1.decided(Action.Demote.class)).isTrue();
        pg1.runLongActions();
        assertThat(c.primaries()).isEmpty();
    }

    /** SIGTERM (§3.10): the primary stops postgres and releases the key with its last position; a replica takes over. */
    @Test
    void sigtermStopsThePrimaryAndReleasesTheLock() {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        pg1.loop.stop();
        pg1.loop.shutdown();
        pg1.agentDown = true;
        assertThat(pg1.pg.running()).isFalse();
        assertThat(pg1.pg.events()).endsWith("stop fast", "callback on_stop primary");
        assertThat(c.leader()).as("released at once, not at the end of the lease").isNull();
        c.rounds(3, Duration.ofSeconds(1));
        assertThat(c.leader()).isIn("pg2", "pg3");
        assertThat(c.primaries()).containsExactly(c.leader());
    }

    /** SIGTERM when postgres cannot be stopped: a primary that may still take writes keeps the key (§3.10). */
    @Test
    void sigtermKeepsTheLockWhenPostgresCannotBeStopped() {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        pg1.pg.failNext("stop");
        pg1.loop.stop();
        pg1.loop.shutdown();
        pg1.agentDown = true;
        assertThat(pg1.pg.events()).endsWith("stop failed");
        assertThat(pg1.pg.running()).isTrue();
        assertThat(c.leader()).as("kept: the lease ends it, not a delete beside a live primary").isEqualTo("pg1");
    }

    /** POST /failsafe (§3.8) is refused by a node running as a primary, accepted by a replica. */
    @Test
    void failsafeCallsAreRefusedByARunningPrimary() {
        LoopCluster c = cluster("    failsafe_mode: true\n");
        c.bootstrap();
        var hb = new io.haagent.api.FailsafeHeartbeat("pg2", "postgres://127.0.0.12:5432/postgres",
                "http://127.0.0.12:8008/patroni", java.util.Map.of());
        assertThat(c.node("pg1").rest.acceptFailsafe(hb)).isEqualTo(ActionOutcome.refused("Running as a leader"));
        assertThat(c.node("pg3").rest.acceptFailsafe(hb)).isEqualTo(ActionOutcome.ok("Accepted"));
    }

    /** SIGTERM in pause (§3.9, §3.10): postgres and the leader key are left alone. */
    @Test
    void sigtermInPauseLeavesPostgresAndTheLock() {
        LoopCluster c = cluster("");
        c.bootstrap();
        pause(c);
        LoopCluster.Node pg1 = c.node("pg1");
        int events = pg1.pg.events().size();
        pg1.loop.stop();
        pg1.loop.shutdown();
        assertThat(pg1.pg.running()).isTrue();
        assertThat(since(pg1.pg.events(), events)).isEmpty();
        assertThat(c.leader()).isEqualTo("pg1");
    }

    /** A REST call on its own thread, as the REST server makes it; the script drives the loop that answers it. */
    private static AtomicReference<ActionOutcome> call(LoopCluster.Node n, java.util.function.Supplier<ActionOutcome> rest,
            List<Thread> threads) {
        AtomicReference<ActionOutcome> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> outcome.set(rest.get()));
        t.start();
        threads.add(t);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> n.loop.requests().pending() || !t.isAlive());
        return outcome;
    }

    private static ActionOutcome answer(AtomicReference<ActionOutcome> outcome, List<Thread> threads) throws Exception {
        for (Thread t : threads) {
            t.join(10_000);
        }
        threads.clear();
        return outcome.get();
    }

    @Test
    void switchoverInPauseStartsTheOldPrimaryAsAReplica() {
        LoopCluster c = cluster("");
        c.bootstrap();
        c.node("pg1").pg.write(4096);
        c.stream();
        pause(c);
        LoopCluster.Node pg1 = c.node("pg1");
        int mark1 = pg1.summaries.size();
        int events1 = pg1.pg.events().size();

        // Patroni's behave patroni_api.feature "switchover in pause": the candidate takes over and the old primary
        // runs again as its replica (a paused cluster otherwise leaves a stopped postgres alone)
        assertThat(pg1.dcs.setFailover(FailoverRequest.of("pg1", "pg2", null), Dcs.ANY_REVISION)).isTrue();
        c.rounds(3, Duration.ofSeconds(1));

        assertThat(c.leader()).isEqualTo("pg2");
        assertThat(c.primaries()).containsExactly("pg2");
        assertThat(since(pg1.summaries, mark1)).containsSubsequence("PAUSE: switchover: demoting myself",
                "PAUSE: starting as a secondary");
        assertThat(since(pg1.pg.events(), events1)).containsSubsequence("stop fast", "start replica of pg2",
                "callback on_role_change replica");
        assertThat(pg1.pg.running()).isTrue();
        assertThat(pg1.pg.inRecovery()).isTrue();
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(pg1.lastSummary())
                .isEqualTo("PAUSE: no action. I am (pg1), a secondary, and following a leader (pg2)");

        // a replica stopped later, in the same pause, is left alone again: the start above was the step-down's only
        pg1.pg.crash();
        c.rounds(2, Duration.ofSeconds(10));
        assertThat(pg1.lastSummary()).isEqualTo("PAUSE: postgres is not running");
        assertThat(pg1.pg.running()).isFalse();
    }

    @Test
    void restartThroughTheRestApi() throws Exception {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg2 = c.node("pg2");
        int events = pg2.pg.events().size();
        List<Thread> threads = new java.util.ArrayList<>();
        // the REST handler waits for the answer; the next cycle decides the restart, which runs when the script runs
        // pg2's long actions, and the cycle after it reads the restart's outcome and answers
        AtomicReference<ActionOutcome> first = call(pg2, () -> pg2.rest.restart(RestartRequest.IMMEDIATE), threads);
        pg2.cycle();
        assertThat(pg2.lastSummary()).isEqualTo("restarting as requested");
        assertThat(pg2.lastRecord().input().request()).isNotNull();
        assertThat(pg2.decided(Action.Restart.class)).isTrue();
        assertThat(pg2.loop.runner().current().name()).isEqualTo("restart");
        assertThat(first.get()).as("answered once the restart is done").isNull();

        List<Thread> second = new java.util.ArrayList<>();
        AtomicReference<ActionOutcome> again = call(pg2, () -> pg2.rest.restart(RestartRequest.IMMEDIATE), second);
        pg2.cycle();
        assertThat(answer(again, second)).isEqualTo(ActionOutcome.refused("restart already in progress"));

        pg2.runLongActions();
        pg2.cycle();
        assertThat(answer(first, threads)).isEqualTo(ActionOutcome.ok("restarted successfully"));
        assertThat(pg2.lastRecord().input().memory().requestInFlight().restarted().result())
                .isEqualTo(io.haagent.ha.Outcome.Restarted.Result.RESTARTED);
        assertThat(pg2.lastRecord().decision().actions()).contains(new Action.AnswerRequest(1, true, "restarted successfully"));
        assertThat(since(pg2.pg.events(), events)).containsExactly("stop fast", "start replica of pg1",
                "callback on_restart replica");

        // conditions the decider checks: a replica is not the primary
        AtomicReference<ActionOutcome> primaryOnly = call(pg2,
                () -> pg2.rest.restart(new RestartRequest(null, "primary", null, false, null)), threads);
        pg2.cycle();
        assertThat(answer(primaryOnly, threads)).isEqualTo(ActionOutcome.refused("restart conditions are not satisfied"));
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(pg2.lastSummary()).isEqualTo("no action. I am (pg2), a secondary, and following a leader (pg1)");
        assertThat(c.primaries()).containsExactly("pg1");
    }

    @Test
    void restartOfThePrimaryInPause() throws Exception {
        LoopCluster c = cluster("");
        c.bootstrap();
        pause(c);
        LoopCluster.Node pg1 = c.node("pg1");
        int events = pg1.pg.events().size();
        List<Thread> threads = new java.util.ArrayList<>();
        AtomicReference<ActionOutcome> outcome = call(pg1, () -> pg1.rest.restart(RestartRequest.IMMEDIATE), threads);
        pg1.cycle();
        assertThat(pg1.lastSummary()).isEqualTo("PAUSE: restarting as requested");
        pg1.runLongActions();
        pg1.cycle();
        assertThat(answer(outcome, threads)).isEqualTo(ActionOutcome.ok("restarted successfully"));
        assertThat(since(pg1.pg.events(), events)).containsExactly("stop fast", "start primary",
                "callback on_restart primary");
        assertThat(pg1.lastSummary()).isEqualTo("PAUSE: no action. I am (pg1), the leader with the lock");
        assertThat(c.leader()).isEqualTo("pg1");
    }

    @Test
    void reinitializeThroughTheRestApi() throws Exception {
        LoopCluster c = cluster("");
        c.bootstrap();
        LoopCluster.Node pg1 = c.node("pg1");
        LoopCluster.Node pg2 = c.node("pg2");
        List<Thread> threads = new java.util.ArrayList<>();
        AtomicReference<ActionOutcome> onLeader = call(pg1, () -> pg1.rest.reinitialize(true, false), threads);
        pg1.cycle();
        assertThat(answer(onLeader, threads)).isEqualTo(ActionOutcome.refused("I am the leader, can not reinitialize"));
        assertThat(pg1.lastSummary()).isEqualTo("no action. I am (pg1), the leader with the lock");

        int events = pg2.pg.events().size();
        AtomicReference<ActionOutcome> started = call(pg2, () -> pg2.rest.reinitialize(false, false), threads);
        pg2.cycle();
        assertThat(answer(started, threads)).isEqualTo(ActionOutcome.ok("reinitialize started"));
        assertThat(pg2.lastSummary()).isEqualTo("reinitializing from leader 'pg1' as requested");
        assertThat(pg2.loop.runner().current().name()).isEqualTo("reinitialize");

        // while it runs: refused, unless forced; forced, the running one is cancelled and it starts again after it
        AtomicReference<ActionOutcome> busy = call(pg2, () -> pg2.rest.reinitialize(false, false), threads);
        pg2.cycle();
        assertThat(answer(busy, threads)).isEqualTo(ActionOutcome.refused("reinitialize already in progress"));
        AtomicReference<ActionOutcome> forced = call(pg2, () -> pg2.rest.reinitialize(true, false), threads);
        pg2.cycle();
        assertThat(pg2.decided(Action.CancelLongAction.class)).isTrue();
        assertThat(forced.get()).as("answered once the cancelled action ended").isNull();
        pg2.runLongActions();
        pg2.cycle();
        assertThat(answer(forced, threads)).isEqualTo(ActionOutcome.ok("reinitialize started"));
        assertThat(pg2.decided(Action.Reinitialize.class)).isTrue();
        pg2.runLongActions();
        assertThat(since(pg2.pg.events(), events)).containsSubsequence("stop immediate", "remove data directory",
                "basebackup from pg1", "start replica of pg1", "stop immediate", "remove data directory",
                "basebackup from pg1", "start replica of pg1");
        c.stream();
        c.rounds(2, Duration.ofSeconds(1));
        assertThat(pg2.lastSummary()).isEqualTo("no action. I am (pg2), a secondary, and following a leader (pg1)");
        assertThat(pg2.pg.inRecovery()).isTrue();
        assertThat(c.primaries()).containsExactly("pg1");
    }
}
