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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tags that steer elections: {@code nofailover} and {@code failover_priority} (§7.2). */
class TagsIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void aNofailoverReplicaLeftAloneStaysAReplicaAndTheClusterWaitsForItsPrimary() {
        TestCluster c = clusters.start(ClusterSpec.of(2).tags(2, Map.of("nofailover", true))
                .tags(1, Map.of("new_tag", "new_value", "clonefrom", false, "nofailover", false, "noloadbalance", false,
                        "nosync", false)));
        ClusterNode primary = c.awaitHealthy(Duration.ofSeconds(90));
        ClusterNode replica = c.node(2);
        assertThat(primary.name()).as("a nofailover node does not race to bootstrap").isEqualTo("pg1");
        // issue 10 item 6: tags that are false are left out, as Patroni's get_tags does
        assertThat(primary.patroni().path("tags").toString()).isEqualTo("{\"new_tag\":\"new_value\"}");
        assertThat(c.etcd().etcdctl("get", "/service/batman/members/pg1", "--print-value-only"))
                .contains("\"tags\":{\"new_tag\":\"new_value\"}").doesNotContain("nosync");
        assertThat(replica.patroni().path("tags").toString()).isEqualTo("{\"nofailover\":true}");
        primary.sql("CREATE TABLE kept AS SELECT 1 AS v");
        PrimaryWatch watch = c.watchPrimaries();
        long lease = c.leaderLease();

        primary.killNode();
        // after killNode returns, none of pg1's processes runs: a sample that started before that moment may still
        // have found its postgres writable (seen on a busy machine), which says nothing about the replica
        long killedAt = System.nanoTime();
        c.leaseExpiresNotBefore(lease).orElseThrow(() -> new AssertionError("lease expired at once"));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> replica.logContains("following a different leader because I am not allowed to promote"));
        // several more cycles after the lease expired: still nobody leads, the replica stays in recovery
        await().during(Duration.ofSeconds(4 * 3)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> c.leaderName().isEmpty());
        watch.awaitNextSample();
        assertThat(watch.firstWithPrimary(killedAt)).as("no primary while only a nofailover node is left").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> "replica".equals(replica.role()));
        assertThat(replica.get("/primary").status()).isEqualTo(503);

        // its primary comes back and leads again; the nofailover replica follows it
        primary.start();
        assertThat(c.awaitHealthy(Duration.ofSeconds(90))).isEqualTo(primary);
        assertThat(replica.sql("SELECT v FROM kept")).containsExactly("1");
        watch.assertNeverTwoPrimaries();
    }

    @Test
    void atEqualWalTheReplicaWithTheHigherFailoverPriorityIsPromoted() {
        TestCluster c = clusters.create(ClusterSpec.of(3)
                .tags(2, Map.of("failover_priority", 1))
                .tags(3, Map.of("failover_priority", 2)));
        ClusterNode primary = c.node(1);
        primary.start();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> c.leaderName().filter("pg1"::equals).isPresent() && primary.isWritablePrimary());
        c.node(2).start();
        c.node(3).start();
        assertThat(c.awaitHealthy(Duration.ofSeconds(90))).isEqualTo(primary);
        primary.sql("CREATE TABLE priority_probe AS SELECT 1 AS v");
        // nothing in flight: both replicas have replayed everything the primary wrote
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<String> lag = primary.sql("SELECT count(*) FROM pg_stat_replication"
                    + " WHERE replay_lsn = pg_current_wal_flush_lsn() AND sent_lsn = pg_current_wal_flush_lsn()");
            return lag.equals(List.of("2"));
        });
        PrimaryWatch watch = c.watchPrimaries();

        primary.killNode();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(n -> !n.equals("pg1")).isPresent());
        assertThat(c.leaderName()).as("pg3 (priority 2) over pg2 (priority 1)").contains("pg3");
        ClusterNode pg3 = c.node(3);
        assertThat(c.awaitHealthy(Duration.ofSeconds(60))).isEqualTo(pg3);
        assertThat(c.view().member("pg2").orElseThrow().tags().failoverPriority()).isEqualTo(1);
        watch.assertNeverTwoPrimaries();
    }
}
