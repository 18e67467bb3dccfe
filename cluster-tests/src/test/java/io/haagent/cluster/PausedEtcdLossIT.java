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

/**
 * A paused primary that cannot reach etcd steps down as an unpaused one does (docs/differences.md, "A paused primary
 * that loses etcd steps down"; the simulator's seeds 8617 and 9271): cut off, it could not see a resume or a manual
 * failover that puts another primary beside it. Patroni leaves it running. With etcd back and the cluster still
 * paused nobody promotes; the resume elects a primary, and nothing written before is lost.
 */
class PausedEtcdLossIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void aPausedPrimaryCutOffFromEtcdStopsTakingWritesAndTheResumeElectsOne() {
        TestCluster c = clusters.start(ClusterSpec.of(2).firstOctet(56));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));
        leader.sql("CREATE TABLE paused_probe AS SELECT 1 AS v");
        ClusterNode.Answer pause = leader.patch("/config", "{\"pause\":true}");
        assertThat(pause.status()).as(pause.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> c.nodes().stream()
                .allMatch(n -> n.patroni() != null && n.patroni().path("pause").asBoolean(false)));
        PrimaryWatch watch = c.watchPrimaries();

        c.etcd().member(0).stop();
        // its agent's own answer first: GET /primary stops answering 200, then postgres is read-only
        await("the paused primary steps down without etcd").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> leader.get("/primary").status() == 503 && !leader.isWritablePrimary()
                        && "replica".equals(leader.role()));
        assertThat(leader.logContains("demoting self because DCS is not accessible and I was a leader"))
                .as(c.logs(40)).isTrue();
        assertThat(c.writablePrimaries()).isEmpty();

        c.etcd().restart(c.etcd().member(0));
        // still paused: the operator decides; nobody takes the lock and promotes meanwhile
        await("etcd answers the agents again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> c.view().members().size() == 2
                        && c.nodes().stream().allMatch(n -> n.patroni().path("pause").asBoolean(false)));
        await().during(Duration.ofSeconds(9)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> c.writablePrimaries().isEmpty());

        ClusterNode.Answer resume = leader.patch("/config", "{\"pause\":false}");
        assertThat(resume.status()).as(resume.body()).isEqualTo(200);
        ClusterNode primary = c.awaitHealthy(Duration.ofSeconds(120));
        assertThat(primary.sql("SELECT v FROM paused_probe")).containsExactly("1");
        assertThat(c.writablePrimaries()).isEqualTo(List.of(primary));
        watch.assertNeverTwoPrimaries();
    }
}
