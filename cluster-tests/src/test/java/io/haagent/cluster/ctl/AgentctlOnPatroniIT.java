package io.haagent.cluster.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.testing.TestBinaries;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * agentctl on a cluster of Patroni 3.0.2 nodes (Debian's package): it needs nothing but Patroni's etcd layout and
 * REST API. Lists match patronictl's, a switchover is waited for (Patroni publishes no role-change timings, and
 * agentctl says so), and the cluster configuration is edited with a CAS write Patroni picks up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentctlOnPatroniIT {
    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster(ClusterSpec.of(3).firstOctet(51).agent(AgentKind.PATRONI));

    static TestCluster cluster() {
        return CLUSTER.get();
    }

    static Agentctl ctl() {
        return new Agentctl(cluster().node(1).config());
    }

    @Test
    @Order(1)
    void listMatchesPatronictl() {
        String patronictl = TestBinaries.onPath("patronictl", "patroni").toString();
        cluster();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Agentctl.Result ours = ctl().run("list", "-f", "json");
            Agentctl.Result theirs = ctl().program(List.of(patronictl, "-c", cluster().node(1).config().toString(),
                    "list", "-f", "json"));
            assertThat(ours.exit()).as(ours.toString()).isZero();
            assertThat(theirs.exit()).as(theirs.toString()).isZero();
            assertThat(ours.json()).hasSize(3);
            // Patroni 3.0.2 publishes no replication_state: both tools show the member key's state
            assertThat(AgentctlListIT.comparable(ours.json(), null)).as(ours + "\n" + theirs)
                    .isEqualTo(AgentctlListIT.comparable(theirs.json(), null));
            for (JsonNode row : ours.json()) {
                if (!row.path("Role").asText().equals("Leader")) {
                    assertThat(row.path("Lag in bytes").asLong(-1)).as(ours.toString()).isZero();
                }
            }
        });
        Agentctl.Result version = ctl().run("version", "batman");
        assertThat(version.out()).containsPattern("pg1: Patroni 3\\.0\\.2 PostgreSQL 15\\.\\d+");
    }

    @Test
    @Order(2)
    void switchoverIsWaitedForAndReportedWithoutTimingsPatroniDoesNotPublish() {
        ClusterNode old = CLUSTER.initialLeader();
        ClusterNode candidate = cluster().nodes().stream().filter(n -> n != old).findFirst().orElseThrow();
        Agentctl.Result r = ctl().run("switchover", "--candidate", candidate.name(), "--force");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("switched over from " + old.name() + " to " + candidate.name()
                + " in \\d+\\.\\d\\d s \\(" + candidate.name() + " does not report role-change timings, so the write"
                + " outage is not known\\)");
        r.out().lines().filter(l -> l.startsWith("switched over")).forEach(l -> System.out.println("measured: " + l));
        assertThat(cluster().view().leaderName()).isEqualTo(candidate.name());
        assertThat(candidate.isWritablePrimary()).isTrue();
    }

    @Test
    @Order(3)
    void editConfigIsACasWritePatroniReads() {
        Agentctl.Result r = ctl().run("edit-config", "-s", "maximum_lag_on_failover=2097152", "--force", "-q");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(cluster().view().config().data()).containsEntry("maximum_lag_on_failover", 2097152);
        Agentctl.Result pause = ctl().run("pause", "--wait");
        assertThat(pause.exit()).as(pause.toString()).isZero();
        assertThat(ctl().run("list").out()).contains(" Maintenance mode: on");
        assertThat(ctl().run("resume", "--wait").exit()).isZero();
    }
}
