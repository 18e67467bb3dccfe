package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11, migration safety: a node whose file has an {@code etcd:} (v2) section, while this scope's keys are in
 * the v2 key space of that etcd (Patroni nodes using the v2 API), refuses to start with one line that says why and
 * what to do; with the v2 key space empty it starts as usual.
 */
class EtcdV2GuardIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void refusesToStartWhileThisScopesKeysAreInTheV2KeySpace() throws Exception {
        TestCluster c = clusters.create(ClusterSpec.of(1).firstOctet(246).etcdV2());
        ClusterNode n = c.node(1);
        ObjectNode root = (ObjectNode) JSON.readTree(n.config().toFile());
        root.set("etcd", root.remove("etcd3")); // Patroni's v2 section name
        Files.writeString(n.config(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        String endpoint = c.etcd().clientUrls().get(0);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/v2/keys/service/batman/leader"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("value=pg9")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);

        n.start();
        assertThat(n.agentExitCode(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(Files.readString(n.log())).contains("the etcd v2 key space of " + endpoint
                + " holds this cluster's keys (/service/batman/)").contains("not starting");
        assertThat(n.postmasterPid()).as("no postgres was started").isEmpty();

        // the v2 keys gone (the Patroni nodes moved to etcd3:), the same file starts a node
        HttpResponse<String> del = http.send(HttpRequest.newBuilder(URI.create(endpoint
                + "/v2/keys/service/batman?recursive=true")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
        n.start();
        c.awaitHealthy(Duration.ofSeconds(120));
        assertThat(Files.readString(n.log())).containsOnlyOnce("not starting");
    }
}
