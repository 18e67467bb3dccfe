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

/** SIGTERM on the primary's agent (§3.10): postgres stops cleanly and the leader key is handed over at once. */
class ShutdownIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void sigtermOnThePrimaryStopsPostgresAndHandsOverWithoutWaitingForTheLease() {
        TestCluster c = clusters.start(ClusterSpec.of(3));
        ClusterNode old = c.awaitHealthy(Duration.ofSeconds(90));
        old.sql("CREATE TABLE shutdown_probe AS SELECT g AS id FROM generate_series(1, 1000) g");
        PrimaryWatch watch = c.watchPrimaries();
        long lease = c.leaderLease();

        long termAt = System.nanoTime();
        old.stopAgent(Duration.ofSeconds(90));
        assertThat(old.agentExitCode(Duration.ofSeconds(1))).isZero();
        assertThat(old.postgresProcesses()).as("postgres stopped with the agent").isEmpty();
        assertThat(old.logContains("Leader key released")).as("the shutdown is logged").isTrue();
        assertThat(old.logContains("ha-agent stopped")).isTrue();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> c.leaderName().filter(n -> !n.equals(old.name())).isPresent());
        ClusterNode next = c.leader();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(next::isWritablePrimary);
        long leaseLeft = c.leaseTimeToLive(lease);
        System.out.printf("SIGTERM: %s writable %s after the signal (agent exited, postgres stopped first)%n",
                next.name(), PrimaryWatch.seconds(termAt, System.nanoTime()));
        assertThat(leaseLeft).as("%s took over %s after the SIGTERM, while the old lease still had %d s: the key was"
                + " handed over, not left to expire", next.name(), PrimaryWatch.seconds(termAt, System.nanoTime()),
                leaseLeft).isPositive();
        assertThat(c.view().member(old.name()).orElseThrow().state()).isEqualTo("stopped");

        // nothing the old primary acknowledged is missing
        assertThat(next.sql("SELECT count(*) FROM shutdown_probe")).containsExactly("1000");
        ClusterNode other = c.nodes().stream().filter(n -> n != old && n != next).findFirst().orElseThrow();
        c.awaitStreaming(next, other, Duration.ofSeconds(60));
        assertThat(c.writablePrimaries()).isEqualTo(List.of(next));
        watch.assertNeverTwoPrimaries();
    }
}
