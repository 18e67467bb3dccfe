package io.haagent.cluster.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.testing.TestBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Role names (issue 11): a Patroni 3.0.2 node (Debian's package) bootstraps the cluster and writes {@code master};
 * ha-agent nodes that join it with the default {@code ha_agent.role_names: auto} write {@code master} too once they
 * lead (member key, {@code /patroni}, the callback's role argument), while {@code patroni_role} carries both spellings
 * and POST /restart refuses {@code role=master} as Patroni 4 does. A node pinned to {@code primary} writes
 * {@code primary} when it leads, and the others follow it. Debian's patronictl 3.0.2 lists and switches over the
 * cluster throughout, and agrees with agentctl.
 */
class RoleNamesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void aPatroni3ClusterKeepsMasterAndAPinnedNodeWritesPrimary() throws Exception {
        TestCluster c = clusters.create(ClusterSpec.of(3).firstOctet(201).agent(1, AgentKind.PATRONI));
        Path calls = c.dir().resolve("callbacks.log");
        Path cb = c.dir().resolve("callback.sh");
        Files.writeString(cb, "#!/bin/sh\necho \"$@\" >> " + calls + "\n");
        Files.setPosixFilePermissions(cb, PosixFilePermissions.fromString("rwx------"));
        for (ClusterNode n : c.nodes()) {
            edit(n, root -> ((ObjectNode) root.path("postgresql")).putObject("callbacks")
                    .put("on_role_change", cb.toString()));
        }
        edit(c.node(3), root -> root.putObject("ha_agent").put("role_names", "primary"));

        c.node(1).start();
        ClusterNode pg1 = c.awaitHealthy(Duration.ofSeconds(120));
        assertThat(pg1.name()).isEqualTo("pg1");
        c.node(2).start();
        c.node(3).start();
        c.awaitStreaming(pg1, c.node(2), Duration.ofSeconds(120));
        c.awaitStreaming(pg1, c.node(3), Duration.ofSeconds(120));
        assertThat(memberRole(c, "pg1")).as("Patroni 3.0.2 writes").isEqualTo("master");

        // 1. switch over to an ha-agent node with Patroni's own tool: it keeps the cluster's spelling
        Files.deleteIfExists(calls);
        switchover(c, "pg2");
        ClusterNode pg2 = c.node(2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(memberRole(c, "pg2")).isEqualTo("master");
            assertThat(pg2.role()).isEqualTo("master");
        });
        for (String path : List.of("/master", "/primary", "/read-write")) {
            assertThat(pg2.get(path).status()).as(path).isEqualTo(200);
        }
        assertThat(pg2.get("/metrics").body())
                .contains("patroni_role{cluster=\"batman\",name=\"pg2\",role=\"master\"} 1")
                .contains("patroni_role{cluster=\"batman\",name=\"pg2\",role=\"primary\"} 1")
                .contains("patroni_primary{scope=\"batman\",name=\"pg2\"} 1");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(calls).content().contains("on_role_change master batman"));
        ClusterNode.Answer refused = pg2.post("/restart", "{\"role\":\"master\"}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("PostgreSQL role should be either primary, standby_leader, or replica");
        listsAgree(c, "pg2");

        // 2. pg3 is pinned to primary: as leader it writes primary, and pg2 (auto) follows the new leader
        switchover(c, "pg3");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(memberRole(c, "pg3")).isEqualTo("primary");
            assertThat(c.node(3).role()).isEqualTo("primary");
            assertThat(memberRole(c, "pg1")).isEqualTo("replica");
        });
        assertThat(c.node(3).get("/master").status()).isEqualTo(200);
        listsAgree(c, "pg3");

        // 3. and back to auto pg2, which now follows pg3's spelling: the cluster writes primary from here on
        switchover(c, "pg2");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(memberRole(c, "pg2")).isEqualTo("primary");
            assertThat(pg2.role()).isEqualTo("primary");
        });
        listsAgree(c, "pg2");
    }

    private interface Edit {
        void apply(ObjectNode root);
    }

    /** The harness writes each node's configuration as JSON (a YAML document): change it in place. */
    private static void edit(ClusterNode n, Edit e) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(n.config().toFile());
        e.apply(root);
        Files.writeString(n.config(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private static String memberRole(TestCluster c, String name) {
        return c.view().member(name).map(m -> m.role()).orElse(null);
    }

    private static String patronictl() {
        return TestBinaries.onPath("patronictl", "patroni").toString();
    }

    private static void switchover(TestCluster c, String candidate) {
        Agentctl ctl = new Agentctl(c.node(1).config());
        Agentctl.Result r = ctl.program(List.of(patronictl(), "-c", c.node(1).config().toString(), "switchover",
                "--candidate", candidate, "--force"));
        assertThat(r.exit()).as(r.toString()).isZero();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> candidate.equals(c.leaderName().orElse(null)) && c.node(candidate).isWritablePrimary());
        c.nodes().stream().filter(n -> !n.name().equals(candidate))
                .forEach(n -> c.awaitStreaming(c.node(candidate), n, Duration.ofSeconds(120)));
    }

    /** patronictl 3.0.2 and agentctl list the same members with the same roles and states. */
    private static void listsAgree(TestCluster c, String leader) {
        Agentctl ctl = new Agentctl(c.node(1).config());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Agentctl.Result ours = ctl.run("list", "-f", "json");
            Agentctl.Result theirs = ctl.program(List.of(patronictl(), "-c", c.node(1).config().toString(), "list",
                    "-f", "json"));
            assertThat(ours.exit()).as(ours.toString()).isZero();
            assertThat(theirs.exit()).as(theirs.toString()).isZero();
            Map<String, String> expected = new java.util.TreeMap<>();
            c.nodes().forEach(n -> expected.put(n.name(), n.name().equals(leader) ? "Leader" : "Replica"));
            assertThat(roles(theirs.json())).as(theirs.toString()).isEqualTo(expected);
            assertThat(roles(ours.json())).isEqualTo(roles(theirs.json()));
        });
    }

    private static Map<String, String> roles(JsonNode list) {
        Map<String, String> out = new java.util.TreeMap<>();
        list.forEach(row -> out.put(row.path("Member").asText(), row.path("Role").asText()));
        return out;
    }
}
