package io.haagent.rest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.FakeNodeActions;
import io.haagent.api.SnapshotFixtures;
import io.haagent.config.ConfigProblem;
import io.haagent.config.DynamicConfigRules;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.rest.status.Json;
import io.haagent.testing.JsonFuzz;
import io.haagent.time.Clock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzz (seeded, fixed budget, run in CI): hostile bodies to every write endpoint of the route table, over real HTTP.
 * The server never answers 500 (an unhandled case), never stores a configuration the validation refuses, and its
 * health check keeps answering. A failure names the seed that replays it.
 */
class WriteBodiesFuzzTest {
    static final int REQUESTS = 1500;
    static final long SEED = 18_2026L;

    private RestApiHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void hostileBodiesNeverBreakTheServerOrStoreAnInvalidConfiguration() {
        h = new RestApiHarness(RestApiHarness.config(), SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()),
                new FakeNodeActions(SnapshotFixtures.threeMembers()), Clock.SYSTEM,
                RestApiOptions.DEFAULTS.withFailoverPollInterval(Duration.ofMillis(5)));
        // immediate failovers resolve at once instead of polling for 20 s
        h.actions.onFailoverWritten(r -> h.actions.failoverCleared());
        List<Router.Route> writes = Router.routes().stream().filter(Router.Route::writes).toList();
        List<String> problems = new ArrayList<>();
        int[] byClass = new int[6];
        String previous = "none";
        for (int i = 0; i < REQUESTS; i++) {
            long seed = SEED + i;
            JsonFuzz fuzz = new JsonFuzz(seed);
            Router.Route r = fuzz.pick(writes);
            String body = body(fuzz, r);
            HttpResponse<String> answer;
            try {
                answer = h.request(r.method(), "/" + r.segment(), body);
            } catch (RuntimeException e) {
                // the request before it (its answer may have closed the connection this one was sent on)
                problems.add("seed " + seed + ": " + r.method() + " /" + r.segment() + ": no answer: " + e
                        + "; the request before: " + previous);
                previous = "(no answer)";
                continue;
            }
            previous = r.method() + " /" + r.segment() + " answered " + answer.statusCode() + " "
                    + answer.headers().firstValue("connection").map(v -> "(connection: " + v + ")").orElse("")
                    + " to " + (body == null || body.length() <= 200 ? body : body.substring(0, 200) + "...");
            byClass[answer.statusCode() / 100]++;
            if (answer.statusCode() == 500) {
                problems.add("seed " + seed + ": " + r.method() + " /" + r.segment() + " answered 500: "
                        + answer.body());
            }
            if (i % 100 == 0) {
                assertThat(h.get("/health").statusCode()).as("health after seed %d", seed).isEqualTo(200);
            }
        }
        for (Map<String, Object> written : h.actions.configWrites()) {
            List<ConfigProblem> errors = DynamicConfigRules.errors(written);
            if (!errors.isEmpty()) {
                problems.add("an invalid configuration was written: " + errors + " in " + written);
            }
        }
        System.out.printf("WriteBodiesFuzzTest: %d requests, answers 2xx %d, 4xx %d, 5xx %d; %d configurations"
                + " written%n", REQUESTS, byClass[2], byClass[4], byClass[5], h.actions.configWrites().size());
        assertThat(problems).isEmpty();
        assertThat(h.get("/health").statusCode()).isEqualTo(200);
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
        // the budget reached both sides: some writes were accepted, many refused
        assertThat(byClass[2]).isPositive();
        assertThat(byClass[4]).isGreaterThan(REQUESTS / 4);
        assertThat(h.actions.configWrites()).isNotEmpty();
    }

    /** A body for the endpoint: mostly its own shape with hostile values, sometimes garbage. */
    private static String body(JsonFuzz f, Router.Route r) {
        int kind = f.nextInt(10);
        if (kind == 0) {
            return null;
        }
        if (kind == 1) {
            return f.string(); // not JSON, or JSON of the wrong type
        }
        Object doc;
        if (r.segment().equals("config")) {
            doc = f.config(3);
        } else if (kind < 6) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (String k : fields(r.segment())) {
                if (f.chance(60)) {
                    m.put(k, f.chance(40) ? f.pick(List.of("pg1", "pg2", "pg3", "", "pg1\n", "2030-01-01T00:00Z"))
                            : f.value(1));
                }
            }
            doc = m;
        } else {
            doc = f.value(3);
        }
        String json = new String(Json.bytes(doc), StandardCharsets.UTF_8);
        return f.chance(5) ? json.substring(0, json.length() / 2) : json;
    }

    private static List<String> fields(String segment) {
        return switch (segment) {
            case "failover", "switchover" -> List.of("leader", "candidate", "member", "scheduled_at");
            case "restart" -> List.of("schedule", "role", "postgres_version", "timeout", "restart_pending");
            case "reinitialize" -> List.of("force");
            case "failsafe" -> List.of("name", "conn_url", "api_url", "slots");
            default -> List.of("type", "event");
        };
    }
}
