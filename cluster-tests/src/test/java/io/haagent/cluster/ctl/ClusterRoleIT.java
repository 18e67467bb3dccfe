package io.haagent.cluster.ctl;

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
 * Patroni 4.1's {@code demote-cluster} and {@code promote-cluster} through agentctl (issue 11): a running cluster
 * ("main") is made a standby cluster of another one ("dr", itself a standby of main until then) and demotes cleanly
 * (its primary stops fast and hands the lock to the healthiest member as standby leader); then "dr" is promoted
 * and main follows it, writes from dr reaching both of main's nodes. The commands print patronictl 4.1's lines and
 * exit 0; a repeated one is refused as patronictl refuses it.
 */
class ClusterRoleIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void demoteClusterMakesAStandbyClusterAndPromoteClusterMakesItStandalone() {
        TestCluster main = clusters.start(ClusterSpec.of(2).scope("main").firstOctet(181));
        ClusterNode primary = main.awaitHealthy(Duration.ofSeconds(120));
        primary.sql("CREATE TABLE shipped (v int)");
        primary.sql("INSERT INTO shipped VALUES (1)");

        TestCluster dr = clusters.start(ClusterSpec.of(1).scope("dr").firstOctet(186)
                .dynamic("standby_cluster", Map.of("host", primary.host(), "port", primary.pgPort())));
        ClusterNode drLeader = dr.nodes().get(0);
        await("dr's standby leader streams from main").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> "standby_leader".equals(drLeader.role()) && drLeader.streamsFrom(primary)
                        && drLeader.sql("SELECT count(*) FROM shipped").equals(List.of("1")));

        Agentctl ctl = new Agentctl(primary.config());
        Agentctl.Result refused = ctl.run("demote-cluster", "main", "--force");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("At least --host, --port or --restore-command should be specified");

        Agentctl.Result demoted = ctl.run("demote-cluster", "main", "--force", "--host", drLeader.host(), "--port",
                Integer.toString(drLeader.pgPort()));
        assertThat(demoted.exit()).as(demoted.toString()).isZero();
        assertThat(demoted.out()).startsWith("Current cluster topology").contains("cluster is successfully demoted");
        String mainLeader = main.leaderName().orElseThrow();
        assertThat(main.node(mainLeader).role()).isEqualTo("standby_leader");
        assertThat(primary.isWritablePrimary()).as("main's old primary accepts no writes").isFalse();
        Agentctl.Result again = ctl.run("demote-cluster", "main", "--force", "--host", drLeader.host());
        assertThat(again.exit()).as(again.toString()).isEqualTo(1);
        assertThat(again.err()).contains("Cluster is already in the required state");

        Agentctl.Result promoted = new Agentctl(drLeader.config()).run("promote-cluster", "dr", "--force");
        assertThat(promoted.exit()).as(promoted.toString()).isZero();
        assertThat(promoted.out()).contains("cluster is successfully promoted");
        await("dr's leader is a writable primary").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(drLeader::isWritablePrimary);
        drLeader.sql("INSERT INTO shipped VALUES (2)");
        await("a write on dr reaches both of main's nodes").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> main.nodes().stream().allMatch(n -> n.sql("SELECT count(*) FROM shipped")
                        .equals(List.of("2"))));
        assertThat(main.nodes()).noneMatch(ClusterNode::isWritablePrimary);
    }
}
