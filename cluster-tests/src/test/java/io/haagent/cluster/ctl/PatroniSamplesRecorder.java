package io.haagent.cluster.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.testing.TestBinaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Records what Patroni writes to etcd and answers on its REST API, and what its patronictl prints for our cluster,
 * into {@code core/src/test/resources/samples/} (read by {@code io.haagent.testing.Samples}): Patroni 3.0.2 from
 * Debian's package and Patroni 4.1.4 from its source tree on Debian's python3 ({@link AgentKind#patroni4Home()}).
 * Not a test of ours and not run by CI (Patroni 4 cannot be fetched there; the class name matches neither *Test nor
 * *IT): run it by hand when the samples must be recorded again, then review and commit the files:
 * <pre>
 * CI=true scripts/test.sh -o -pl cluster-tests -am -Dtest=none -Dit.test=PatroniSamplesRecorder \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dpatroni4.home=/work/scratch/patroni-4.1.4
 * </pre>
 * The unit tests that read the samples pin the encodings without Patroni installed.
 */
class PatroniSamplesRecorder {
    private static final Path OUT = Path.of(System.getProperty("samples.out",
            Path.of("").toAbsolutePath().getParent().resolve("core/src/test/resources/samples").toString()));

    @Test
    void patroni302() throws Exception {
        record(AgentKind.PATRONI, "patroni-3.0.2", 216,
                List.of(TestBinaries.onPath("patronictl", "patroni").toString()));
    }

    @Test
    void patroni414() throws Exception {
        record(AgentKind.PATRONI4, "patroni-4.1.4", 221, patronictl4());
    }

    /** patronictl 4.1.4 on a cluster of ha-agent nodes: list, switchover, list (what CI cannot run). */
    @Test
    void patronictl414OnHaAgent() throws Exception {
        Path dir = Files.createDirectories(OUT.resolve("patronictl-4.1.4-on-ha-agent"));
        try (TestCluster c = TestCluster.start(ClusterSpec.of(2).firstOctet(226))) {
            ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(120));
            ClusterNode other = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
            Agentctl ctl = new Agentctl(c.node(1).config());
            awaitLag0(ctl, c);
            save(dir, "list-before.json", ctl4(ctl, c, "list", "-f", "json").out());
            save(dir, "agentctl-list-before.json", ctl.run("list", "-f", "json").out());
            Agentctl.Result sw = ctl4(ctl, c, "switchover", "--leader", leader.name(), "--candidate", other.name(),
                    "--force");
            assertThat(sw.exit()).as(sw.toString()).isZero();
            save(dir, "switchover.txt", sw.out().replaceAll("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+",
                    "<time>"));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> other.isWritablePrimary()
                    && other.name().equals(c.leaderName().orElse(null)) && leader.streamsFrom(other));
            awaitLag0(ctl, c);
            save(dir, "list-after.json", ctl4(ctl, c, "list", "-f", "json").out());
            save(dir, "agentctl-list-after.json", ctl.run("list", "-f", "json").out());
            save(dir, "leaders.txt", "before: " + leader.name() + "\nafter: " + other.name() + "\n");
        }
    }

    private static void awaitLag0(Agentctl ctl, TestCluster c) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Agentctl.Result r = ctl.run("list", "-f", "json");
            return r.exit() == 0 && r.json().size() == c.nodes().size() && r.out().contains("\"streaming\"");
        });
    }

    private static List<String> patronictl4() {
        return List.of("/usr/bin/python3", AgentKind.patroni4Home().resolve("patronictl.py").toString());
    }

    private static Agentctl.Result ctl4(Agentctl ctl, TestCluster c, String... args) {
        List<String> argv = new ArrayList<>(patronictl4());
        argv.addAll(List.of("-c", c.node(1).config().toString()));
        argv.addAll(List.of(args));
        return ctl.program(argv);
    }

    private void record(AgentKind kind, String name, int firstOctet, List<String> patronictl) throws Exception {
        Path dir = Files.createDirectories(OUT.resolve(name));
        try (TestCluster c = TestCluster.start(ClusterSpec.of(2).firstOctet(firstOctet).agent(kind))) {
            ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(180));
            ClusterNode replica = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
            // both member keys carry a position, the replica streams, and the leader has written the status key
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    value(c, "members/" + replica.name()).contains("\"xlog_location\"")
                    && value(c, "members/" + leader.name()).contains("\"xlog_location\"")
                    && (kind == AgentKind.PATRONI || value(c, "status").contains("optime"))
                    && replica.streamsFrom(leader));
            save(dir, "member-primary.json", value(c, "members/" + leader.name()));
            save(dir, "member-replica.json", value(c, "members/" + replica.name()));
            save(dir, "status.json", value(c, "status"));
            save(dir, "config.json", value(c, "config"));
            save(dir, "patroni-primary.json", leader.get("/patroni").body());
            save(dir, "patroni-replica.json", replica.get("/patroni").body());
            save(dir, "cluster.json", leader.get("/cluster").body());
            save(dir, "metrics-primary.txt", leader.get("/metrics").body());
            save(dir, "metrics-replica.txt", replica.get("/metrics").body());
            Agentctl ctl = new Agentctl(c.node(1).config());
            List<String> argv = new ArrayList<>(patronictl);
            argv.addAll(List.of("-c", c.node(1).config().toString(), "list", "-f", "json"));
            save(dir, "patronictl-list.json", ctl.program(argv).out());
        }
    }

    private static String value(TestCluster c, String key) {
        return c.etcd().etcdctl("get", "--print-value-only", "/service/batman/" + key).strip();
    }

    private static void save(Path dir, String file, String content) throws IOException {
        Files.writeString(dir.resolve(file), content.endsWith("\n") ? content : content + "\n", StandardCharsets.UTF_8);
    }
}
