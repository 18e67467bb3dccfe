package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Maintenance mode (§3.9): while paused the agents act on nothing; resumed, they repair what happened. */
class PauseIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void inPauseADeadPrimaryIsNeitherRestartedNorReplacedAndResumeRecovers() {
        TestCluster c = clusters.start(ClusterSpec.of(3));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));
        leader.sql("CREATE TABLE paused_probe AS SELECT 1 AS v");

        ClusterNode.Answer pause = leader.patch("/config", "{\"pause\":true}");
        assertThat(pause.status()).as(pause.body()).isEqualTo(200);
        assertThat(pause.json().path("pause").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> c.nodes().stream()
                .allMatch(n -> n.patroni() != null && n.patroni().path("pause").asBoolean(false))
                && c.view().members().stream().allMatch(m -> m.pause()));
        PrimaryWatch watch = c.watchPrimaries();

        long killedAt = System.nanoTime();
        leader.killPostmaster();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> !leader.isWritablePrimary());
        long goneAt = System.nanoTime();
        // the agent notices (the leader key goes: postgres is not running) but starts nothing, and nobody promotes
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> c.leaderName().isEmpty());
        assertThat(leader.logContains("PAUSE: removed leader lock because postgres is not running")).isTrue();
        await().during(Duration.ofSeconds(4 * 3)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> leader.postgresProcesses().isEmpty() && c.leaderName().isEmpty()
                        && c.writablePrimaries().isEmpty());
        watch.awaitNextSample();
        // nobody else promoted; the killed postmaster's backends may answer a sample taken moments after the kill
        // (they exit when they notice their postmaster's death), so the old leader is judged after they are gone
        for (ClusterNode n : c.nodes()) {
            assertThat(watch.firstWritable(n.name(), n == leader ? goneAt : killedAt)).as("no primary while paused: "
                    + n.name()).isEmpty();
        }
        assertThat(leader.state()).isEqualTo("stopped");
        for (ClusterNode n : c.nodes()) {
            if (n != leader) {
                assertThat(n.role()).as(n.name()).isEqualTo("replica");
            }
        }

        ClusterNode.Answer resume = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow()
                .patch("/config", "{\"pause\":false}");
        assertThat(resume.status()).as(resume.body()).isEqualTo(200);
        ClusterNode primary = c.awaitHealthy(Duration.ofSeconds(120));
        assertThat(primary.sql("SELECT v FROM paused_probe")).containsExactly("1");
        await().atMost(Duration.ofSeconds(30)).until(() -> c.view().members().stream()
                .allMatch(m -> !m.pause() && "running".equals(m.state())));
        assertThat(c.writablePrimaries()).isEqualTo(List.of(primary));
        watch.assertNeverTwoPrimaries();
    }
}
