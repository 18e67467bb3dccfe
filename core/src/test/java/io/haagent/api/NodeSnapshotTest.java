package io.haagent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.time.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeSnapshotTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void leaderLockBeliefEndsAtItsMonotonicDeadline() {
        NodeSnapshot s = NodeSnapshot.builder("c", "n").leaderLockUntil(clock.nanoTime() + 5_000_000_000L).build();
        assertThat(s.holdsLeaderLock(clock.nanoTime())).isTrue();
        clock.advance(Duration.ofMillis(4999));
        assertThat(s.holdsLeaderLock(clock.nanoTime())).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(s.holdsLeaderLock(clock.nanoTime())).isFalse();
        assertThat(s.toBuilder().noLeaderLock().build().holdsLeaderLock(0)).isFalse();
    }

    @Test
    void lockBeliefSurvivesNanoTimeWrapping() {
        long now = Long.MAX_VALUE - 1_000;
        NodeSnapshot s = NodeSnapshot.builder("c", "n").leaderLockUntil(now + 1_000_000).build();
        assertThat(s.holdsLeaderLock(now)).isTrue();
        assertThat(s.holdsLeaderLock(now + 2_000_000)).isFalse();
    }

    @Test
    void clusterViewIsStaleAfterTtl() {
        NodeSnapshot s = SnapshotFixtures.replica(clock.nanoTime());
        assertThat(s.freshCluster(clock.nanoTime())).isNotNull();
        clock.advance(Duration.ofSeconds(29));
        assertThat(s.freshCluster(clock.nanoTime())).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(s.freshCluster(clock.nanoTime())).isNull();
        assertThat(NodeSnapshot.builder("c", "n").build().freshCluster(clock.nanoTime())).isNull();
    }

    @Test
    void connectAddressGivesHostAndPort() {
        NodeSnapshot a = NodeSnapshot.builder("c", "n").connectAddress("192.168.1.10:5433").build();
        assertThat(a.connectHost()).isEqualTo("192.168.1.10");
        assertThat(a.connectPort()).isEqualTo(5433);
        NodeSnapshot b = NodeSnapshot.builder("c", "n").connectAddress("[fd00::1]:5432").build();
        assertThat(b.connectHost()).isEqualTo("fd00::1");
        assertThatThrownBy(() -> NodeSnapshot.builder("c", "n").connectAddress("db:x"))
                .hasMessageContaining("postgresql.connect_address");
    }

    @Test
    void toBuilderKeepsEveryField() {
        NodeSnapshot s = SnapshotFixtures.primary(clock.nanoTime());
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }
}
