package io.haagent.rest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.FakeNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.PostgresStatus;
import io.haagent.api.RoleChangeKind;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.api.SnapshotFixtures;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.testing.TestBinaries;
import io.haagent.time.Clock;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} read by Prometheus' own text-format parser ({@code promtool check metrics}) for nodes in every
 * role. The only lint findings allowed are those Patroni's metric names carry (counters without {@code _total});
 * those names are the compatibility contract and cannot change.
 */
class PromtoolMetricsIT {
    static final List<String> PATRONI_NAME_LINTS = List.of(
            "patroni_postgres_timeline counter metrics should have \"_total\" suffix",
            "patroni_xlog_location counter metrics should have \"_total\" suffix",
            "patroni_xlog_received_location counter metrics should have \"_total\" suffix",
            "patroni_xlog_replayed_location counter metrics should have \"_total\" suffix");

    @Test
    void everyRoleParses() throws Exception {
        long now = Clock.SYSTEM.nanoTime();
        RoleChangeRecorder changes = new RoleChangeRecorder();
        changes.record(RoleChangeKind.FAILOVER, Duration.ofMillis(2300));
        changes.record(RoleChangeKind.CRASH_RESTART, Duration.ofMillis(700));
        List<NodeSnapshot> nodes = List.of(
                SnapshotFixtures.primary(now).toBuilder().roleChangeStats(changes.stats()).build(),
                SnapshotFixtures.replica(now),
                SnapshotFixtures.replica(now).toBuilder().postgres(PostgresStatus.notQueried("stopped", "replica"))
                        .build(),
                NodeSnapshot.builder("we \"quote\" \\ scopes", "odd\nname").build());
        for (NodeSnapshot s : nodes) {
            try (RestApiHarness h = new RestApiHarness(RestApiHarness.config(), s,
                    new FakeNodeActions(SnapshotFixtures.threeMembers()), Clock.SYSTEM, RestApiOptions.DEFAULTS)) {
                HttpResponse<String> r = h.get("/metrics");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
                String[] result = promtool(r.body());
                assertThat(result[0]).as("promtool output for %s/%s:%n%s", s.scope(), s.name(), result[1])
                        .isIn("0", "3");
                List<String> findings = Arrays.stream(result[1].split("\n")).map(String::trim)
                        .filter(l -> !l.isEmpty()).toList();
                assertThat(PATRONI_NAME_LINTS).as("promtool findings").containsAll(findings);
            }
        }
    }

    @Test
    void promtoolDoesCatchABrokenExposition() throws Exception {
        String[] result = promtool("# TYPE x gauge\nx{a=\"b} 1\n");
        assertThat(result[0]).isEqualTo("1");
        assertThat(result[1]).contains("parsing error");
    }

    /** {exit code, combined output} of {@code promtool check metrics} fed with {@code text}. */
    static String[] promtool(String text) throws Exception {
        Process p = new ProcessBuilder(TestBinaries.onPath("promtool", "prometheus").toString(), "check", "metrics")
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), out};
    }
}
