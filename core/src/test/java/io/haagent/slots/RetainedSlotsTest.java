package io.haagent.slots;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** status.retain_slots as Patroni 4.1.4's AbstractDCS._build_retain_slots and acquire_leader_lock build it. */
class RetainedSlotsTest {
    private static Member member(String name, Map<String, Object> tags) {
        return Member.builder(name).connUrl("postgres://10.0.0.1:5432/postgres").state("running").role("replica")
                .tags(new Tags(tags)).build();
    }

    private static ClusterView view(Map<String, Object> config, Member... members) {
        return new ClusterView("7000000000000000001", ClusterConfig.of(config, 1), new Leader("pg1", 1, 1),
                ClusterStatus.EMPTY, List.of(members), null, null, null, null, 1);
    }

    @Test
    void memberSlotsAreListedWhileSeenAndExpireMemberSlotsTtlAfterTheMemberLeft() {
        RetainedSlots r = new RetainedSlots();
        List<String> expired = new ArrayList<>();
        Map<String, Object> cfg = Map.of("slots", Map.of("perm", Map.of("type", "physical")));
        ClusterView all = view(cfg, member("pg1", Map.of()), member("pg2", Map.of()),
                member("pg3", Map.of("nostream", true)));
        // the leader publishes its own slot, its member slots and a permanent one
        assertThat(r.update(all, "pg1", List.of("pg1", "pg2", "pg3", "perm"), 1800, 0, (s, t) -> expired.add(s)))
                .containsExactly("pg1", "pg2");
        ClusterView pg2Gone = view(cfg, member("pg1", Map.of()));
        assertThat(r.update(pg2Gone, "pg1", List.of("pg1", "pg2", "perm"), 1800, 1_799_999, (s, t) -> expired.add(s)))
                .containsExactly("pg1", "pg2");
        assertThat(expired).isEmpty();
        assertThat(r.update(pg2Gone, "pg1", List.of("pg1", "pg2", "perm"), 1800, 1_800_000, (s, t) -> expired.add(s)))
                .containsExactly("pg1");
        assertThat(expired).containsExactly("pg2");
    }

    @Test
    void ttl0PublishesOnlyPermanentSlotsSoNothingIsRetained() {
        RetainedSlots r = new RetainedSlots();
        ClusterView v = view(Map.of(), member("pg1", Map.of()), member("pg2", Map.of()));
        assertThat(r.update(v, "pg1", List.of("pg1", "pg2"), 1800, 0, (s, t) -> { })).containsExactly("pg1", "pg2");
        assertThat(r.update(v, "pg1", List.of(), 0, 1, (s, t) -> { })).isEmpty();
    }

    @Test
    void aNewLeaderKeepsWhatTheOldOneRetainedForAFullTtlFromItsPromotion() {
        RetainedSlots r = new RetainedSlots();
        ClusterView v = view(Map.of(), member("pg2", Map.of()));
        r.leadershipTaken(List.of("pg1", "pg3"), 10_000);
        assertThat(r.update(v, "pg2", List.of("pg2"), 60, 69_999, (s, t) -> { })).containsExactly("pg1", "pg2", "pg3");
        assertThat(r.update(v, "pg2", List.of("pg2"), 60, 70_000, (s, t) -> { })).containsExactly("pg2");
    }
}
