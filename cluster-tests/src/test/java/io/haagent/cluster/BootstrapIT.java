package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three agents on empty data directories form one cluster: one leader, two streaming replicas, slots. With the
 * seed's production timing (ttl 30, loop_wait 10, retry_timeout 10), which also shows that what the REST API
 * serves between two cycles is current, not as old as loop_wait.
 */
class BootstrapIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void threeEmptyNodesBecomeOneLeaderAndTwoStreamingReplicas() {
        TestCluster c = clusters.create(ClusterSpec.of(3).timing(30, 10, 10));
        // the three race for initialize at once: at no moment may two of them accept writes
        PrimaryWatch watch = c.watchPrimaries();
        c.nodes().forEach(ClusterNode::start);
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));

        assertThat(c.writablePrimaries()).containsExactly(leader);
        var replicas = c.nodes().stream().filter(n -> n != leader).map(ClusterNode::name).toList();
        // a clone's pg_basebackup holds a temporary slot and a WAL stream of its own for a moment: wait for the
        // replicas' own streams, and count the permanent slots
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(leader.sql(
                "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming' ORDER BY 1"))
                .containsExactlyElementsOf(replicas));
        assertThat(leader.sql("SELECT slot_name FROM pg_replication_slots WHERE NOT temporary ORDER BY 1"))
                .containsExactlyElementsOf(replicas);

        // the cluster as etcd has it: initialize = sysid, config from bootstrap.dcs, every member running
        var view = c.view();
        assertThat(view.initialize()).isEqualTo(leader.sql("SELECT system_identifier::text FROM pg_control_system()").get(0));
        assertThat(view.dynamic().ttl()).isEqualTo(30);
        assertThat(view.dynamic().loopWait()).isEqualTo(10);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(c.view().members())
                .allSatisfy(m -> assertThat(m.state()).isEqualTo("running")));

        // REST: the leader answers /primary, the replicas /replica, with host and port to connect to
        assertThat(leader.get("/primary").status()).isEqualTo(200);
        assertThat(leader.get("/primary").json().path("port").asInt()).isEqualTo(leader.pgPort());
        for (ClusterNode n : c.nodes()) {
            if (n != leader) {
                assertThat(n.get("/primary").status()).isEqualTo(503);
                await().atMost(Duration.ofSeconds(10)).until(() -> n.get("/replica").status() == 200);
            }
        }
        // data written on the leader reaches both replicas
        leader.sql("CREATE TABLE bootstrap_probe AS SELECT 42 AS answer");
        for (ClusterNode n : c.nodes()) {
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> n.sql("SELECT answer FROM bootstrap_probe").equals(java.util.List.of("42")));
        }
        assertThat(leader.timeline()).isEqualTo(1);

        // GET /patroni is what peers compare WAL positions with in an election: it follows the replica's
        // position within moments of a write, not at the next cycle (loop_wait is 10 s here)
        leader.sql("INSERT INTO bootstrap_probe SELECT 43 FROM generate_series(1, 1000)");
        long flushed = Long.parseLong(leader.sql("SELECT pg_current_wal_flush_lsn() - '0/0'::pg_lsn").get(0).replaceFirst("\\..*$", ""));
        for (ClusterNode n : c.nodes()) {
            if (n != leader) {
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    var p = n.patroni();
                    return p != null && p.path("xlog").path("replayed_location").asLong() >= flushed;
                });
            }
        }
        watch.assertNeverTwoPrimaries();
    }
}
