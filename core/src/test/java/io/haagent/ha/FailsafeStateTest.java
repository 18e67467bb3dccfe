package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Whether failsafe mode is active (§3.8, §7.5) is the decider's verdict, carried in its memory: the loop publishes
 * {@code failsafe_mode_is_active} from it and the REST API reports it, on the primary and on the replicas.
 */
class FailsafeStateTest {
    private static final long TTL = TimeUnit.SECONDS.toNanos(30);
    private static final long NOW = HaFixture.NOW_NANOS;

    @Test
    void aPrimaryThatStaysOnFailsafeIsActiveForATtlFromThisCycle() {
        Decision d = HaFixture.node("pg1").dcsDown().config("failsafe_mode", true).failsafeTopologyOk(true)
                .local(l -> l.primary()).decide();
        assertThat(d.memory().failsafe().activeUntilNanos()).isEqualTo(NOW + TTL);
        assertThat(d.memory().failsafe().activeAt(NOW + TTL - 1)).isTrue();
        assertThat(d.memory().failsafe().activeAt(NOW + TTL)).isFalse();
    }

    @Test
    void aPrimaryThatStepsDownForWantOfEtcdIsNotActive() {
        Decision d = HaFixture.node("pg1").dcsDown().config("failsafe_mode", true).failsafeTopologyOk(false)
                .local(l -> l.primary()).memory(m -> m.withFailsafe(new FailsafeState(NOW + 5, 0))).decide();
        assertThat(d.summary()).isEqualTo("demoting self because DCS is not accessible and I was a leader");
        assertThat(d.memory().failsafe().activeAt(NOW)).isFalse();
    }

    @Test
    void aReplicaIsActiveForATtlAfterThePrimaryCalledItAndWakesWhenThatEnds() {
        long at = NOW - TimeUnit.SECONDS.toNanos(10);
        Decision d = HaFixture.node("pg2").dcsDown().config("failsafe_mode", true)
                .failsafeContact("pg1", at, Map.of()).decide();
        assertThat(d.summary()).isEqualTo("DCS is not accessible");
        assertThat(d.memory().failsafe().activeUntilNanos()).isEqualTo(at + TTL);
        assertThat(d.nextCycleInMillis()).isEqualTo(20_001L);

        // and so it is with etcd in reach: the call says the primary cannot reach etcd, whatever we see
        Decision withEtcd = HaFixture.node("pg2").config("failsafe_mode", true).failsafeContact("pg1", at, Map.of())
                .memory(m -> m.withOnStartFired(true)).decide();
        assertThat(withEtcd.memory().failsafe().activeAt(NOW)).isTrue();
    }

    @Test
    void aCallOlderThanTtlDoesNotCount() {
        Decision d = HaFixture.node("pg2").dcsDown().config("failsafe_mode", true)
                .failsafeContact("pg1", NOW - TTL, Map.of()).decide();
        assertThat(d.memory().failsafe().activeAt(NOW)).isFalse();
        assertThat(d.nextCycleInMillis()).isNull();
    }

    @Test
    void theLockHolderWithEtcdEndsItAndForgetsTheCallsBefore() {
        HaFixture newLeader = HaFixture.node("pg2").noLeader().config("failsafe_mode", true)
                .failsafeContact("pg1", NOW - TimeUnit.SECONDS.toNanos(40), Map.of())
                .peer(PeerStatus.unreachable("pg1", "connection refused")).memory(m -> m.withOnStartFired(true)
                        .withFailsafe(new FailsafeState(NOW + TimeUnit.SECONDS.toNanos(5), 0)));
        Decision d = newLeader.decide();
        assertThat(d.summary()).isEqualTo("promoted self to leader by acquiring session lock");
        assertThat(d.memory().failsafe()).isEqualTo(new FailsafeState(0, NOW));

        // a call that came before that moment (the old primary's last) does not make us follow it again
        Decision next = HaFixture.node("pg2").noLeader().config("failsafe_mode", true)
                .failsafeContact("pg1", NOW - 1, Map.of()).peer(PeerStatus.unreachable("pg1", "connection refused"))
                .memory(m -> m.withOnStartFired(true).withFailsafe(d.memory().failsafe())).decide();
        assertThat(next.summary()).isEqualTo("promoted self to leader by acquiring session lock");
        assertThat(next.memory().failsafe().activeAt(NOW)).isFalse();
    }

    @Test
    void withFailsafeModeOffTheCallerIsNoLeader() {
        // Patroni's replica answers POST /failsafe with 502 when failsafe_mode is off; a call accepted just before
        // the mode was switched off does not hold up an election
        Decision d = HaFixture.node("pg2").noLeader().failsafeLeader("pg1")
                .peer(PeerStatus.unreachable("pg1", "connection refused")).memory(m -> m.withOnStartFired(true))
                .decide();
        assertThat(d.summary()).isEqualTo("promoted self to leader by acquiring session lock");
    }
}
