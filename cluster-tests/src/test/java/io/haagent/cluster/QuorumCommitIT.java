package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import io.haagent.cluster.harness.AcknowledgedWriter;
import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quorum commit (Patroni 4's {@code synchronous_mode: quorum}, §4.9): the primary waits for ANY 1 of its two
 * standbys, the sync key says a new leader must have compared its position with 1 of the leader and voters, and when
 * the primary dies after one standby fell behind, only the standby that holds every acknowledged commit promotes.
 */
class QuorumCommitIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void onlyAStandbyHoldingEveryAcknowledgedCommitPromotes() {
        TestCluster c = clusters.start(ClusterSpec.of(3).firstOctet(231)
                .dynamic("synchronous_mode", "quorum")
                .dynamic("synchronous_node_count", 1));
        ClusterNode old = c.awaitHealthy(Duration.ofSeconds(90));
        List<ClusterNode> standbys = c.nodes().stream().filter(n -> n != old).toList();
        // steady state: s_s_n = ANY 1 (both), the sync key names both as voters with quorum 1
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            io.haagent.cluster.SyncState s = c.view().sync();
            return old.name().equals(s.leader()) && s.syncStandbys().size() == 2 && Integer.valueOf(1).equals(s.quorum())
                    && old.sql("SHOW synchronous_standby_names").get(0).startsWith("ANY 1 (")
                    && old.sql("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'quorum'").equals(List.of("2"));
        });
        // each agent answers from its own copy of the sync key, which may trail etcd by a cycle: wait for its answer
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (ClusterNode n : standbys) {
                assertThat(n.patroni().path("quorum_standby").asBoolean()).as(n.name()).isTrue();
                assertThat(n.get("/quorum").status()).as(n.name()).isEqualTo(200);
                assertThat(n.get("/sync").status()).as(n.name()).isEqualTo(503);
                assertThat(n.get("/metrics").body()).containsPattern("(?m)^patroni_quorum_standby\\{[^}]*\\} 1$");
            }
            assertThat(old.get("/read-only-quorum").status()).isEqualTo(200);
            assertThat(old.get("/quorum").status()).isEqualTo(503);
        });

        old.sql("CREATE TABLE acked (id bigint PRIMARY KEY)");
        PrimaryWatch watch = c.watchPrimaries();
        AcknowledgedWriter writer = c.writeAcknowledged("acked");
        await().atMost(Duration.ofSeconds(60)).until(() -> writer.acknowledgedCount() >= 200);

        // One standby falls behind: its walsender stops. ANY 1 lets commits go on, acknowledged by the other alone.
        ClusterNode behind = standbys.get(0);
        ClusterNode holder = standbys.get(1);
        List<String> sender = old.sql("SELECT pid FROM pg_stat_replication WHERE application_name = '" + behind.name() + "'");
        assertThat(sender).hasSize(1);
        ClusterNode.signal(Long.parseLong(sender.get(0)), "STOP");
        int atStop = writer.acknowledgedCount();
        await("commits go on with one standby").atMost(Duration.ofSeconds(30))
                .until(() -> writer.acknowledgedCount() >= atStop + 300);

        long killedAt = System.nanoTime();
        old.killNode();
        int ackedBeforeKill = writer.acknowledgedCount();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(n -> !n.equals(old.name())).isPresent());
        ClusterNode next = c.leader();
        assertThat(next.name()).as("the standby that acknowledged the last commits").isEqualTo(holder.name());
        await().atMost(Duration.ofSeconds(90)).until(() -> writer.lastAckNanos() > killedAt
                && writer.acknowledgedCount() >= ackedBeforeKill + 100);
        writer.close();

        List<Long> acknowledged = writer.acknowledged();
        Set<Long> present = new HashSet<>();
        next.sql("SELECT id FROM acked").forEach(id -> present.add(Long.parseLong(id)));
        List<Long> lost = acknowledged.stream().filter(id -> !present.contains(id)).toList();
        assertThat(lost).as("acknowledged ids missing on the new primary (of %d acknowledged, %d failed statements)",
                acknowledged.size(), writer.failures()).isEmpty();
        System.out.println("measured: quorum failover kept " + acknowledged.size() + " acknowledged writes ("
                + (acknowledged.size() - atStop) + " acknowledged by " + holder.name() + " alone)");
        // the standby that was behind streams from the new primary, and the sync key follows the new leader
        c.awaitStreaming(next, behind, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                next.name().equals(c.view().sync().leader()) && c.view().sync().syncStandbys().contains(behind.name()));
        watch.assertNeverTwoPrimaries();
    }
}
