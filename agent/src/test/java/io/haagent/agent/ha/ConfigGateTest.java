package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.SnapshotFixtures;
import io.haagent.cluster.ClusterView;
import io.haagent.config.ConfigProblem;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A config key that fails validation is not applied: the decider sees the last good one. */
class ConfigGateTest {

    private static ClusterView withConfig(Map<String, Object> cfg, long revision) {
        ClusterView base = SnapshotFixtures.threeMembers(cfg);
        return new ClusterView(base.initialize(), io.haagent.cluster.ClusterConfig.of(cfg, revision), base.leader(),
                base.status(), base.members(), base.failover(), base.sync(), base.history(), base.failsafe(),
                base.revision());
    }

    private static Map<String, Object> good(int loopWait) {
        Map<String, Object> m = new LinkedHashMap<>(SnapshotFixtures.dynamicConfigJson());
        m.put("loop_wait", loopWait);
        return m;
    }

    @Test
    void anInvalidKeyIsNotAppliedAndTheLastGoodOneStaysInForce() {
        ConfigGate gate = new ConfigGate(Map.of());
        ClusterView first = gate.admit(withConfig(good(5), 11));
        assertThat(first.dynamic().loopWait()).isEqualTo(5);
        assertThat(gate.rejection()).isNull();

        // issue 18: {"standby_cluster":{"host":5}} demoted a healthy primary at once
        Map<String, Object> bad = good(5);
        bad.put("standby_cluster", Map.of("host", 5));
        bad.put("pause", true);
        ClusterView gated = gate.admit(withConfig(bad, 12));
        assertThat(gated.dynamic().isStandbyCluster()).isFalse();
        assertThat(gated.isPaused()).isFalse();
        assertThat(gated.config().modRevision()).isEqualTo(11);
        assertThat(gated.members()).isEqualTo(first.members());
        assertThat(gate.rejection().revision()).isEqualTo(12);
        assertThat(gate.rejection().keptRevision()).isEqualTo(11);
        assertThat(gate.rejection().errors()).extracting(ConfigProblem::line)
                .containsExactly("standby_cluster.host: must be a string, not a number 5");

        // a fixed key is applied again
        ClusterView fixed = gate.admit(withConfig(good(7), 13));
        assertThat(fixed.dynamic().loopWait()).isEqualTo(7);
        assertThat(gate.rejection()).isNull();
    }

    @Test
    void theNodesOwnConfigurationIsTheFirstGoodOne() {
        ConfigGate gate = new ConfigGate(good(3));
        Map<String, Object> bad = good(3);
        bad.put("ttl", -1);
        ClusterView gated = gate.admit(withConfig(bad, 20));
        assertThat(gated.dynamic().ttl()).isEqualTo(30);
        assertThat(gated.dynamic().loopWait()).isEqualTo(3);
        assertThat(gate.rejection().keptRevision()).isZero();
    }

    @Test
    void withNothingGoodSeenTheKeyIsReadAsFarAsItCanBeAndStillReported() {
        ConfigGate gate = new ConfigGate(Map.of("ttl", "bad"));
        Map<String, Object> bad = good(3);
        bad.put("ttl", -1);
        ClusterView v = withConfig(bad, 20);
        assertThat(gate.admit(v)).isSameAs(v);
        assertThat(gate.rejection().keptRevision()).isEqualTo(-1);
        // an absent key passes (the leader writes its own)
        ClusterView none = new ClusterView(v.initialize(), null, v.leader(), v.status(), v.members(), null, null, null,
                null, 1);
        assertThat(gate.admit(none)).isSameAs(none);
    }
}
