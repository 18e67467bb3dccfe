package io.haagent.rest.http;

import static io.haagent.rest.RestApiHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.api.FakeNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.SnapshotFixtures;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.testing.Samples;
import io.haagent.time.FakeClock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What Patroni 3.0.2 and 4.1.4 answered for a primary and a streaming replica (samples recorded by
 * PatroniSamplesRecorder, io.haagent.testing.Samples) against what ha-agent answers for the same states: every field
 * of {@code /patroni} and every metric of {@code /metrics} they serve, ha-agent serves too, with the role spelled as
 * Patroni 4 spells it in a new cluster.
 */
class PatroniSamplesHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private RestApiHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private void start(NodeSnapshot s) {
        h = new RestApiHarness(RestApiHarness.config(), s, new FakeNodeActions(SnapshotFixtures.threeMembers()), clock,
                RestApiOptions.DEFAULTS);
    }

    @ParameterizedTest
    @CsvSource({"patroni-3.0.2, primary", "patroni-3.0.2, replica", "patroni-4.1.4, primary",
            "patroni-4.1.4, replica"})
    void patroniDocumentHasEveryFieldPatroniServes(String version, String role) throws Exception {
        start("primary".equals(role) ? SnapshotFixtures.primary(clock.nanoTime())
                : SnapshotFixtures.replica(clock.nanoTime()));
        Map<String, Object> theirs = JSON.readValue(Samples.read(version, "patroni-" + role + ".json"), Map.class);
        Map<String, Object> ours = json(h.get("/patroni"));
        assertThat(ours.keySet()).containsAll(theirs.keySet());
        Set<Object> ourXlog = new TreeSet<>(((Map<?, ?>) ours.get("xlog")).keySet());
        assertThat(ourXlog).containsAll(((Map<?, ?>) theirs.get("xlog")).keySet());
        if (version.equals(Samples.PATRONI_4)) {
            assertThat(ours.get("role")).isEqualTo(theirs.get("role"));
        }
    }

    @ParameterizedTest
    @CsvSource({"patroni-3.0.2", "patroni-4.1.4"})
    void metricsHaveEveryMetricPatroniExports(String version) {
        start(SnapshotFixtures.primary(clock.nanoTime()));
        String ours = h.get("/metrics").body();
        Set<String> theirs = names(Samples.read(version, "metrics-primary.txt"));
        assertThat(names(ours)).containsAll(theirs);
        // the same value where the state is the same: a running primary
        for (String m : java.util.List.of("patroni_primary", "patroni_replica", "patroni_postgres_running",
                "patroni_postgres_state", "patroni_quorum_standby", "patroni_sync_standby")) {
            if (theirs.contains(m)) {
                assertThat(value(ours, m)).as(m).isEqualTo(value(Samples.read(version, "metrics-primary.txt"), m));
            }
        }
    }

    private static Set<String> names(String metrics) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\w+) ").matcher(metrics);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(metrics);
        return m.find() ? m.group(1) : null;
    }
}
