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

/** synchronous_mode_strict (§4.9, §7.4): what a client was told is committed survives the primary's death. */
class SynchronousModeIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void noAcknowledgedWriteIsLostWhenThePrimaryDiesInStrictSynchronousMode() {
        TestCluster c = clusters.start(ClusterSpec.of(3)
                .dynamic("synchronous_mode", true)
                .dynamic("synchronous_mode_strict", true));
        ClusterNode old = c.awaitHealthy(Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                !c.view().sync().syncStandbys().isEmpty()
                        && old.sql("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'").equals(List.of("1")));
        // every node tells Prometheus that synchronous replication is wanted (the HaAgentSyncStandbyMissing alert)
        for (ClusterNode n : c.nodes()) {
            assertThat(n.get("/metrics").body()).as(n.name())
                    .containsPattern("(?m)^ha_agent_synchronous_mode\\{[^}]*name=\"" + n.name() + "\"\\} 1$");
        }
        old.sql("CREATE TABLE acked (id bigint PRIMARY KEY)");
        PrimaryWatch watch = c.watchPrimaries();

        AcknowledgedWriter writer = c.writeAcknowledged("acked");
        await().atMost(Duration.ofSeconds(60)).until(() -> writer.acknowledgedCount() >= 200);
        String syncStandby = c.view().sync().syncStandbys().get(0);

        // Stop the walsender of the synchronous standby: from now on no commit may be acknowledged (in an
        // asynchronous cluster they would be, and the standby promoted below would not have them).
        List<String> sender = old.sql("SELECT pid FROM pg_stat_replication WHERE application_name = '" + syncStandby + "'");
        assertThat(sender).hasSize(1);
        ClusterNode.signal(Long.parseLong(sender.get(0)), "STOP");
        await("commits wait for the synchronous standby").atMost(Duration.ofSeconds(10))
                .until(() -> System.nanoTime() - writer.lastAckNanos() > 1_000_000_000L);

        long killedAt = System.nanoTime();
        old.killNode();
        int ackedBeforeKill = writer.acknowledgedCount();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(n -> !n.equals(old.name())).isPresent());
        ClusterNode next = c.leader();
        assertThat(next.name()).as("only the synchronous standby may be promoted").isEqualTo(syncStandby);
        // the writer goes on against the new primary once its own standby is synchronous again
        await().atMost(Duration.ofSeconds(90)).until(() -> writer.lastAckNanos() > killedAt
                && writer.acknowledgedCount() >= ackedBeforeKill + 100);
        writer.close();

        List<Long> acknowledged = writer.acknowledged();
        Set<Long> present = new HashSet<>();
        next.sql("SELECT id FROM acked").forEach(id -> present.add(Long.parseLong(id)));
        List<Long> lost = acknowledged.stream().filter(id -> !present.contains(id)).toList();
        assertThat(lost).as("acknowledged ids missing on the new primary (of %d acknowledged, %d failed statements)",
                acknowledged.size(), writer.failures()).isEmpty();
        // the third node, which may have received WAL the promoted standby never had (the stalled commit), is back
        ClusterNode third = c.nodes().stream().filter(n -> n != old && n != next).findFirst().orElseThrow();
        c.awaitStreaming(next, third, Duration.ofSeconds(60));
        // and /sync names the new primary and its synchronous standby
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                next.name().equals(c.view().sync().leader()) && c.view().sync().syncStandbys().equals(List.of(third.name())));
        watch.assertNeverTwoPrimaries();
    }
}
