package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Tags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Patroni 4.1's {@code sync_priority} tag: the higher, the sooner a standby is picked as synchronous; 0 is nosync. */
class SyncPriorityTest {

    private static HaFixture syncPrimary() {
        return HaFixture.node("pg1").lock(LockStatus.HELD).config("synchronous_mode", true)
                .local(l -> l.primary().standby("pg2", "async", HaFixture.WAL).standby("pg3", "async", HaFixture.WAL))
                .memory(m -> m.withOnStartFired(true));
    }

    @Test
    void theHigherSyncPriorityIsPickedFirst() {
        Decision plain = syncPrimary().decide();
        assertThat(plain.actions()).as("equal priorities: the first streaming standby")
                .contains(new Action.SetSynchronousStandbyNames(List.of("pg2"), false, 1));
        Decision d = syncPrimary().member("pg3", b -> b.tags(Tags.effective(Map.of("sync_priority", 5)))).decide();
        assertThat(d.actions()).contains(new Action.SetSynchronousStandbyNames(List.of("pg3"), false, 1));
    }

    @Test
    void aSyncPriorityOfZeroMeansNosyncUnlessNosyncSaysOtherwise() {
        Decision d = syncPrimary().member("pg2", b -> b.tags(Tags.effective(Map.of("sync_priority", 0)))).decide();
        assertThat(d.actions()).contains(new Action.SetSynchronousStandbyNames(List.of("pg3"), false, 1));
        assertThat(Tags.effective(Map.of("sync_priority", 0)).nosync()).isTrue();
        assertThat(Tags.effective(Map.of("sync_priority", 0, "nosync", false)).nosync()).as("nosync wins").isFalse();
        assertThat(Tags.effective(Map.of("sync_priority", 3, "nosync", true)).syncPriority()).isZero();
        assertThat(Tags.effective(Map.of("nosync", false, "sync_priority", 2)).values())
                .as("kept in the member key beside sync_priority").containsEntry("nosync", false);
        assertThat(Tags.NONE.syncPriority()).isEqualTo(1);
    }
}
