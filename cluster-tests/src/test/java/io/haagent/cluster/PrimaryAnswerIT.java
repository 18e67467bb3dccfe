package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GET /primary during a switchover follows who takes writes (issue 17), not only who holds the lock: the old
 * primary answers 503 from the moment it stops taking writes (after its pre-stop checkpoint), before its postgres
 * stops and while it still holds the lock, naming the candidate in {@code primary_change}; the candidate answers 503 ("promoting") while it holds
 * the lock but is not promoted yet, and 200 once its postgres takes writes. The windows are held open by a
 * {@code before_stop} and a {@code pre_promote} hook that each sleep, so every step is observed, not raced.
 */
class PrimaryAnswerIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void slashPrimaryFollowsWhoTakesWritesDuringASwitchover() throws Exception {
        TestCluster c = clusters.start(ClusterSpec.of(2).firstOctet(176)
                .local("before_stop", "sleep 4").local("pre_promote", "sleep 4"));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));
        ClusterNode candidate = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> candidate.get("/replica?lag=1048576").status() == 200);
        assertThat(leader.get("/primary").status()).isEqualTo(200);

        CompletableFuture<ClusterNode.Answer> switchover = CompletableFuture.supplyAsync(() -> leader.post(
                "/switchover", "{\"leader\":\"" + leader.name() + "\",\"candidate\":\"" + candidate.name() + "\"}"));

        // the old primary is stepping down: 503 at once, while before_stop holds its postgres running and the lock
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> leader.get("/primary").status() == 503);
        JsonNode change = leader.get("/primary").json().path("primary_change");
        assertThat(change.path("step").asText()).isEqualTo("demoting");
        assertThat(change.path("to").path("name").asText()).isEqualTo(candidate.name());
        assertThat(change.path("to").path("port").asInt()).isEqualTo(candidate.pgPort());
        assertThat(leader.isWritablePrimary()).as("its postgres still runs, before_stop holds the stop").isTrue();
        assertThat(leader.get("/leader").status()).as("it still holds the lock").isEqualTo(200);

        // the candidate took the lock; pre_promote holds its promotion: 503, saying it is being promoted
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> candidate.get("/leader").status() == 200);
        ClusterNode.Answer promoting = candidate.get("/primary");
        assertThat(promoting.status()).isEqualTo(503);
        assertThat(promoting.json().path("primary_change").path("step").asText()).isEqualTo("promoting");
        assertThat(promoting.json().path("primary_change").path("to").path("name").asText())
                .isEqualTo(candidate.name());
        assertThat(candidate.isWritablePrimary()).isFalse();

        // 200 only once its postgres takes writes
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> candidate.get("/primary").status() == 200);
        assertThat(candidate.isWritablePrimary()).isTrue();
        assertThat(candidate.get("/primary").json().has("primary_change")).isFalse();
        ClusterNode.Answer outcome = switchover.get(60, TimeUnit.SECONDS);
        assertThat(outcome.status()).as(outcome.body()).isEqualTo(200);
        assertThat(leader.get("/primary").status()).isEqualTo(503);
    }
}
