package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A standby cluster (§7.3): its lock holder, the standby leader, replicates from another cluster's primary
 * through the slot {@code standby_cluster} names, with that section's archive and delay settings; its other
 * members cascade from it. Removing the section turns the standby leader into a primary.
 */
class StandbyClusterIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void theStandbyLeaderFollowsTheRemotePrimaryAndBecomesAPrimaryWhenTheSectionIsRemoved() {
        TestCluster main = clusters.start(ClusterSpec.of(1).scope("main")
                .dynamic("slots", Map.of("dr", Map.of("type", "physical"))));
        ClusterNode remote = main.awaitHealthy(Duration.ofSeconds(90));
        remote.sql("CREATE TABLE shipped (v int)");
        remote.sql("INSERT INTO shipped VALUES (1)");
        await("the permanent slot for the standby cluster").atMost(Duration.ofSeconds(30))
                .until(() -> remote.sql("SELECT slot_name FROM pg_replication_slots").contains("dr"));

        TestCluster dr = clusters.start(ClusterSpec.of(2).scope("dr").firstOctet(21)
                .dynamic("standby_cluster", Map.of("host", remote.host(), "port", remote.pgPort(),
                        "primary_slot_name", "dr", "restore_command", "false", "archive_cleanup_command", "true",
                        "recovery_min_apply_delay", "5ms")));
        await("a standby leader").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> dr.leaderName().map(n -> "standby_leader".equals(dr.node(n).role())).orElse(false));
        ClusterNode leader = dr.node(dr.leaderName().orElseThrow());
        ClusterNode replica = dr.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();

        await("the standby leader streams from the remote primary through its slot").atMost(Duration.ofSeconds(60))
                .ignoreExceptions().until(() -> leader.streamsFrom(remote)
                        && remote.sql("SELECT active FROM pg_replication_slots WHERE slot_name = 'dr'")
                                .equals(List.of("t")));
        // postgres streams a moment before the agent's next cycle publishes it as a running replica
        await("the other member cascades from the standby leader, and its agent says so").atMost(Duration.ofSeconds(90))
                .ignoreExceptions().until(() -> replica.streamsFrom(leader) && replica.get("/replica").status() == 200);
        remote.sql("INSERT INTO shipped VALUES (2)");
        await("a remote write reaches both").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> replica.sql("SELECT count(*) FROM shipped").equals(List.of("2"))
                        && leader.sql("SELECT count(*) FROM shipped").equals(List.of("2")));

        assertThat(leader.get("/standby-leader").status()).isEqualTo(200);
        assertThat(leader.get("/primary").status()).isEqualTo(503);
        assertThat(replica.get("/replica").status()).isEqualTo(200);
        assertThat(replica.get("/standby-leader").status()).isEqualTo(503);
        assertThat(leader.sql("SELECT current_setting('restore_command') || '|'"
                + " || current_setting('archive_cleanup_command') || '|' || current_setting('recovery_min_apply_delay')"))
                .as("the standby leader").containsExactly("false|true|5ms");
        assertThat(replica.sql("SELECT current_setting('restore_command') || '|'"
                + " || current_setting('archive_cleanup_command') || '|' || current_setting('recovery_min_apply_delay')"))
                .as("a cascading member: the archive, no delay").containsExactly("false|true|0");

        // the section removed (a disaster recovery): the standby leader promotes, its replica follows it
        long timeline = leader.timeline();
        assertThat(timeline).as("the standby leader publishes the remote's timeline").isPositive();
        assertThat(leader.patch("/config", "{\"standby_cluster\": null}").status()).isEqualTo(200);
        await("the standby leader promoted").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> leader.isWritablePrimary() && "primary".equals(leader.role()));
        assertThat(dr.leaderName()).contains(leader.name());
        leader.sql("INSERT INTO shipped VALUES (3)");
        await("its replica follows the new primary, without the remote's archive").atMost(Duration.ofSeconds(60))
                .ignoreExceptions().until(() -> replica.streamsFrom(leader)
                        && replica.sql("SELECT count(*) FROM shipped").equals(List.of("3"))
                        && replica.sql("SELECT current_setting('restore_command')").equals(List.of("")));
        await("the promoted leader publishes its new timeline").atMost(Duration.ofSeconds(30))
                .until(() -> leader.timeline() > timeline);
        assertThat(remote.sql("SELECT count(*) FROM shipped")).as("the remote is left alone").containsExactly("2");
    }
}
