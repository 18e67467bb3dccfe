package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClientProcess;
import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.HaproxyProcess;
import io.haagent.cluster.harness.RecordingClient;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import io.haagent.testing.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guide's Python client, examples/python/ha_client.py (psycopg2), against a real three-node cluster: through
 * the REST API (GET /primary on each node, host and port from the first 200's body, waiting on the member a 503
 * names as taking over) and through HAProxy with examples/haproxy.cfg. Both keep writing across a switchover,
 * write on the new primary afterwards, and every row they were told was committed is there.
 */
class ClientExamplesIT {
    private static final String HAPROXY_ADDRESS = "127.0.0.174";

    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void bothExampleClientsFollowASwitchoverAndLoseNothing(@TempDir Path tmp) throws Exception {
        TestCluster c = clusters.start(ClusterSpec.of(3).firstOctet(171));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));
        ClusterNode candidate = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        int port = EtcdCluster.freePort(HAPROXY_ADDRESS);
        String config = HaproxyProcess.pointedAt(Files.readAllLines(Dist.examples().resolve("haproxy.cfg")),
                HAPROXY_ADDRESS, Map.of(5433, port, 5434, EtcdCluster.freePort(HAPROXY_ADDRESS)),
                c.nodes().stream().map(HaproxyProcess.Backend::of).toList(), tmp.resolve("admin.sock"));
        Path client = Dist.examples().resolve("python/ha_client.py");
        Map<String, String> env = Map.of("PGPASSWORD", ClusterNode.SUPERUSER_PASSWORD);
        String dsn = "dbname=postgres user=" + ClusterNode.SUPERUSER + " application_name=example-client";
        List<String> restArgs = new ArrayList<>();
        c.nodes().forEach(n -> restArgs.addAll(List.of("--api", n.restUrl())));
        restArgs.addAll(List.of("--dsn", dsn, "write", "--table", "example_rest", "--interval", "0.05"));

        try (HaproxyProcess haproxy = HaproxyProcess.start(tmp, config);
                ClientProcess rest = ClientProcess.start("example-rest", "example_rest", client, restArgs, env, c.dir());
                ClientProcess proxied = ClientProcess.start("example-haproxy", "example_haproxy", client,
                        List.of("--haproxy", HAPROXY_ADDRESS + ":" + port, "--dsn", dsn, "write", "--table",
                                "example_haproxy", "--interval", "0.05"), env, c.dir())) {
            List<ClientProcess> clients = List.of(rest, proxied);
            for (ClientProcess p : clients) {
                assertThat(p.awaitAckAfter(0, Duration.ofSeconds(60))).as(p.name() + ": " + p.log()).isTrue();
                assertThat(p.acks().get(0).server()).as("%s writes to the primary", p.name())
                        .isEqualTo(server(leader));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> candidate.get("/replica?lag=1048576").status() == 200);

            long t0 = System.nanoTime();
            ClusterNode.Answer a = leader.post("/switchover",
                    "{\"leader\":\"" + leader.name() + "\",\"candidate\":\"" + candidate.name() + "\"}");
            assertThat(a.status()).as(a.body()).isEqualTo(200);
            for (ClientProcess p : clients) {
                await(p.name() + " writes to " + candidate.name() + " after the switchover")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> p.acks().stream()
                        .anyMatch(x -> x.nanos() > t0 && x.server().equals(server(candidate))));
            }
            for (ClientProcess p : clients) {
                assertThat(p.stop(Duration.ofSeconds(30))).as(p.name() + ": " + p.log()).isZero();
                List<RecordingClient.Ack> acks = p.acks();
                long firstOnNew = acks.stream().filter(x -> x.server().equals(server(candidate))).findFirst()
                        .orElseThrow().nanos();
                assertThat(acks.stream().filter(x -> x.nanos() >= firstOnNew).map(RecordingClient.Ack::server))
                        .as("%s: once the new primary took a write, nothing else did", p.name())
                        .containsOnly(server(candidate));
                assertThat(p.lostOn(candidate)).as("rows %s acknowledged but missing on %s", p.name(),
                        candidate.name()).isEmpty();
            }
            assertThat(c.leaderName()).contains(candidate.name());
        }
    }

    private static String server(ClusterNode n) {
        return n.host() + ":" + n.pgPort();
    }
}
