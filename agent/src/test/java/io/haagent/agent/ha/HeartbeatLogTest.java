package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeartbeatLogTest {
    private static final String HB = "no action. I am (pg1), the leader with the lock";

    @Test
    void withDeduplicationARepeatedHeartbeatIsWrittenOnce() {
        HeartbeatLog log = new HeartbeatLog(true);
        assertThat(log.shouldLog(HB, false)).isTrue();
        assertThat(log.shouldLog(HB, false)).isFalse();
        assertThat(log.shouldLog(HB, false)).isFalse();
        assertThat(log.shouldLog("promoted self to leader by acquiring session lock", false)).isTrue();
        assertThat(log.shouldLog(HB, false)).as("after another line, once more").isTrue();
        assertThat(log.shouldLog("PAUSE: " + HB, false)).as("a different heartbeat").isTrue();
        assertThat(log.shouldLog("PAUSE: " + HB, true)).as("with notes of the cycle").isTrue();
        assertThat(log.shouldLog("PAUSE: " + HB, false)).isTrue();
        assertThat(log.shouldLog("PAUSE: " + HB, false)).isFalse();
    }

    @Test
    void withoutItEveryCycleWritesItsLine() {
        HeartbeatLog log = new HeartbeatLog(false);
        assertThat(log.shouldLog(HB, false)).isTrue();
        assertThat(log.shouldLog(HB, false)).isTrue();
    }
}
