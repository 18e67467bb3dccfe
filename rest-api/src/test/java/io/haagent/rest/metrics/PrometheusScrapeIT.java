package io.haagent.rest.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.api.FakeNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RoleChangeKind;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.api.SnapshotFixtures;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.rest.status.Json;
import io.haagent.testing.TestBinaries;
import io.haagent.time.Clock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes three nodes' {@code /metrics} as job {@code patroni} (the seed guide's setup) and
 * answers the monitoring queries: the guide's {@code patroni_role{role="master"}} finds the primary, and the rule
 * we ship instead of the guide's ({@code sum by (scope) (patroni_primary) < 1}) fires when no node is primary.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusScrapeIT {
    @TempDir
    static Path dir;
    static final List<RestApiHarness> NODES = new ArrayList<>();
    static Process prometheus;
    static Thread reaper;
    static int promPort;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final RoleChangeRecorder PG2_CHANGES = new RoleChangeRecorder();

    @BeforeAll
    static void start() throws Exception {
        long now = Clock.SYSTEM.nanoTime();
        PG2_CHANGES.record(RoleChangeKind.SWITCHOVER, Duration.ofMillis(1800));
        PG2_CHANGES.record(RoleChangeKind.SWITCHOVER, Duration.ofMillis(4200));
        for (NodeSnapshot s : List.of(SnapshotFixtures.primary(now),
                SnapshotFixtures.replica(now).toBuilder().roleChangeStats(PG2_CHANGES.stats()).build(),
                NodeSnapshot.builder(SnapshotFixtures.SCOPE, "pg3").build())) {
            NODES.add(new RestApiHarness(RestApiHarness.config(), s, new FakeNodeActions(SnapshotFixtures.threeMembers()),
                    Clock.SYSTEM, RestApiOptions.DEFAULTS));
        }
        StringBuilder targets = new StringBuilder();
        for (RestApiHarness n : NODES) {
            targets.append(targets.length() == 0 ? "" : ", ").append("'127.0.0.1:").append(n.server.port()).append("'");
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "scrape_configs:\n  - job_name: patroni\n    static_configs:\n      - targets: [" + targets + "]\n");
        try (ServerSocket s = new ServerSocket(0)) {
            promPort = s.getLocalPort();
        }
        prometheus = new ProcessBuilder(TestBinaries.onPath("prometheus", "prometheus").toString(),
                "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + promPort, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        reaper = new Thread(() -> prometheus.destroyForcibly());
        Runtime.getRuntime().addShutdownHook(reaper);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(query("sum(up{job=\"patroni\"})")).extracting(PrometheusScrapeIT::value).containsExactly(3.0));
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
        NODES.forEach(RestApiHarness::close);
    }

    @Test
    void theGuidesRoleQueryFindsThePrimary() throws Exception {
        List<Map<String, Object>> masters = query("patroni_role{role=\"master\"}");
        assertThat(masters).hasSize(1);
        assertThat(labels(masters.get(0))).containsEntry("cluster", "batman").containsEntry("name", "pg1")
                .containsEntry("job", "patroni");
        assertThat(query("count(patroni_role{role=\"master\"}) by (cluster)")).extracting(PrometheusScrapeIT::value)
                .containsExactly(1.0);
        // a primary has two series (role="master" and role="primary", whichever spelling the cluster writes)
        assertThat(query("patroni_role")).hasSize(4);
        assertThat(query("patroni_role{role=\"primary\"}")).extracting(m -> labels(m).get("name"))
                .containsExactly("pg1");
        assertThat(query("patroni_role{role=\"uninitialized\"}")).extracting(m -> labels(m).get("name"))
                .containsExactly("pg3");
    }

    @Test
    void everyPatroniMetricWithScopeAndNameLabels() throws Exception {
        List<String> patroni = List.of("patroni_version", "patroni_postgres_running", "patroni_postmaster_start_time",
                "patroni_master", "patroni_primary", "patroni_xlog_location", "patroni_standby_leader",
                "patroni_replica", "patroni_sync_standby", "patroni_xlog_received_location",
                "patroni_xlog_replayed_location", "patroni_xlog_replayed_timestamp", "patroni_xlog_paused",
                "patroni_postgres_streaming", "patroni_postgres_in_archive_recovery", "patroni_postgres_server_version",
                "patroni_cluster_unlocked", "patroni_failsafe_mode_is_active", "patroni_postgres_timeline",
                "patroni_dcs_last_seen", "patroni_pending_restart", "patroni_is_paused",
                // Patroni 4.1's
                "patroni_quorum_standby", "patroni_postgres_state");
        List<Map<String, Object>> pg1 = query("{job=\"patroni\",scope=\"batman\",name=\"pg1\",__name__=~\"patroni_.*\"}");
        assertThat(pg1).extracting(m -> labels(m).get("__name__")).containsExactlyInAnyOrderElementsOf(patroni);
        assertThat(query("patroni_version{name=\"pg1\"}")).extracting(PrometheusScrapeIT::value)
                .containsExactly(30301.0);
        assertThat(query("patroni_postmaster_start_time{name=\"pg1\"}")).extracting(PrometheusScrapeIT::value)
                .containsExactly(1767225600.123456);
    }

    @Test
    void everyNodeExportsPatroniPrimaryAndTheShippedRuleIsQuietWithAPrimary() throws Exception {
        assertThat(query("patroni_primary")).hasSize(3);
        assertThat(query("sum by (scope) (patroni_primary)")).extracting(PrometheusScrapeIT::value)
                .containsExactly(1.0);
        assertThat(query("sum by (scope) (patroni_primary) < 1")).isEmpty();
        assertThat(query("patroni_postgres_server_version{name=\"pg1\"}")).extracting(PrometheusScrapeIT::value)
                .containsExactly(150004.0);
        assertThat(query("patroni_xlog_replayed_location{name=\"pg2\"}")).extracting(PrometheusScrapeIT::value)
                .containsExactly((double) (SnapshotFixtures.LEADER_LSN - 100));
    }

    @Test
    void roleChangeCountersAndHistogram() throws Exception {
        assertThat(query("ha_agent_role_changes_total{name=\"pg2\",kind=\"switchover\"}"))
                .extracting(PrometheusScrapeIT::value).containsExactly(2.0);
        assertThat(query("ha_agent_role_changes_total{kind=\"failover\"}")).hasSize(3)
                .extracting(PrometheusScrapeIT::value).containsOnly(0.0);
        assertThat(query("ha_agent_role_change_duration_seconds_sum{name=\"pg2\",kind=\"switchover\"}"))
                .extracting(PrometheusScrapeIT::value).containsExactly(6.0);
        List<Map<String, Object>> p50 = query(
                "histogram_quantile(0.5, ha_agent_role_change_duration_seconds_bucket{name=\"pg2\",kind=\"switchover\"})");
        assertThat(value(p50.get(0))).isBetween(1.0, 3.0);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void theShippedRuleFiresWhenNoNodeIsPrimary() throws Exception {
        // pg1 loses the lock and comes back as a replica: nobody exports patroni_primary 1 any more.
        NODES.get(0).board.publish(SnapshotFixtures.replica(Clock.SYSTEM.nanoTime()));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(query("sum by (scope) (patroni_primary) < 1")).extracting(m -> labels(m).get("scope"))
                        .containsExactly("batman"));
        // The guide's form never fires: count() over no series is no result, not 0.
        assertThat(query("count(patroni_role{role=\"master\"}) by (cluster) == 0")).isEmpty();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + promPort + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        Map<String, Object> doc = (Map<String, Object>) Json.parse(r.body());
        return (List<Map<String, Object>>) ((Map<String, Object>) doc.get("data")).get("result");
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> labels(Map<String, Object> sample) {
        return (Map<String, String>) sample.get("metric");
    }

    @SuppressWarnings("unchecked")
    static double value(Map<String, Object> sample) {
        return Double.parseDouble(((List<Object>) sample.get("value")).get(1).toString());
    }
}
