package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.config.restclient.RestClientSettings;
import io.haagent.config.restclient.RestClientTls;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 item 2: member-to-member calls over REST TLS as many operators set it up, a self-signed certificate
 * without subjectAltName and {@code verify_client: required}. Each step needs the members to reach each other's
 * API: the election and the switchover check the candidate's {@code GET /patroni}, a crashed primary with
 * {@code master_start_timeout: 0} fails over only when it can see a healthy replica, and in failsafe mode the
 * primary keeps running only while every replica accepts its {@code POST /failsafe}. Before, each call failed (host
 * name and certificate verified, no client certificate sent): a switchover refused as "not reachable", the crashed
 * primary restarted in place, the primary demoted itself when etcd stopped.
 */
class RestTlsIT {
    private static final int TTL = 20;

    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void membersCallEachOtherOverTlsWithASelfSignedCertificateAndClientCertificatesRequired() {
        TestCluster c = clusters.start(ClusterSpec.of(3).firstOctet(131).restTls().timing(TTL, 3, 5)
                .dynamic("failsafe_mode", true).dynamic("master_start_timeout", 0));
        ClusterNode first = c.awaitHealthy(Duration.ofSeconds(120));
        assertThat(first.restUrl()).startsWith("https://");
        first.sql("CREATE TABLE tls_probe AS SELECT 1 AS step");
        PrimaryWatch watch = c.watchPrimaries();

        // without a client certificate the API refuses the connection (verify_client: required)
        assertThat(plainTlsCallFails(first)).isTrue();

        // a switchover in pause mode: the leader checks the candidate's GET /patroni before it steps down
        ClusterNode.Answer pause = first.patch("/config", "{\"pause\":true}");
        assertThat(pause.status()).as(pause.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> c.nodes().stream()
                .allMatch(n -> n.patroni() != null && n.patroni().path("pause").asBoolean(false)));
        ClusterNode second = c.nodes().stream().filter(n -> n != first).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> second.get("/replica?lag=1048576").status() == 200);
        ClusterNode.Answer switchover = first.post("/switchover",
                "{\"leader\":\"" + first.name() + "\",\"candidate\":\"" + second.name() + "\"}");
        assertThat(switchover.status()).as(switchover.body() + "\n" + c.logs(30)).isEqualTo(200);
        assertThat(switchover.body()).contains("Successfully switched over to \"" + second.name() + "\"");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> c.leaderName().orElse("").equals(second.name()) && second.isWritablePrimary());
        // still paused, the old primary runs again as a replica of the new one (Patroni's graceful demote starts it)
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> first.get("/replica").status() == 200);
        ClusterNode.Answer resume = second.patch("/config", "{\"pause\":false}");
        assertThat(resume.status()).as(resume.body()).isEqualTo(200);
        assertThat(c.awaitHealthy(Duration.ofSeconds(90))).isEqualTo(second);
        second.sql("INSERT INTO tls_probe VALUES (2)");

        // the primary's postgres crashes; master_start_timeout: 0 and a healthy replica in reach: fail over
        await().atMost(Duration.ofSeconds(30)).until(() -> c.nodes().stream().filter(n -> n != second)
                .allMatch(n -> n.get("/replica?lag=1048576").status() == 200));
        second.killPostmaster();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> !c.leaderName().orElse(second.name()).equals(second.name()));
        ClusterNode third = c.awaitHealthy(Duration.ofSeconds(120));
        assertThat(third).isNotEqualTo(second);
        assertThat(second.logContains("stopped PostgreSQL to fail over after a crash"))
                .as("failed over (the replicas' GET /patroni answered), not restarted in place").isTrue();
        assertThat(c.awaitHealthy(Duration.ofSeconds(120))).as(c.logs(40)).isEqualTo(third);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> third.sql("SELECT count(*) FROM tls_probe").equals(List.of("2")));

        // failsafe: etcd stops; the primary keeps running while every replica accepts its POST /failsafe
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            var failsafe = c.view().failsafe();
            return failsafe != null && failsafe.keySet().containsAll(List.of("pg1", "pg2", "pg3"));
        });
        long lease = c.leaderLease();
        long expiresNotBefore = c.leaseExpiresNotBefore(lease).orElseThrow();
        long stoppedAt = System.nanoTime();
        c.etcd().member(0).stop();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> c.nodes().stream().filter(n -> n != third)
                .allMatch(n -> n.patroni().path("failsafe_mode_is_active").asBoolean(false)));
        // the lease has long expired: without failsafe the primary would have demoted itself after retry_timeout
        await().atMost(Duration.ofSeconds(90)).until(() -> System.nanoTime() > expiresNotBefore
                + Duration.ofSeconds(TTL).toNanos());
        assertThat(third.isWritablePrimary()).as(c.logs(40)).isTrue();
        assertThat(third.patroni().path("failsafe_mode_is_active").asBoolean(false)).isTrue();
        assertThat(third.logContains("continue to run as a leader because failsafe mode is enabled and all members"
                + " are accessible")).isTrue();
        watch.awaitNextSample();
        assertThat(watch.samples().stream().filter(s -> s.startNanos() > stoppedAt
                && !Boolean.TRUE.equals(s.writable().get(third.name()))).toList())
                .as("%s stayed writable with etcd stopped\n%s", third.name(), c.logs(40)).isEmpty();
        third.sql("INSERT INTO tls_probe VALUES (3)");

        c.etcd().restart(c.etcd().member(0));
        assertThat(c.awaitHealthy(Duration.ofSeconds(120))).isEqualTo(third);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> c.nodes().stream()
                .allMatch(n -> !n.patroni().path("failsafe_mode_is_active").asBoolean(false)));
        watch.assertNeverTwoPrimaries();
    }

    /** True when a TLS call that presents no client certificate (and checks nothing of the server) gets no answer. */
    private static boolean plainTlsCallFails(ClusterNode n) {
        var client = RestClientTls.httpClient(new RestClientSettings(null, null, null, null, null, null, false,
                "restapi", "restapi.cafile"), Duration.ofSeconds(2));
        try {
            var r = client.send(HttpRequest.newBuilder(URI.create(n.restUrl() + "/patroni"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() != 200;
        } catch (IOException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
