package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.cluster.TimelineHistory;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.codec.ConfigCodec;
import io.haagent.dcs.codec.FailoverCodec;
import io.haagent.dcs.codec.FailsafeCodec;
import io.haagent.dcs.codec.HistoryCodec;
import io.haagent.dcs.codec.MemberCodec;
import io.haagent.dcs.codec.PythonJson;
import io.haagent.dcs.codec.StatusCodec;
import io.haagent.dcs.codec.SyncCodec;
import io.haagent.testing.EtcdExtension;
import io.haagent.testing.TestBinaries;
import io.haagent.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed Patroni (3.0.2, its own {@code Etcd3} class and {@code patronictl}) against the same etcd:
 * Patroni reads what EtcdDcs writes, and EtcdDcs reads what Patroni writes and, re-encoding it, produces the
 * same bytes.
 */
class PatroniInteropIT {
    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.singleMember();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final String scope = "interop-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));

    private EtcdDcs connect(String name) {
        return EtcdDcs.connect(EtcdContractSupport.config(ETCD.clientUrls()), "/service/", scope, name, 20, 10,
                Clock.SYSTEM);
    }

    private String endpoint() {
        URI u = URI.create(ETCD.clientUrls().get(0));
        return u.getHost() + ":" + u.getPort();
    }

    /** The interpreter patronictl runs with (its shebang), so the probe imports the same Patroni. */
    private static String python() throws IOException {
        Path patronictl = TestBinaries.onPath("patronictl", "patroni");
        String first = Files.readAllLines(patronictl).get(0);
        assertThat(first).as("patronictl's interpreter line").startsWith("#!");
        return first.substring(2).trim().split("\\s+")[0];
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s:%n%s", cmd, out).isZero();
        return out;
    }

    private JsonNode probe(String... args) throws Exception {
        Path script = Path.of(PatroniInteropIT.class.getResource("/patroni_probe.py").toURI());
        List<String> cmd = new ArrayList<>(List.of(python(), script.toString()));
        cmd.addAll(List.of(args));
        String out = run(cmd);
        return JSON.readTree(out.substring(out.lastIndexOf("\n{") + 1));
    }

    private String raw(String relative) {
        return ETCD.cluster().etcdctl("get", DcsKeys.of("service", scope).key(relative), "--print-value-only")
                .replaceAll("\n$", "");
    }

    @Test
    void patroniReadsWhatWeWrite() throws Exception {
        try (EtcdDcs pg1 = connect("pg1"); EtcdDcs pg2 = connect("pg2")) {
            Map<String, Object> tags = new LinkedHashMap<>();
            tags.put("nofailover", false);
            tags.put("zone", "z\u00fcrich");
            Member leader = Member.builder("pg1").connUrl("postgres://127.0.0.11:5432/postgres")
                    .apiUrl("http://127.0.0.11:8008/patroni").state("running").role("master").version("3.3.1")
                    .checkpointAfterPromote(false).tags(new Tags(tags)).xlogLocation(50331744L).timeline(2).build();
            pg1.touchMember(leader);
            pg2.touchMember(Member.builder("pg2").connUrl("postgres://127.0.0.12:5432/postgres")
                    .apiUrl("http://127.0.0.12:8008/patroni").state("running").role(Role.REPLICA).version("3.3.1")
                    .xlogLocation(50331000L).replicationState("streaming").timeline(2).build());
            assertThat(pg1.initialize(true, "7302012345678901234")).isTrue();
            assertThat(pg1.acquireLeader()).isTrue();
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("ttl", 20);
            config.put("loop_wait", 2);
            config.put("postgresql", Map.of("use_pg_rewind", true));
            assertThat(pg1.setConfig(config, 0)).isTrue();
            OffsetDateTime at = OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 123456000, ZoneOffset.UTC);
            assertThat(pg1.setFailover(FailoverRequest.of("pg1", "pg2", at), Dcs.ANY_REVISION)).isTrue();
            assertThat(pg1.setSync(new SyncState("pg1", List.of("pg2"), 0), 0)).isTrue();
            pg1.setHistory(new TimelineHistory(List.of(new TimelineHistory.Line(1, 50331808,
                    "no recovery target specified", "2026-01-01T10:00:00.123456+00:00", "pg1")), false, 0));
            pg1.writeStatus(ClusterStatus.of(67108864, Map.of("perm", 67100000L)));
            pg1.writeFailsafe(Map.of("pg1", "http://127.0.0.11:8008/patroni"));
            long lease = pg1.freshCluster().leader().lease();

            JsonNode seen = probe("read", endpoint(), "/service/", scope);
            assertThat(seen.get("initialize").asText()).isEqualTo("7302012345678901234");
            assertThat(seen.get("leader").asText()).isEqualTo("pg1");
            assertThat(seen.get("leader_session").asText()).isEqualTo(Long.toString(lease));
            assertThat(seen.get("last_lsn").asLong()).isEqualTo(67108864L);
            assertThat(seen.get("slots").get("perm").asLong()).isEqualTo(67100000L);
            assertThat(seen.get("config")).isEqualTo(JSON.valueToTree(config));
            JsonNode m = seen.get("members").get("pg1");
            assertThat(m.get("data")).isEqualTo(JSON.readTree(MemberCodec.encode(leader)));
            assertThat(m.get("role").asText()).isEqualTo("master");
            assertThat(m.get("is_running").asBoolean()).isTrue();
            assertThat(m.get("nofailover").asBoolean()).isFalse();
            assertThat(m.get("tags").get("zone").asText()).isEqualTo("z\u00fcrich");
            assertThat(m.get("version")).isEqualTo(JSON.readTree("[3,3,1]"));
            assertThat(seen.get("members").get("pg2").get("data").get("replication_state").asText())
                    .isEqualTo("streaming");
            assertThat(seen.get("failover").get("leader").asText()).isEqualTo("pg1");
            assertThat(seen.get("failover").get("candidate").asText()).isEqualTo("pg2");
            assertThat(OffsetDateTime.parse(seen.get("failover").get("scheduled_at").asText())).isEqualTo(at);
            assertThat(seen.get("sync").get("leader").asText()).isEqualTo("pg1");
            assertThat(seen.get("sync").get("members")).isEqualTo(JSON.readTree("[\"pg2\"]"));
            assertThat(seen.get("history").get(0).get(4).asText()).isEqualTo("pg1");
            assertThat(seen.get("timeline").asInt()).isEqualTo(2);
            assertThat(seen.get("failsafe").get("pg1").asText()).isEqualTo("http://127.0.0.11:8008/patroni");

            // and patronictl, as an operator runs it
            Path cfg = tmp.resolve("patronictl.yml");
            Files.writeString(cfg, "scope: " + scope + "\nnamespace: /service/\netcd3:\n  hosts: " + endpoint() + "\n");
            JsonNode list = JSON.readTree(run(List.of(TestBinaries.onPath("patronictl", "patroni").toString(), "-c",
                    cfg.toString(), "list", "-f", "json")));
            assertThat(list).hasSize(2);
            Map<String, String> roles = new LinkedHashMap<>();
            list.forEach(row -> roles.put(row.get("Member").asText(), row.get("Role").asText()));
            assertThat(roles).containsEntry("pg1", "Leader").containsEntry("pg2", "Sync Standby");
            String shown = run(List.of(TestBinaries.onPath("patronictl", "patroni").toString(), "-c", cfg.toString(),
                    "show-config"));
            assertThat(shown).contains("loop_wait: 2").contains("use_pg_rewind: true");
        }
    }

    @Test
    void weReadWhatPatroniWritesAndWriteTheSameBytesBack() throws Exception {
        JsonNode wrote = probe("write", endpoint(), "/service/", scope, "py1");
        try (EtcdDcs ours = connect("ours")) {
            ClusterView v = ours.freshCluster();
            assertThat(v.leaderName()).isEqualTo("py1");
            assertThat(v.leader().lease()).isEqualTo(wrote.get("lease").asLong());
            Member py1 = v.member("py1").orElseThrow();
            assertThat(py1.roleEnum()).isEqualTo(Role.PRIMARY);
            assertThat(py1.lease()).isEqualTo(v.leader().lease());
            assertThat(py1.xlogLocation()).isEqualTo(50331744L);
            assertThat(py1.tags().get("zone")).isEqualTo("z\u00fcrich");
            assertThat(v.config().data()).containsEntry("loop_wait", 2);
            assertThat(v.failover().candidate()).isEqualTo("py2");
            assertThat(v.failover().scheduledAt())
                    .isEqualTo(OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 123456000, ZoneOffset.UTC));
            assertThat(v.sync().syncStandbys()).containsExactly("py2", "py3");
            assertThat(v.timeline()).isEqualTo(2);
            assertThat(v.lastLsn()).isEqualTo(67108864L);
            assertThat(v.status().slots()).containsEntry("perm", 67100000L);
            assertThat(v.failsafe()).containsEntry("py1", "http://127.0.0.41:8008/patroni");

            // byte for byte: what we would write for the state we read is what Patroni wrote
            assertThat(MemberCodec.encode(py1)).isEqualTo(raw("members/py1"));
            assertThat(ConfigCodec.encode(v.config().data())).isEqualTo(raw("config"));
            assertThat(FailoverCodec.encode(v.failover())).isEqualTo(raw("failover"));
            assertThat(SyncCodec.encode(v.sync())).isEqualTo(raw("sync"));
            assertThat(HistoryCodec.encode(v.history())).isEqualTo(raw("history"));
            assertThat(StatusCodec.encode(v.status())).isEqualTo(raw("status"));
            assertThat(FailsafeCodec.encode(v.failsafe())).isEqualTo(raw("failsafe"));
            assertThat(PythonJson.parse(raw("members/py1"))).isEqualTo(JSON.convertValue(wrote.get("member"), Map.class));

            // Patroni's lock is Patroni's: we neither take nor release it
            assertThat(ours.acquireLeader()).isFalse();
            assertThat(ours.releaseLeader(null)).isFalse();
            assertThat(ours.renewLeader()).isFalse();
            assertThat(ours.freshCluster().leader().lease()).isEqualTo(wrote.get("lease").asLong());
        }
    }
}
