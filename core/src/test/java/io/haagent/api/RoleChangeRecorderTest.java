package io.haagent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RoleChangeRecorderTest {

    @Test
    void everyKindStartsAtZero() {
        RoleChangeStats s = new RoleChangeRecorder().stats();
        for (RoleChangeKind k : RoleChangeKind.values()) {
            assertThat(s.count(k)).isZero();
            assertThat(s.histogram(k).cumulativeCounts()).hasSize(RoleChangeStats.BUCKETS_SECONDS.size());
        }
    }

    @Test
    void bucketsAreCumulative() {
        RoleChangeRecorder r = new RoleChangeRecorder();
        r.record(RoleChangeKind.FAILOVER, Duration.ofMillis(800));
        r.record(RoleChangeKind.FAILOVER, Duration.ofSeconds(12));
        RoleChangeStats.Histogram h = r.stats().histogram(RoleChangeKind.FAILOVER);
        assertThat(h.count()).isEqualTo(2);
        assertThat(h.sumSeconds()).isEqualTo(12.8);
        int oneSecond = RoleChangeStats.BUCKETS_SECONDS.indexOf(1.0);
        int fifteen = RoleChangeStats.BUCKETS_SECONDS.indexOf(15.0);
        assertThat(h.cumulativeCounts()[oneSecond - 1]).isZero();
        assertThat(h.cumulativeCounts()[oneSecond]).isEqualTo(1);
        assertThat(h.cumulativeCounts()[fifteen]).isEqualTo(2);
        assertThat(r.stats().count(RoleChangeKind.SWITCHOVER)).isZero();
    }

    @Test
    void statsAreImmutableCopies() {
        RoleChangeRecorder r = new RoleChangeRecorder();
        RoleChangeStats before = r.stats();
        r.record(RoleChangeKind.CRASH_RESTART, Duration.ofSeconds(2));
        assertThat(before.count(RoleChangeKind.CRASH_RESTART)).isZero();
        assertThat(r.stats().count(RoleChangeKind.CRASH_RESTART)).isEqualTo(1);
    }
}
