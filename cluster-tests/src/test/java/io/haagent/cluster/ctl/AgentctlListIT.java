package io.haagent.cluster.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.testing.EtcdCluster;
import io.haagent.testing.TestBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentctl's reading commands against a running three-node cluster in synchronous mode, through the real launcher:
 * list in every format and side by side with patronictl, topology, watch, show-config, history, dsn, version, query;
 * and members that do not answer, clusters that do not exist, etcd that does not answer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentctlListIT {
    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster(ClusterSpec.of(3).firstOctet(41)
            .dynamic("synchronous_mode", true));

    @TempDir
    Path tmp;

    static TestCluster cluster() {
        return CLUSTER.get();
    }

    static Agentctl ctl() {
        return new Agentctl(cluster().node(1).config());
    }

    /** Waits until every replica streams with no lag and one is the sync standby, as agentctl shows it. */
    static JsonNode settledList() {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Agentctl.Result r = ctl().run("list", "-f", "json");
            assertThat(r.exit()).as(r.toString()).isZero();
            JsonNode rows = r.json();
            assertThat(rows).hasSize(3);
            for (JsonNode row : rows) {
                if (!row.path("Role").asText().equals("Leader")) {
                    assertThat(row.path("State").asText()).as(r.toString()).isEqualTo("streaming");
                    assertThat(row.path("Lag in bytes").asLong(-1)).as(r.toString()).isZero();
                    assertThat(row.path("Lag in s").asDouble(-1)).as(r.toString()).isZero();
                }
            }
            // synchronous_mode is on: once replicas stream, the leader names one of them in /sync
            assertThat(rows).as(r.toString()).filteredOn(row -> row.path("Role").asText().equals("Sync Standby"))
                    .hasSize(1);
            last[0] = rows;
        });
        return last[0];
    }

    @Test
    @Order(1)
    void listShowsEveryMemberWithItsRoleStateTimelineAndLagInBytesAndSeconds() {
        ClusterNode leader = CLUSTER.initialLeader();
        JsonNode rows = settledList();
        assertThat(rows).extracting(r -> r.path("Member").asText()).containsExactly("pg1", "pg2", "pg3");
        for (JsonNode row : rows) {
            ClusterNode n = cluster().node(row.path("Member").asText());
            assertThat(row.path("Cluster").asText()).isEqualTo("batman");
            assertThat(row.path("Host").asText()).isEqualTo(n.host() + ":" + n.pgPort());
            assertThat(row.path("TL").asInt()).isEqualTo(1);
            if (n == leader) {
                assertThat(row.path("Role").asText()).isEqualTo("Leader");
                assertThat(row.path("State").asText()).isEqualTo("running");
                // patronictl leaves empty cells out of its json: the leader has no lag
                assertThat(row.has("Receive Lag")).isFalse();
                assertThat(row.has("Lag in bytes")).isFalse();
            } else {
                assertThat(row.path("Role").asText()).isIn("Replica", "Sync Standby");
                // Patroni 4.1's columns, from the receive_lsn and replay_lsn our member keys carry
                assertThat(row.path("Receive Lag").asInt(-1)).isZero();
                assertThat(row.path("Replay Lag").asInt(-1)).isZero();
                assertThat(row.path("Receive LSN").asText()).matches("[0-9A-F]+/[0-9A-F]+");
                assertThat(row.path("Replay LSN").asText()).matches("[0-9A-F]+/[0-9A-F]+");
            }
        }
        // synchronous_mode is on: the standby the leader made synchronous is shown as such
        assertThat(rows).filteredOn(r -> r.path("Role").asText().equals("Sync Standby")).hasSize(1)
                .allSatisfy(r -> assertThat(cluster().view().sync().matches(r.path("Member").asText())).isTrue());
        long t0 = System.nanoTime();
        Agentctl.Result pretty = ctl().run("list");
        long t1 = System.nanoTime();
        ctl().run("version");
        long t2 = System.nanoTime();
        System.out.printf("measured: agentctl list took %.2f s, agentctl version (JVM start only) %.2f s%n",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        assertThat(pretty.exit()).as(pretty.toString()).isZero();
        assertThat(pretty.err()).isEmpty();
        String sysid = cluster().view().initialize();
        List<String> lines = pretty.out().lines().toList();
        assertThat(lines.get(0)).startsWith("+ Cluster: batman (" + sysid + ") -");
        assertThat(lines.get(1)).matches("\\| Member \\| Host +\\| Role +\\| State +\\| TL \\| +Receive LSN \\|"
                + " Lag \\| +Replay LSN \\| Lag \\| Lag in bytes \\| Lag in s \\|");
        assertThat(lines.get(3)).startsWith("| pg1    | " + cluster().node(1).host() + ":" + cluster().node(1).pgPort());
        assertThat(lines).hasSize(7);
        assertThat(pretty.out()).doesNotContain("\u001b[");
    }

    @Test
    @Order(2)
    void agentctlAndPatronictlShowTheSameMembersRolesStatesTimelinesAndLag() {
        Path patronictl = TestBinaries.onPath("patronictl", "patroni");
        settledList();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Agentctl.Result ours = ctl().run("list", "-f", "json");
            Agentctl.Result theirs = ctl().program(List.of(patronictl.toString(), "-c",
                    cluster().node(1).config().toString(), "list", "-f", "json"));
            assertThat(theirs.exit()).as(theirs.toString()).isZero();
            ClusterView view = cluster().view();
            assertThat(comparable(ours.json(), view)).as(ours + "\n" + theirs)
                    .isEqualTo(comparable(theirs.json(), null));
        });
    }

    /**
     * The columns both tools have. patronictl 3.0.2 shows a replica's member-key state ("running") where Patroni 3.3
     * (and agentctl) show its replication state ("streaming"): with the member key at hand, ours maps back.
     */
    static Map<String, List<Object>> comparable(JsonNode rows, ClusterView view) {
        Map<String, List<Object>> out = new TreeMap<>();
        for (JsonNode r : rows) {
            String name = r.path("Member").asText();
            String state = r.path("State").asText();
            if (view != null && !r.path("Role").asText().equals("Leader")) {
                Member m = view.member(name).orElseThrow();
                if (state.equals(m.replicationState())) {
                    state = m.state();
                }
            }
            out.put(name, List.of(r.path("Host").asText(), r.path("Role").asText(), state, r.path("TL").asText(),
                    r.has("Lag in MB") ? r.path("Lag in MB").asText("") : r.path("Receive Lag").asText("")));
        }
        return out;
    }

    @Test
    @Order(3)
    void tsvYamlTopologyExtendedAndTimestamp() {
        settledList();
        Agentctl.Result tsv = ctl().run("list", "-f", "tsv");
        assertThat(tsv.exit()).as(tsv.toString()).isZero();
        List<String> lines = tsv.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Cluster\tMember\tHost\tRole\tState\tTL\tReceive LSN\tReceive Lag\tReplay LSN"
                + "\tReplay Lag\tLag in bytes\tLag in s");
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(1, 4)).allMatch(l -> l.startsWith("batman\tpg"));

        Agentctl.Result yaml = ctl().run("list", "-f", "yaml");
        assertThat(yaml.exit()).as(yaml.toString()).isZero();
        assertThat(yaml.out()).startsWith("- Cluster: batman\n  Host: ").contains("  Member: pg2\n")
                .contains("  Role: Leader\n");

        ClusterNode leader = CLUSTER.initialLeader();
        Agentctl.Result topo = ctl().run("topology");
        assertThat(topo.exit()).as(topo.toString()).isZero();
        List<String> rows = topo.out().lines().filter(l -> l.startsWith("| ")).toList();
        assertThat(rows.get(1)).startsWith("| " + leader.name() + " ");
        assertThat(rows.subList(2, 4)).allMatch(l -> l.startsWith("| + pg"));

        Agentctl.Result ext = ctl().run("list", "-e", "-t");
        assertThat(ext.exit()).as(ext.toString()).isZero();
        assertThat(ext.out().lines().findFirst().orElseThrow()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(ext.out()).contains("| Pending restart | Pending restart reason | Scheduled restart | Tags |");
    }

    @Test
    @Order(4)
    void watchRedrawsUntilStoppedWithoutEscapeCodesInAPipe() throws Exception {
        Path out = tmp.resolve("watch.out");
        Process p = ctl().start(out, "list", "-w", "0.5");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(out)
                    && Files.readString(out).split("\\+ Cluster: batman", -1).length > 3);
        } finally {
            p.destroy();
            p.waitFor();
        }
        String text = Files.readString(out);
        assertThat(text).doesNotContain("\u001b");
        assertThat(text).contains("| Member | Host");
    }

    @Test
    @Order(5)
    void showConfigHistoryDsnVersionAndQuery() {
        ClusterNode leader = CLUSTER.initialLeader();
        Agentctl.Result config = ctl().run("show-config");
        assertThat(config.exit()).as(config.toString()).isZero();
        assertThat(config.out()).startsWith("loop_wait: 3\nmaximum_lag_on_failover: 1048576\npostgresql:\n"
                + "  parameters:\n    max_connections: 50\n    wal_log_hints: 'on'\n  use_pg_rewind: true\n"
                + "  use_slots: true\nretry_timeout: 5\nsynchronous_mode: true\nttl: 20\n");

        Agentctl.Result history = ctl().run("history");
        assertThat(history.exit()).as(history.toString()).isZero();
        assertThat(history.out()).isEqualTo("+----+-----+--------+-----------+------------+\n"
                + "| TL | LSN | Reason | Timestamp | New Leader |\n"
                + "+----+-----+--------+-----------+------------+\n"
                + "+----+-----+--------+-----------+------------+\n");
        assertThat(ctl().run("history", "-f", "json").out().strip()).isEqualTo("[]");

        assertThat(ctl().run("dsn").out()).isEqualTo("host=" + leader.host() + " port=" + leader.pgPort() + "\n");
        ClusterNode pg2 = cluster().node(2);
        assertThat(ctl().run("dsn", "-m", "pg2").out()).isEqualTo("host=" + pg2.host() + " port=" + pg2.pgPort() + "\n");
        Agentctl.Result both = ctl().run("dsn", "-m", "pg2", "-r", "replica");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).startsWith("Error: --role and --member are mutually exclusive options");

        Agentctl.Result version = ctl().run("version", "batman");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.out()).startsWith("agentctl version ");
        for (ClusterNode n : cluster().nodes()) {
            assertThat(version.out()).containsPattern(n.name() + ": Patroni 3\\.3\\.1 PostgreSQL 15\\.\\d+\n");
        }

        Agentctl.Result q = ctl().run("query", "-c", "SELECT 1 AS one, NULL AS nothing, 'x' AS letter");
        assertThat(q.exit()).as(q.toString()).isZero();
        assertThat(q.out()).isEqualTo("one\tnothing\tletter\n1\tNone\tx\n");
        Agentctl.Result replica = ctl().run("query", "-r", "replica", "--format", "json", "-c",
                "SELECT pg_is_in_recovery() AS recovery");
        assertThat(replica.exit()).as(replica.toString()).isZero();
        assertThat(replica.json().get(0).path("recovery").asBoolean()).isTrue();
        Agentctl.Result bad = ctl().run("query", "-c", "SELECT * FROM no_such_table");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err()).startsWith("Error: query on " + leader.name()).contains("SQLSTATE: 42P01");
    }

    @Test
    @Order(6)
    void unknownClustersAndUnreachableEtcdAreOneLineAndExit1() throws Exception {
        Agentctl.Result unknown = ctl().run("list", "robin");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(1);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).isEqualTo("Error: no cluster 'robin' in etcd (no keys under /service/robin/);"
                + " clusters under /service/: batman\n");

        // --dcs-url works without any configuration file
        String etcd = cluster().etcd().clientUrls().get(0).replaceFirst("^https?://", "");
        Agentctl.Result bare = ctl().bare("--dcs-url", "etcd3://" + etcd + "/service", "list", "batman", "-f", "json");
        assertThat(bare.exit()).as(bare.toString()).isZero();
        assertThat(bare.json()).hasSize(3);

        int dead = EtcdCluster.freePort("127.0.0.1");
        long start = System.nanoTime();
        Agentctl.Result down = ctl().run("--dcs-url", "etcd3://127.0.0.1:" + dead, "--dcs-timeout", "3", "list");
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(down.exit()).as(down.toString()).isEqualTo(1);
        assertThat(down.err().lines().count()).isEqualTo(1);
        assertThat(down.err()).startsWith("Error: cannot read the cluster (/service/batman/): etcd at http://127.0.0.1:"
                + dead + " did not answer within");
        assertThat(seconds).as("gave up within the 3 s timeout (plus the JVM's start)").isLessThan(20);
    }

    @Test
    @Order(7)
    void aMemberWhoseAgentStoppedIsShownAsSuchNotAsRunning() {
        ClusterNode leader = CLUSTER.initialLeader();
        ClusterNode frozen = cluster().nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        frozen.freezeAgent();
        try {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Agentctl.Result r = ctl().run("list", "-f", "json");
                assertThat(r.exit()).as(r.toString()).isZero();
                JsonNode row = row(r.json(), frozen.name());
                assertThat(row.path("State").asText()).as(r.toString())
                        .startsWith("API not answering, key not renewed for ").endsWith("(last: streaming)");
            });
            Agentctl.Result reload = ctl().run("--api-timeout", "2", "reload", "batman", frozen.name(), "--force");
            assertThat(reload.exit()).as(reload.toString()).isEqualTo(1);
            assertThat(reload.err()).isEqualTo("Error: the REST API of " + frozen.name() + " (POST " + frozen.restUrl()
                    + "/reload) did not answer: no answer within 2 s\n");
        } finally {
            frozen.thawAgent();
        }
        settledList();
    }

    @Test
    @Order(8)
    void runningAgentsNeverDumpAClassDataArchiveAndAgentctlStartsFromTheTrainedOne() throws Exception {
        // A dump stops the JVM it runs in for seconds (issue 15): no running agent may be able to make one. The JVM
        // itself says so (its flags as it runs, whatever the command line or JDK_JAVA_OPTIONS asked for).
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        for (ClusterNode n : cluster().nodes()) {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(n.agentPid()), "VM.flags", "-all")
                    .redirectErrorStream(true).start();
            String flags = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(flags).isZero();
            assertThat(flags).as(n.name()).containsPattern("(?m)^\\s*bool RecordDynamicDumpInfo\\s+= false ")
                    .containsPattern("(?m)^\\s*ccstr ArchiveClassesAtExit\\s+=\\s+\\{product\\}");
            assertThat(n.logContains("class-data archive")).as(n.name()).isFalse();
        }
        // The launcher started a training run beside the agents when none fitted; an operator can run it too
        if (!io.haagent.dist.Dist.classDataArchiveFits()) {
            Agentctl.Result train = ctl().program(List.of(io.haagent.dist.Dist.launcher("ha-agent").toString(),
                    "--write-class-data-archive"));
            assertThat(train.exit()).as(train.toString()).isZero();
        }
        assertThat(io.haagent.dist.Dist.classDataArchiveFits()).isTrue();
        Path loads = tmp.resolve("loads.txt");
        Agentctl.Result r = ctl().env("JDK_JAVA_OPTIONS", "-Xlog:class+load:file=" + loads).run("list", "-f", "json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json()).as("stdout stays pure JSON").hasSize(3);
        String loaded = Files.readString(loads);
        assertThat(loaded).as("agentctl's etcd reads come from the trained archive")
                .containsPattern("io\\.haagent\\.dcs\\.etcd\\.EtcdGatewayReader source: shared objects file \\(top\\)");
        assertThat(loaded).as("a listing reads over etcd's JSON gateway: no gRPC client is started (issue 15)")
                .doesNotContain("io.etcd.jetcd.").doesNotContain("io.grpc.").doesNotContain("io.netty.");
    }

    static JsonNode row(JsonNode rows, String member) {
        List<String> names = new ArrayList<>();
        for (JsonNode r : rows) {
            if (r.path("Member").asText().equals(member)) {
                return r;
            }
            names.add(r.path("Member").asText());
        }
        throw new AssertionError(member + " is not listed; members: " + names);
    }
}
