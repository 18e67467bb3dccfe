package io.haagent.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WakeRuleTest {

    @Test
    void leaderChangesWakeEverybodyIncludingDeletion() {
        assertThat(WakeRule.wakes("leader", "pg1", null, true)).isTrue();
        assertThat(WakeRule.wakes("leader", "pg1", null, false)).isTrue();
        assertThat(WakeRule.wakes("leader", null, "pg2", false)).isTrue();
        assertThat(WakeRule.wakes("leader", "pg1", "pg1", false)).isFalse();
    }

    @Test
    void configWakesOnlyWhenAnExistingValueChanges() {
        assertThat(WakeRule.wakes("config", "{}", "{\"ttl\":20}", true)).isTrue();
        assertThat(WakeRule.wakes("config", null, "{}", false)).isFalse();
        assertThat(WakeRule.wakes("config", "{}", null, false)).isFalse();
    }

    @Test
    void statusWakesOnlyMembersWithoutTheLock() {
        assertThat(WakeRule.wakes("status", "{\"optime\":1}", "{\"optime\":2}", false)).isTrue();
        assertThat(WakeRule.wakes("status", "{\"optime\":1}", "{\"optime\":2}", true)).isFalse();
        assertThat(WakeRule.wakes("optime/leader", "1", "2", false)).isTrue();
        assertThat(WakeRule.wakes("status", "{\"optime\":1}", null, false)).isFalse();
    }

    @Test
    void aMemberJoiningOrLeavingWakesOnlyTheLeader() {
        assertThat(WakeRule.wakes("members/pg4", null, "{}", true)).isTrue();
        assertThat(WakeRule.wakes("members/pg4", "{}", null, true)).isTrue();
        assertThat(WakeRule.wakes("members/pg4", null, "{}", false)).isFalse();
        assertThat(WakeRule.wakes("members/pg4", "{\"a\":1}", "{\"a\":2}", true)).isFalse();
    }

    @Test
    void otherKeysWakeNobody() {
        for (String k : new String[] {"members/pg1", "failover", "sync", "history", "failsafe", "initialize"}) {
            assertThat(WakeRule.wakes(k, "a", "b", false)).as(k).isFalse();
        }
    }
}
