package io.haagent.slots;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Lsn;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.cluster.Tags;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotPlannerTest {

    private static Member member(String name, Map<String, Object> tags) {
        return Member.builder(name).connUrl("postgres://10.0.0.1:5432/postgres").state("running").role("replica")
                .tags(new Tags(tags)).build();
    }

    private static ClusterView cluster(String leader, Map<String, Object> config, ClusterStatus status,
            Member... members) {
        return new ClusterView("7000000000000000001", ClusterConfig.of(config, 1),
                leader == null ? null : new Leader(leader, 1, 1), status, List.of(members), null, null, null, null, 1);
    }

    private static Map<String, Class<?>> byName(SlotPlan plan) {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        plan.steps().forEach(s -> m.merge(s.slotName(), s.getClass(), (a, b) -> a == SlotAction.Drop.class ? b : a));
        return m;
    }

    @Test
    void primaryWantsAPhysicalSlotForEveryMemberThatStreamsFromIt() {
        ClusterView c = cluster("pg1", Map.of("member_slots_ttl", 0), ClusterStatus.EMPTY, member("pg1", Map.of()),
                member("pg-2", Map.of()), member("pg3", Map.of("replicatefrom", "pg-2")),
                member("pg4", Map.of("nostream", true)), member("pg5", Map.of("replicatefrom", "gone")));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, c, List.of(), null));
        assertThat(plan.changes()).containsExactly(
                new SlotAction.CreatePhysical("pg_2", "member pg-2 streams from this node"),
                new SlotAction.CreatePhysical("pg5", "member pg5 streams from this node"));
    }

    /** Issue 18 defect 7: a member key holding non-JSON (decoded as a member with no data) got a slot. */
    @Test
    void aMemberKeyThatIsNotMemberDataGetsNoSlot() {
        ClusterView c = cluster("pg1", Map.of(), ClusterStatus.EMPTY, member("pg1", Map.of()),
                member("pg2", Map.of()), Member.builder("junk").modRevision(9).lease(3).build());
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, c, List.of(), null));
        assertThat(plan.changes()).containsExactly(new SlotAction.CreatePhysical("pg2", "member pg2 streams from this node"));
    }

    @Test
    void replicaWantsSlotsOnlyForItsCascadingMembersWithMemberSlotsTtl0() {
        ClusterView c = cluster("pg1", Map.of("member_slots_ttl", 0), ClusterStatus.EMPTY, member("pg1", Map.of()),
                member("pg2", Map.of()), member("pg3", Map.of("replicatefrom", "pg2")),
                member("pg1x", Map.of()));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false, c, List.of(), null));
        assertThat(plan.changes()).containsExactly(
                new SlotAction.CreatePhysical("pg3", "member pg3 streams from this node"));
    }

    /**
     * Patroni 4.1 (member_slots_ttl above 0, its default 1800): every node keeps a slot for every other member that
     * streams (the leader's included on a replica), advanced to what the leader publishes or the member reports; a
     * nofailover node only for members that stream from it; and the slots the leader lists in status.retain_slots
     * (members whose key is gone) are kept, not dropped.
     */
    @Test
    void withMemberSlotsTtlEveryNodeKeepsEveryMembersSlotAndTheRetainedOnes() {
        ClusterStatus status = ClusterStatus.of(0x5000000, Map.of("pg1", 0x5000000L, "pg3", 0x4000000L),
                List.of("gone", "pg2"));
        ClusterView c = cluster("pg1", Map.of(), status, member("pg1", Map.of()), member("pg2", Map.of()),
                member("pg3", Map.of()), member("pg4", Map.of("nostream", true)));
        List<ReplicationSlot> existing = List.of(ReplicationSlot.physical("pg3", false, Lsn.parse("0/3000000")),
                ReplicationSlot.physical("gone", false, Lsn.parse("0/2000000")));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false, c, existing,
                Lsn.parse("0/4800000")));
        assertThat(plan.changes()).containsExactly(
                new SlotAction.CreatePhysical("pg1", "member pg1 would stream from this node after a failover"
                        + " (member_slots_ttl)"),
                new SlotAction.Advance("pg3", Lsn.parse("0/4000000"),
                        "the member slot (kept for member_slots_ttl) is at 0/4000000"));
        assertThat(plan.steps()).contains(new SlotAction.Keep("gone", "slot of a member that left, kept for"
                + " member_slots_ttl (status.retain_slots)"));

        SlotPlan nofailover = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, true, c, existing, null));
        assertThat(byName(nofailover)).containsOnly(Map.entry("pg3", SlotAction.Drop.class),
                Map.entry("gone", SlotAction.Drop.class));

        // the leader keeps the slot of a member that left while it is retained, and drops it once it is not
        ClusterView leaderView = cluster("pg1", Map.of(), status, member("pg1", Map.of()));
        assertThat(SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, leaderView, existing, null))
                .changes()).containsExactly(new SlotAction.Drop("pg3",
                        "no member streams from this node through it and it is not a permanent slot"),
                new SlotAction.CreatePhysical("pg2", "slot of a member that left, kept for member_slots_ttl"
                        + " (status.retain_slots)"));
    }

    @Test
    void keepsActiveDropsStaleAndLeavesIgnoredAndTemporarySlotsAlone() {
        Map<String, Object> cfg = Map.of("ignore_slots", List.of(Map.of("name", "backup_tool"),
                Map.of("type", "logical", "plugin", "wal2json")));
        ClusterView c = cluster("pg1", cfg, ClusterStatus.EMPTY, member("pg1", Map.of()), member("pg2", Map.of()));
        List<ReplicationSlot> existing = List.of(
                ReplicationSlot.physical("pg2", true, Lsn.parse("0/3000000")),
                ReplicationSlot.physical("stale", false, Lsn.parse("0/2000000")),
                ReplicationSlot.physical("backup_tool", false, null),
                ReplicationSlot.logical("cdc", "app", "wal2json", false, Lsn.parse("0/3000000")),
                new ReplicationSlot("tmp", "physical", null, null, true, true, null, null));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, c, existing, null));
        assertThat(plan.changes()).containsExactly(new SlotAction.Drop("stale",
                "no member streams from this node through it and it is not a permanent slot"));
        assertThat(plan.steps()).contains(new SlotAction.Keep("pg2", "member pg2 streams from this node (active)"),
                new SlotAction.Keep("backup_tool", "matched by ignore_slots"),
                new SlotAction.Keep("cdc", "matched by ignore_slots"));
        assertThat(byName(plan)).doesNotContainKey("tmp");
    }

    @Test
    void nothingIsDroppedWhilePaused() {
        ClusterView c = cluster("pg1", Map.of("pause", true), ClusterStatus.EMPTY, member("pg1", Map.of()));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, c,
                List.of(ReplicationSlot.physical("stale", false, null)), null));
        assertThat(plan.hasChanges()).isFalse();
    }

    @Test
    void permanentSlotsOnThePrimaryButNotTheOneNamedAfterThisNode() {
        Map<String, Object> slots = new HashMap<>();
        slots.put("test_physical", null);
        slots.put("pg1", Map.of("type", "physical"));
        slots.put("cdc", Map.of("type", "logical", "database", "app", "plugin", "pgoutput"));
        ClusterView c = cluster("pg1", Map.of("slots", slots), ClusterStatus.EMPTY, member("pg1", Map.of()));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, c, List.of(), null));
        assertThat(plan.changes()).containsExactlyInAnyOrder(
                new SlotAction.CreatePhysical("test_physical", "permanent physical slot"),
                new SlotAction.CreateLogical("cdc", "app", "pgoutput", "permanent logical slot"));
    }

    @Test
    void replicaKeepsAndAdvancesPermanentSlotsCappedAtItsReplayPosition() {
        Map<String, Object> slots = new HashMap<>();
        slots.put("perm_a", null);
        slots.put("perm_b", null);
        slots.put("cdc", Map.of("type", "logical", "database", "app", "plugin", "pgoutput"));
        ClusterStatus status = ClusterStatus.of(0x5000000, Map.of("perm_a", 0x4000000L, "perm_b", 0x9000000L));
        ClusterView c = cluster("pg1", Map.of("slots", slots, "member_slots_ttl", 0), status, member("pg1", Map.of()), member("pg2", Map.of()));
        List<ReplicationSlot> existing = List.of(ReplicationSlot.physical("perm_a", false, Lsn.parse("0/3000000")),
                ReplicationSlot.physical("perm_b", false, Lsn.parse("0/3000000")));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false, c, existing,
                Lsn.parse("0/5000000")));
        assertThat(plan.changes()).containsExactly(
                new SlotAction.Advance("perm_a", Lsn.parse("0/4000000"),
                        "the primary's copy of this permanent slot is at 0/4000000"),
                new SlotAction.Advance("perm_b", Lsn.parse("0/5000000"),
                        "the primary's copy of this permanent slot is at 0/9000000"));
        assertThat(plan.steps()).anySatisfy(s -> assertThat(s).isInstanceOf(SlotAction.Keep.class)
                .extracting(SlotAction::slotName).isEqualTo("cdc"));
    }

    @Test
    void aReplicaCopiesAPermanentLogicalSlotOnlyOnceThePrimaryPublishesItsPosition() {
        Map<String, Object> slots = new HashMap<>();
        slots.put("cdc", Map.of("type", "logical", "database", "app", "plugin", "pgoutput"));
        slots.put("audit", Map.of("type", "logical", "database", "app", "plugin", "test_decoding"));
        ClusterStatus status = ClusterStatus.of(0x5000000, Map.of("cdc", 0x4000000L, "audit", 0x4800000L));
        ClusterView c = cluster("pg1", Map.of("slots", slots, "member_slots_ttl", 0), status, member("pg1", Map.of()), member("pg2", Map.of()));
        List<ReplicationSlot> existing = List.of(
                ReplicationSlot.logical("audit", "app", "test_decoding", false, Lsn.parse("0/4000000")));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false, c, existing,
                Lsn.parse("0/5000000")));
        assertThat(plan.copies()).containsExactly(new SlotAction.CopyLogical("cdc", "app", "pgoutput",
                "permanent logical slot missing on this replica: copied from the primary, so that its consumer can"
                        + " go on from here after a failover"));
        // the copy is not the slot applier's: changes() are what it applies
        assertThat(plan.changes()).containsExactly(new SlotAction.Advance("audit", Lsn.parse("0/4800000"),
                "the primary's copy of this permanent slot is at 0/4800000"));

        ClusterView unpublished = cluster("pg1", Map.of("slots", slots), ClusterStatus.EMPTY, member("pg1", Map.of()));
        assertThat(SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false, unpublished, List.of(), null))
                .copies()).isEmpty();
        assertThat(SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.STANDBY_LEADER, false, c, List.of(), null))
                .copies()).as("no logical slots in a standby cluster").isEmpty();
        assertThat(SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, true, c, List.of(), null)).copies())
                .as("nor on a nofailover node").isEmpty();
    }

    @Test
    void nofailoverReplicaKeepsNoPermanentSlots() {
        Map<String, Object> slots = new HashMap<>();
        slots.put("perm_a", null);
        ClusterView c = cluster("pg1", Map.of("slots", slots), ClusterStatus.EMPTY, member("pg1", Map.of()));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, true, c,
                List.of(ReplicationSlot.physical("perm_a", false, null)), null));
        assertThat(plan.changes()).containsExactly(new SlotAction.Drop("perm_a",
                "no member streams from this node through it and it is not a permanent slot"));
    }

    @Test
    void aSlotOfTheWrongTypeIsDroppedAndRecreated() {
        ClusterView c = cluster("pg1", Map.of(), ClusterStatus.EMPTY, member("pg1", Map.of()), member("pg2", Map.of()));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, c,
                List.of(ReplicationSlot.logical("pg2", "app", "pgoutput", false, null)), null));
        assertThat(plan.changes()).containsExactly(
                new SlotAction.Drop("pg2", "it is logical (app, pgoutput) but must be physical"),
                new SlotAction.CreatePhysical("pg2", "member pg2 streams from this node"));
    }

    @Test
    void useSlotsOffWantsNone() {
        ClusterView c = cluster("pg1", Map.of("postgresql", Map.of("use_slots", false)), ClusterStatus.EMPTY,
                member("pg1", Map.of()), member("pg2", Map.of()));
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false, c,
                List.of(ReplicationSlot.physical("pg2", false, null)), null));
        assertThat(plan.changes()).containsExactly(new SlotAction.Drop("pg2", "use_slots is off"));
    }
}
