package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Lsn;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.SlotAction;
import io.haagent.slots.SlotPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decider chooses the replication slots (§4.8): from the slots the loop read ({@link LocalState#slots()}) it
 * plans which to create, drop and advance, and {@link Action.SyncSlots} carries that plan to the executor, which
 * only applies it. The table's rows read no slots (an empty plan); these read some.
 */
class SlotChoiceTest {

    private static SlotPlan slotsOf(Decision d) {
        return d.actions().stream().filter(Action.SyncSlots.class::isInstance).map(a -> ((Action.SyncSlots) a).plan())
                .findFirst().orElseThrow(() -> new AssertionError("no SyncSlots in " + d.actions()));
    }

    private static List<SlotAction> changes(Decision d) {
        return slotsOf(d).changes();
    }

    @Test
    void theLeaderCreatesASlotForEachReplicaAndDropsOneNobodyUses() {
        Decision d = new HaDecider().decide(HaFixture.node("pg1").lock(LockStatus.HELD)
                .local(l -> l.primary().slots(ReplicationSlot.physical("gone", false, new Lsn(1))))
                .input()).decision();
        assertThat(changes(d)).extracting(SlotAction::getClass, SlotAction::slotName).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(SlotAction.Drop.class, "gone"),
                org.assertj.core.groups.Tuple.tuple(SlotAction.CreatePhysical.class, "pg2"),
                org.assertj.core.groups.Tuple.tuple(SlotAction.CreatePhysical.class, "pg3"));
    }

    @Test
    void nothingIsPlannedWithoutASlotReadingOrWithUseSlotsOff() {
        Decision unread = new HaDecider().decide(HaFixture.node("pg1").lock(LockStatus.HELD)
                .local(l -> l.primary()).input()).decision();
        assertThat(slotsOf(unread)).isEqualTo(SlotPlan.EMPTY);
        Decision off = new HaDecider().decide(HaFixture.node("pg1").lock(LockStatus.HELD)
                .config("postgresql", Map.of("use_slots", false))
                .localDynamic(Map.of("postgresql", Map.of("use_slots", false)))
                .local(l -> l.primary().slots(ReplicationSlot.physical("gone", false, new Lsn(1)))).input()).decision();
        assertThat(slotsOf(off)).isEqualTo(SlotPlan.EMPTY);
    }

    @Test
    void aPausedClusterDropsNothing() {
        Decision paused = new HaDecider().decide(HaFixture.node("pg1").lock(LockStatus.HELD).config("pause", true)
                .local(l -> l.primary().slots(ReplicationSlot.physical("gone", false, new Lsn(1)))).input())
                .decision();
        assertThat(changes(paused)).noneMatch(SlotAction.Drop.class::isInstance);
    }

    @Test
    void withEtcdGoneAReplicaAdvancesItsPermanentSlotToWhatTheFailsafePrimarySent() {
        Map<String, Object> slots = Map.of("cdc", Map.of("type", "physical"));
        Decision d = new HaDecider().decide(HaFixture.node("pg2").dcsDown().config("failsafe_mode", true)
                .config("slots", slots).localDynamic(Map.of("failsafe_mode", true, "slots", slots))
                .failsafeContact("pg1", HaFixture.NOW_NANOS, Map.of("cdc", HaFixture.WAL))
                .local(l -> l.slots(ReplicationSlot.physical("cdc", false, new Lsn(HaFixture.WAL - 100))))
                .input()).decision();
        assertThat(d.summary()).isEqualTo("DCS is not accessible");
        assertThat(changes(d)).filteredOn(SlotAction.Advance.class::isInstance).singleElement()
                .isEqualTo(new SlotAction.Advance("cdc", new Lsn(HaFixture.WAL),
                        "the primary's copy of this permanent slot is at " + new Lsn(HaFixture.WAL)));
        assertThat(d.memory().logicalSlotsToCopy()).as("nothing is copied from a failsafe primary").isEmpty();
    }

    @Test
    void aReplicaLackingAPermanentLogicalSlotTheLeaderPublishesCopiesItNextCycle() {
        Map<String, Object> slots = Map.of("cdc", Map.of("type", "logical", "database", "app", "plugin", "pgoutput"));
        HaFixture f = HaFixture.node("pg2").config("slots", slots).localDynamic(Map.of("slots", slots))
                .statusSlots(Map.of("cdc", HaFixture.WAL)).memory(m -> m.withOnStartFired(true))
                .local(l -> l.slots());
        Decision.Outcome first = new HaDecider().decide(f.input());
        assertThat(slotsOf(first.decision()).copies()).extracting(SlotAction::slotName).containsExactly("cdc");
        assertThat(first.decision().memory().logicalSlotsToCopy()).extracting(SlotAction::slotName)
                .containsExactly("cdc");
        assertThat(first.decision().nextCycleInMillis()).as("copied at once").isEqualTo(0L);
        Decision next = new HaDecider().decide(f.memory(m -> first.decision().memory()).input()).decision();
        assertThat(next.actions()).anyMatch(Action.CopyLogicalSlots.class::isInstance)
                .noneMatch(Action.SyncSlots.class::isInstance);
    }
}
