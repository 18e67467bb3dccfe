package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.testing.EtcdCluster;
import io.haagent.testing.TestBinaries;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus with examples/prometheus's rules scraping a running cluster's {@code /metrics} as job
 * {@code patroni}, asked every query of examples/grafana's dashboard (issue 16): each must parse and return at least
 * one series for the cluster's scope. Grafana's variables are replaced as Grafana would ($scope by the cluster).
 */
final class DashboardCheck implements AutoCloseable {
    static final Path DASHBOARD = Dist.examples().resolve("grafana/ha-agent-dashboard.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process prometheus;
    private final int port;

    private DashboardCheck(Process prometheus, int port) {
        this.prometheus = prometheus;
        this.port = port;
    }

    /** Starts Prometheus on 127.0.0.1 scraping {@code targets} (host:port) every second; waits until all are up. */
    static DashboardCheck scraping(Path dir, List<String> targets) throws Exception {
        Files.createDirectories(dir);
        Files.copy(Dist.examples().resolve("prometheus/ha-agent-rules.yml"), dir.resolve("ha-agent-rules.yml"));
        StringBuilder list = new StringBuilder();
        for (String t : targets) {
            list.append(list.length() == 0 ? "" : ", ").append('\'').append(t).append('\'');
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "rule_files:\n  - ha-agent-rules.yml\n"
                + "scrape_configs:\n  - job_name: patroni\n    static_configs:\n      - targets: [" + list + "]\n");
        int port = EtcdCluster.freePort("127.0.0.1");
        Process p = new ProcessBuilder(TestBinaries.onPath("prometheus", "prometheus").toString(),
                "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        DashboardCheck c = new DashboardCheck(p, port);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(c.query("sum(up{job=\"patroni\"})")).extracting(DashboardCheck::value)
                            .containsExactly((double) targets.size()));
        } catch (Throwable e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The dashboard's queries by panel title (a panel with several queries: title #refId). */
    static Map<String, String> dashboardQueries() throws IOException {
        JsonNode dash = JSON.readTree(DASHBOARD.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode t : panel.get("targets")) {
                out.put(panel.get("title").asText() + " #" + t.get("refId").asText(), t.get("expr").asText());
            }
        }
        return out;
    }

    /** Every query of the dashboard, for {@code scope}: returns the failures (empty when each answered data). */
    List<String> emptyOrFailingQueries(String scope) throws Exception {
        List<String> bad = new ArrayList<>();
        for (var e : dashboardQueries().entrySet()) {
            String promql = e.getValue().replace("$scope", scope).replace("$__rate_interval", "1m")
                    .replace("$__range", "5m").replace("$__interval", "1s");
            try {
                if (query(promql).isEmpty()) {
                    bad.add(e.getKey() + ": no series for " + promql);
                }
            } catch (AssertionError | IOException ex) {
                bad.add(e.getKey() + ": " + ex.getMessage());
            }
        }
        return bad;
    }

    List<JsonNode> query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(promql + ": " + r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.body()).get("data").get("result").forEach(out::add);
        return out;
    }

    static double value(JsonNode sample) {
        return Double.parseDouble(sample.get("value").get(1).asText());
    }

    static String label(JsonNode sample, String name) {
        JsonNode v = sample.get("metric").get(name);
        return v == null ? null : v.asText();
    }

    @Override
    public void close() {
        prometheus.destroy();
        try {
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            prometheus.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
