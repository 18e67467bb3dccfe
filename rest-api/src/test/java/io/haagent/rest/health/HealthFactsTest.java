package io.haagent.rest.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.NodeSnapshot;
import io.haagent.api.PostgresStatus;
import io.haagent.api.SnapshotFixtures;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.SyncState;
import io.haagent.config.DynamicConfig;
import io.haagent.time.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one snapshot becomes health facts as time passes on the monotonic clock. */
class HealthFactsTest {
    private final FakeClock clock = new FakeClock();

    @Test
    void primaryLosesSlashPrimaryWhenItsLockBeliefExpires() {
        NodeSnapshot s = SnapshotFixtures.primary(clock.nanoTime());
        assertThat(HealthRules.status("/primary", Map.of(), HealthFacts.of(s, clock.nanoTime()))).isEqualTo(200);
        clock.advance(Duration.ofSeconds(29));
        assertThat(HealthRules.status("/primary", Map.of(), HealthFacts.of(s, clock.nanoTime()))).isEqualTo(200);
        // No new snapshot for a whole ttl: the HA loop did not renew, so we no longer believe we lead.
        clock.advance(Duration.ofSeconds(1));
        HealthFacts late = HealthFacts.of(s, clock.nanoTime());
        assertThat(late.holdsLeaderLock()).isFalse();
        assertThat(late.clusterFresh()).isFalse();
        assertThat(HealthRules.status("/primary", Map.of(), late)).isEqualTo(503);
    }

    @Test
    void primaryAnswers503TheMomentItDecidesToStepDownThoughItStillHoldsTheLock() {
        NodeSnapshot s = SnapshotFixtures.primary(clock.nanoTime()).toBuilder().steppingDown(true, "pg2").build();
        HealthFacts f = HealthFacts.of(s, clock.nanoTime());
        assertThat(f.holdsLeaderLock()).isTrue();
        assertThat(f.writable()).isFalse();
        assertThat(HealthRules.status("/primary", Map.of(), f)).isEqualTo(503);
        assertThat(HealthRules.status("/leader", Map.of(), f)).isEqualTo(200);
    }

    @Test
    void newLeaderAnswers200OnlyOncePostgresTakesWrites() {
        NodeSnapshot promoting = SnapshotFixtures.primary(clock.nanoTime()).toBuilder()
                .postgres(SnapshotFixtures.replica(clock.nanoTime()).postgres()).build();
        assertThat(HealthRules.status("/primary", Map.of(), HealthFacts.of(promoting, clock.nanoTime()))).isEqualTo(503);
        assertThat(HealthRules.status("/leader", Map.of(), HealthFacts.of(promoting, clock.nanoTime()))).isEqualTo(200);
        NodeSnapshot promoted = SnapshotFixtures.primary(clock.nanoTime());
        assertThat(HealthRules.status("/primary", Map.of(), HealthFacts.of(promoted, clock.nanoTime()))).isEqualTo(200);
    }

    @Test
    void primaryWhoseMonitoringQueryFailedStillTakesWrites() {
        // a busy primary whose status query timed out is still the primary: HAProxy must not take it out
        NodeSnapshot s = SnapshotFixtures.primary(clock.nanoTime()).toBuilder()
                .postgres(PostgresStatus.notQueried("running", "master")).build();
        HealthFacts f = HealthFacts.of(s, clock.nanoTime());
        assertThat(f.state()).isEqualTo("unknown");
        assertThat(HealthRules.status("/primary", Map.of(), f)).isEqualTo(200);
    }

    @Test
    void primaryRestartingAfterACrashKeepsSlashPrimary() {
        // writes go nowhere else: a load balancer that took it out would put it back later than postgres comes back
        NodeSnapshot s = SnapshotFixtures.primary(clock.nanoTime()).toBuilder()
                .postgres(PostgresStatus.notQueried("starting", "master")).build();
        assertThat(HealthRules.status("/primary", Map.of(), HealthFacts.of(s, clock.nanoTime()))).isEqualTo(200);
    }

    @Test
    void runningPostgresWhoseQueryFailedIsUnknown() {
        NodeSnapshot s = SnapshotFixtures.replica(clock.nanoTime()).toBuilder()
                .postgres(PostgresStatus.notQueried("running", "replica")).build();
        HealthFacts f = HealthFacts.of(s, clock.nanoTime());
        assertThat(f.state()).isEqualTo("unknown");
        assertThat(HealthRules.status("/health", Map.of(), f)).isEqualTo(503);
        assertThat(HealthRules.status("/replica", Map.of(), f)).isEqualTo(503);
    }

    @Test
    void syncStandbyNeedsSynchronousModeAndAFreshView() {
        ClusterView base = SnapshotFixtures.threeMembers(Map.of("synchronous_mode", true));
        ClusterView c = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(),
                base.members(), null, new SyncState("pg1", List.of("pg2"), 5), base.history(), null, 30);
        NodeSnapshot s = SnapshotFixtures.replica(clock.nanoTime()).toBuilder()
                .cluster(c, clock.nanoTime()).dynamic(c.dynamic()).build();
        assertThat(HealthFacts.of(s, clock.nanoTime()).syncStandby()).isTrue();
        assertThat(HealthRules.status("/sync", Map.of(), HealthFacts.of(s, clock.nanoTime()))).isEqualTo(200);
        NodeSnapshot asyncMode = s.toBuilder().dynamic(DynamicConfig.from(Map.of())).build();
        assertThat(HealthFacts.of(asyncMode, clock.nanoTime()).syncStandby()).isFalse();
        clock.advance(Duration.ofSeconds(31));
        assertThat(HealthFacts.of(s, clock.nanoTime()).syncStandby()).isFalse();
    }

    @Test
    void lagIsMeasuredAgainstTheLeadersOptimeFromAFreshView() {
        NodeSnapshot s = SnapshotFixtures.replica(clock.nanoTime());
        HealthFacts f = HealthFacts.of(s, clock.nanoTime());
        assertThat(f.leaderOptime()).isEqualTo(SnapshotFixtures.LEADER_LSN);
        assertThat(f.replayedLocation()).isEqualTo(SnapshotFixtures.LEADER_LSN - 100);
        assertThat(HealthRules.status("/replica", Map.of("lag", List.of("99")), f)).isEqualTo(503);
        assertThat(HealthRules.status("/replica", Map.of("lag", List.of("100")), f)).isEqualTo(200);
    }
}
