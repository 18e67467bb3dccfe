package io.haagent.cluster.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.harness.AcknowledgedWriter;
import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.testing.TestBinaries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/guide/migration.md, step by step, on a running Patroni 3.0.2 cluster (Debian's package, the same patroni.yml
 * and data directories) with a client committing all along (issue 11): each replica's Patroni is replaced by
 * ha-agent and streams again; patronictl switches over to an ha-agent node; the old leader is replaced; then one node
 * goes back to Patroni. After each step patronictl and agentctl list the same cluster; no acknowledged write is lost,
 * never two nodes accept writes, and writes fail only around the switchover.
 */
class MigrationIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    private final List<String> figures = new ArrayList<>();

    @Test
    void nodeByNodeFromPatroniToHaAgentAndBack() {
        TestCluster c = clusters.start(ClusterSpec.of(3).firstOctet(241).agent(AgentKind.PATRONI));
        ClusterNode first = c.awaitHealthy(Duration.ofSeconds(120));
        first.sql("CREATE TABLE acked (id bigint PRIMARY KEY)");
        PrimaryWatch watch = c.watchPrimaries();
        AcknowledgedWriter writer = c.writeAcknowledged("acked");
        await().atMost(Duration.ofSeconds(60)).until(() -> writer.acknowledgedCount() >= 100);
        listsAgree(c, first.name());

        // 1. each replica: stop Patroni, start ha-agent on the same file and data directory, wait until it streams
        for (ClusterNode replica : c.nodes()) {
            if (replica != first) {
                swap(c, writer, replica, AgentKind.HA_AGENT, first);
            }
        }

        // 2. switch over to an ha-agent node with Patroni's own tool
        ClusterNode target = c.nodes().stream().filter(n -> n != first).findFirst().orElseThrow();
        long before = System.nanoTime();
        long failuresBefore = writer.failures();
        Agentctl ctl = new Agentctl(first.config());
        Agentctl.Result sw = ctl.program(List.of(patronictl(), "-c", first.config().toString(), "switchover",
                "--leader", first.name(), "--candidate", target.name(), "--force"));
        assertThat(sw.exit()).as(sw.toString()).isZero();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> target.name().equals(c.leaderName().orElse(null)) && target.isWritablePrimary()
                        && writer.lastAckNanos() > before);
        int atSwitch = writer.acknowledgedCount();
        await().atMost(Duration.ofSeconds(60)).until(() -> writer.acknowledgedCount() >= atSwitch + 100);
        figures.add(String.format("switchover Patroni -> ha-agent: writes unavailable %.2f s, %d failed statements",
                writer.longestGapNanos(before, System.nanoTime()) / 1e9, writer.failures() - failuresBefore));
        c.awaitStreaming(target, first, Duration.ofSeconds(120));
        listsAgree(c, target.name());

        // 3. the old leader, now a replica, gets ha-agent too: the whole cluster runs ha-agent
        swap(c, writer, first, AgentKind.HA_AGENT, target);
        assertThat(c.view().member(target.name()).orElseThrow().role()).as("the cluster keeps Patroni 3's spelling")
                .isEqualTo("master");

        // 4. and back: any node returns to Patroni the same way
        ClusterNode back = c.nodes().stream().filter(n -> n != target).findFirst().orElseThrow();
        swap(c, writer, back, AgentKind.PATRONI, target);

        writer.close();
        List<Long> acknowledged = writer.acknowledged();
        Set<Long> present = new HashSet<>();
        target.sql("SELECT id FROM acked").forEach(id -> present.add(Long.parseLong(id)));
        List<Long> lost = acknowledged.stream().filter(id -> !present.contains(id)).toList();
        assertThat(lost).as("acknowledged ids missing (of %d acknowledged)", acknowledged.size()).isEmpty();
        watch.assertNeverTwoPrimaries();
        figures.add("acknowledged writes: " + acknowledged.size() + ", failed statements in all: " + writer.failures());
        figures.forEach(f -> System.out.println("measured: migration " + f));
    }

    /** Stop the agent of {@code node} (a replica), start {@code kind} on the same files; writes go on throughout. */
    private void swap(TestCluster c, AcknowledgedWriter writer, ClusterNode node, AgentKind kind, ClusterNode leader) {
        long failures = writer.failures();
        long from = System.nanoTime();
        node.stopAgent(Duration.ofSeconds(60));
        node.runWith(kind);
        node.start();
        c.awaitStreaming(leader, node, Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> node.patroni() != null && "running".equals(node.patroni().path("state").asText()));
        int at = writer.acknowledgedCount();
        await().atMost(Duration.ofSeconds(60)).until(() -> writer.acknowledgedCount() >= at + 50);
        assertThat(writer.failures()).as("no write fails while a replica changes agent").isEqualTo(failures);
        figures.add(String.format("%s -> %s: longest pause between writes %.2f s", node.name(), kind,
                writer.longestGapNanos(from, System.nanoTime()) / 1e9));
        listsAgree(c, leader.name());
    }

    private static String patronictl() {
        return TestBinaries.onPath("patronictl", "patroni").toString();
    }

    /** patronictl 3.0.2 and agentctl list the same members, roles, states and timelines. */
    private static void listsAgree(TestCluster c, String leader) {
        Agentctl ctl = new Agentctl(c.node(1).config());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Agentctl.Result ours = ctl.run("list", "-f", "json");
            Agentctl.Result theirs = ctl.program(List.of(patronictl(), "-c", c.node(1).config().toString(), "list",
                    "-f", "json"));
            assertThat(ours.exit()).as(ours.toString()).isZero();
            assertThat(theirs.exit()).as(theirs.toString()).isZero();
            Map<String, String> expected = new TreeMap<>();
            c.nodes().forEach(n -> expected.put(n.name(), (n.name().equals(leader) ? "Leader" : "Replica")));
            assertThat(roles(theirs.json())).as(theirs.toString()).isEqualTo(expected);
            assertThat(rows(ours.json())).as(ours + "\n" + theirs).isEqualTo(rows(theirs.json()));
        });
    }

    private static Map<String, String> roles(JsonNode list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(r -> out.put(r.path("Member").asText(), r.path("Role").asText()));
        return out;
    }

    /** Role, host and timeline (the State column differs by design: Patroni 3.0.2 shows running, not streaming). */
    private static Map<String, String> rows(JsonNode list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(r -> out.put(r.path("Member").asText(), r.path("Role").asText() + " " + r.path("Host").asText()
                + " TL" + r.path("TL").asText()));
        return out;
    }
}
