package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.ctl.Agentctl;
import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.config.DynamicConfigRules;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.testing.JsonFuzz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18 against real agents (packaging/target/dist), real etcd and PostgreSQL 15: hostile REST bodies and etcd
 * values, and what the agents must do about them. Throughout: no agent dies, the primary's health check answers,
 * postgresql.conf holds only settings PostgreSQL reads back as written, and there is never a second primary.
 */
class HardeningIT {
    /** One line of the agent's postgresql.conf: a comment, an include, or name = 'quoted value'. */
    private static final Pattern CONF_LINE = Pattern.compile(
            "(#.*|include '([^'\\\\\\n]|''|\\\\\\\\)*'|[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)? = '([^'\\\\\\n]|''|\\\\\\\\)*'|)");

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private TestCluster c;

    private String stored() {
        return c.etcd().etcdctl("get", "--print-value-only", "/service/batman/config").strip();
    }

    private void assertSound(ClusterNode primary) {
        for (ClusterNode n : c.nodes()) {
            assertThat(n.agentAlive()).as("agent %s alive", n.name()).isTrue();
            assertThat(n.postgresProcesses()).as("postgres of %s", n.name()).isNotEmpty();
            assertConfFile(n);
        }
        // answered (on a loaded machine a single check may miss its 2 s connect timeout; timing is SlowClientsHttpTest's)
        await().atMost(Duration.ofSeconds(30)).until(() -> primary.get("/health").status() == 200);
        assertThat(c.writablePrimaries()).hasSizeLessThanOrEqualTo(1);
    }

    private static void assertConfFile(ClusterNode n) {
        Path conf = n.dataDir().resolve("postgresql.conf");
        List<String> lines;
        try {
            lines = Files.readAllLines(conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(lines).as("%s's postgresql.conf", n.name()).allMatch(l -> CONF_LINE.matcher(l).matches())
                .noneMatch(l -> l.startsWith("hba_file = '/etc") || l.startsWith("work_mem = '4MB"));
    }

    @Test
    void hostileRestBodiesAndEtcdValuesNeitherStopNorMisleadTheAgents() throws Exception {
        c = clusters.start(ClusterSpec.of(2).firstOctet(71));
        ClusterNode primary = c.awaitHealthy(Duration.ofSeconds(120));
        ClusterNode replica = c.nodes().stream().filter(n -> n != primary).findFirst().orElseThrow();
        c.awaitStreaming(primary, replica, Duration.ofSeconds(60));
        PrimaryWatch watch = c.watchPrimaries();
        String good = stored();

        // defect 1: injection into postgresql.conf through PATCH /config is refused; nothing is written
        ClusterNode.Answer injected = primary.patch("/config",
                "{\"postgresql\":{\"parameters\":{\"work_mem\":\"4MB\\nfsync = off\",\"hba_file\":\"/etc/passwd\"}}}");
        assertThat(injected.status()).as(injected.body()).isEqualTo(400);
        assertThat(injected.json().path("problems")).hasSize(2);
        assertThat(stored()).isEqualTo(good);

        // a config key written by hand that fails the validation is not applied: no demotion, no injected line,
        // the refusal shown by /patroni and agentctl list; a valid one is applied again
        c.etcd().etcdctl("put", "/service/batman/config", "{\"ttl\":20,\"loop_wait\":3,\"retry_timeout\":5,"
                + "\"standby_cluster\":{\"host\":5},\"postgresql\":{\"parameters\":{\"work_mem\":\"4MB\\nfsync = off\"}}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var doc = primary.patroni();
            return doc != null && doc.has("config_rejected");
        });
        assertThat(primary.patroni().path("config_rejected").path("problems").toString())
                .contains("standby_cluster.host").contains("postgresql.parameters.work_mem");
        Agentctl.Result list = new Agentctl(primary.config()).run("list");
        assertThat(list.out()).contains("Configuration not applied: the config key (revision");
        // three loop_waits: the leader keeps its lock and its role (the refused standby_cluster would demote it)
        await().during(Duration.ofSeconds(9)).atMost(Duration.ofSeconds(20)).until(() -> c.leaderName()
                .filter(primary.name()::equals).isPresent() && !primary.logContains("demot"));
        assertThat(primary.isWritablePrimary()).isTrue();
        assertSound(primary);
        ClusterNode.Answer put = primary.request("PUT", "/config", good);
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var doc = primary.patroni();
            return doc != null && !doc.has("config_rejected");
        });

        // defect 4: a leader value naming no member, on the leader's own lease: the owner deletes it, a leader is
        // elected again (the old primary demotes first: it does not hold the lock any more)
        c.awaitHealthy(Duration.ofSeconds(60));
        // --ignore-lease keeps the key on its lease; it needs the key to exist (the leader may be between renewals
        // on a loaded machine): retried until it lands
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            c.etcd().etcdctl("put", "--ignore-lease", "/service/batman/leader", "ghost\nERROR forged");
            return true;
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> c.leaderName().filter(n -> !n.startsWith("ghost")).isPresent()
                        && c.writablePrimaries().size() == 1);
        ClusterNode afterGhost = c.awaitHealthy(Duration.ofSeconds(60));
        assertThat(c.nodes().stream().anyMatch(n -> n.logContains("deleted the leader key: it named no member")))
                .isTrue();
        // the same without any lease: it would never expire; an agent deletes it
        c.etcd().etcdctl("put", "/service/batman/leader", "nobody");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> c.leaderName().filter(n -> !n.equals("nobody")).isPresent()
                        && c.writablePrimaries().size() == 1);
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(60));

        // defect 7: a member key holding non-JSON gets no slot (100 kB: a command-line argument is at most 128 kB;
        // the 1.3 MB of the report is in MemberCodecTest)
        c.etcd().etcdctl("put", "/service/batman/members/junk", "\u0001garbage\n".repeat(10_000));
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(20)).until(() ->
                leader.sql("SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'junk'").isEmpty());
        c.etcd().etcdctl("del", "/service/batman/members/junk");

        // fuzz: hostile values into the keys, hostile bodies to the writes, for a fixed budget
        JsonFuzz f = new JsonFuzz(18);
        List<String> keys = List.of("config", "failover", "sync", "history", "status", "failsafe", "members/x1",
                "optime/leader");
        for (int i = 0; i < 60; i++) {
            String key = f.pick(keys);
            String value = f.chance(50) ? f.string() : json(key.equals("config") ? f.config(3) : f.value(3));
            // etcdctl takes the value as an argument, which cannot hold a NUL (EtcdValuesFuzzTest covers NULs)
            value = value.replace('\u0000', '0');
            c.etcd().etcdctl("put", "--", "/service/batman/" + key, value.isEmpty() ? " " : value);
            String[] write = f.pick(List.of(new String[] {"PATCH", "/config"}, new String[] {"PUT", "/config"},
                    new String[] {"POST", "/restart"}, new String[] {"POST", "/reinitialize"},
                    new String[] {"POST", "/mpp"}, new String[] {"POST", "/failsafe"}));
            String body = json(write[1].equals("/config") ? f.config(3) : f.value(2));
            ClusterNode target = f.pick(c.nodes());
            ClusterNode.Answer a = target.request(write[0], write[1], body);
            assertThat(a.status()).as("%s %s %s: %s", write[0], write[1], body, a.body()).isNotIn(0, 500);
            if (i % 10 == 0) {
                assertThat(target.get("/health").status()).isIn(200, 503);
                for (ClusterNode n : c.nodes()) {
                    assertThat(n.agentAlive()).as("agent %s alive after step %d", n.name(), i).isTrue();
                }
            }
        }
        // whatever the agents wrote into config meanwhile is valid; put the good one back and let them settle
        for (String k : List.of("failover", "sync", "failsafe", "members/x1", "optime/leader")) {
            c.etcd().etcdctl("del", "/service/batman/" + k);
        }
        c.etcd().etcdctl("put", "/service/batman/config", good);
        ClusterNode settled = c.awaitHealthy(Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertSound(settled));
        @SuppressWarnings("unchecked")
        Map<String, Object> now = JSON.readValue(stored(), Map.class);
        assertThat(DynamicConfigRules.errors(now)).isEmpty();
        watch.awaitNextSample();
        watch.assertNeverTwoPrimaries();
        List<String> forged = new ArrayList<>();
        for (ClusterNode n : c.nodes()) {
            for (String line : Files.readAllLines(n.log(), StandardCharsets.UTF_8)) {
                if (line.startsWith("ERROR forged") || line.indexOf('\u0000') >= 0) {
                    forged.add(n.name() + ": " + line);
                }
            }
        }
        assertThat(forged).as("log lines forged by values from etcd").isEmpty();
    }
}
