package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.testing.EtcdCluster;
import io.haagent.testing.TestBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command end to end (issue 16): {@code scripts/demo.sh up} brings up etcd, three agents and
 * HAProxy and writes through both example clients; the switchover command it prints works; {@code status} shows
 * what runs; {@code down} stops every process it started and removes its directory. Run as the test's user (the
 * packages are present, so nothing is installed; the build is the dist tree), on 127.0.0.91-93 with free ports.
 */
class DemoIT {
    private static final String HOSTS = "127.0.0.91 127.0.0.92 127.0.0.93";

    @TempDir
    Path tmp;

    private Cmd demo(Path dir, String command, int[] ports) {
        Cmd c = Cmd.of(Dist.repoRoot().resolve("scripts/demo.sh"), command)
                .env("HA_AGENT_DEMO_DIR", dir.toString())
                .env("HA_AGENT_DEMO_HOSTS", HOSTS)
                .env("HA_AGENT_DEMO_DIST", Dist.home().toString())
                .timeout(Duration.ofMinutes(10));
        if (ports != null) {
            c.env("HA_AGENT_DEMO_PG_PORT", Integer.toString(ports[0]))
                    .env("HA_AGENT_DEMO_API_PORT", Integer.toString(ports[1]))
                    .env("HA_AGENT_DEMO_ETCD_PORT", Integer.toString(ports[2]))
                    .env("HA_AGENT_DEMO_ETCD_PEER_PORT", Integer.toString(ports[3]))
                    .env("HA_AGENT_DEMO_PRIMARY_PORT", Integer.toString(ports[4]))
                    .env("HA_AGENT_DEMO_REPLICA_PORT", Integer.toString(ports[5]));
        }
        return c;
    }

    /**
     * The README's first two commands are this test's {@code scripts/demo.sh up} and the suite's
     * {@code scripts/test.sh}, as printed (issue 16: it began with {@code sudo}, absent on a fresh Debian as root,
     * and only validated a file).
     */
    @Test
    void theReadmesFirstTwoCommandsAreTheDemoAndTheTests() throws Exception {
        List<String> commands = Files.readAllLines(Dist.repoRoot().resolve("README.md")).stream()
                .filter(l -> l.startsWith("    ") && !l.isBlank()).map(String::strip).limit(2).toList();
        assertThat(commands).containsExactly("scripts/demo.sh up", "scripts/test.sh");
        assertThat(Files.readString(Dist.repoRoot().resolve("README.md"))).doesNotContain("sudo apt-get")
                .contains("(docs/guide/README.md)").contains("`15/main` on port 5432");
    }

    @Test
    void upSwitchoverStatusAndDown() throws Exception {
        TestBinaries.etcd();
        TestBinaries.postgresBinDir();
        TestBinaries.onPath("haproxy", "haproxy");
        Path dir = tmp.resolve("demo");
        int[] ports = new int[6];
        for (int i = 0; i < 4; i++) {
            ports[i] = EtcdCluster.freePort("127.0.0.91");
        }
        ports[4] = EtcdCluster.freePort("127.0.0.1");
        ports[5] = EtcdCluster.freePort("127.0.0.1");
        List<Long> started = new ArrayList<>();
        try {
            Cmd.Result up = demo(dir, "up", ports).findOutputHolders().run();
            assertThat(up.exit()).as(up.toString()).isZero();
            // nothing it left running holds its output (`scripts/demo.sh up | tee` waited two minutes for the
            // example client's stdin feeder)
            assertThat(up.holdingOutput()).as(up.toString()).isEmpty();
            String out = up.out();
            // a progress line per step, each finished
            for (int step = 1; step <= 10; step++) {
                assertThat(out).as(up.toString()).containsPattern("(?m)^\\[" + step + "/10\\] .* \\.\\.\\. ok \\(");
            }
            assertThat(out).contains("[1/10] Installing what is missing").contains("Starting etcd: three members")
                    .contains("Starting three agents").contains("Starting HAProxy");
            // the example client wrote through HAProxy and through GET /primary, to the primary
            Matcher primary = Pattern.compile("the primary is (pg[123])").matcher(out);
            assertThat(primary.find()).as(out).isTrue();
            String leaderHost = "127.0.0.9" + primary.group(1).charAt(2) + ":" + ports[0];
            assertThat(out).contains("through HAProxy ... ok").contains("through GET /primary ... ok");
            assertThat(Pattern.compile("3 rows written, to " + Pattern.quote(leaderHost)).matcher(out).results()
                    .count()).as(out).isEqualTo(2);
            // agentctl list, and the commands to go on with
            assertThat(out).containsPattern("\\| " + primary.group(1) + " +\\| [0-9.:]+ +\\| Leader +\\| running");
            assertThat(Pattern.compile("\\| Replica +\\| streaming").matcher(out).results().count()).isEqualTo(2);
            assertThat(out).contains("Connect (read-write, through HAProxy):  PGPASSFILE=" + dir + "/pgpass psql -h"
                    + " 127.0.0.1 -p " + ports[4]).contains("Watch:").contains(dir + "/agentctl list -W")
                    .contains("Stop and remove everything:");
            for (Path pid : pidFiles(dir)) {
                started.add(Long.parseLong(Files.readString(pid).strip()));
            }
            assertThat(started).hasSize(7);

            // the switchover exactly as printed
            Matcher sw = Pattern.compile("(?m)^Switch over: +(.+)$").matcher(out);
            assertThat(sw.find()).as(out).isTrue();
            Cmd.Result switchover = Cmd.of("/bin/sh", "-c", sw.group(1)).timeout(Duration.ofMinutes(3)).run();
            assertThat(switchover.exit()).as(switchover.toString()).isZero();
            assertThat(switchover.out()).contains("switched over from " + primary.group(1) + " to ");

            // a real Prometheus scraping the demo cluster answers every query of examples/grafana's dashboard,
            // and counts the switchover: once on each of the two nodes that changed role
            List<String> targets = Stream.of(HOSTS.split(" ")).map(h -> h + ":" + ports[1]).toList();
            try (DashboardCheck prom = DashboardCheck.scraping(tmp.resolve("prometheus"), targets)) {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                        assertThat(prom.emptyOrFailingQueries("demo")).isEmpty());
                assertThat(prom.query("sum(ha_agent_role_changes_total{scope=\"demo\",kind=\"switchover\"})"))
                        .extracting(DashboardCheck::value).containsExactly(2.0);
                // an asynchronous cluster: no synchronous standby, none wanted, HaAgentSyncStandbyMissing quiet
                assertThat(prom.query("max(ha_agent_synchronous_mode{scope=\"demo\"})"))
                        .extracting(DashboardCheck::value).containsExactly(0.0);
                assertThat(prom.query("max by (name) (patroni_primary{scope=\"demo\"}) == 1"))
                        .extracting(r -> DashboardCheck.label(r, "name")).hasSize(1)
                        .doesNotContain(primary.group(1));
            }

            Cmd.Result status = demo(dir, "status", null).run();
            assertThat(status.exit()).as(status.toString()).isZero();
            assertThat(Pattern.compile(", running").matcher(status.out()).results().count()).as(status.toString())
                    .isEqualTo(7);
            assertThat(status.out()).contains("Leader");

            // postmasters, which the agents started
            for (String node : List.of("pg1", "pg2", "pg3")) {
                Path pm = dir.resolve(node).resolve("data/postmaster.pid");
                started.add(Long.parseLong(Files.readAllLines(pm).get(0).strip()));
            }

            Cmd.Result down = demo(dir, "down", null).run();
            assertThat(down.exit()).as(down.toString()).isZero();
            assertThat(down.out()).contains("[4/4] Removing " + dir + " ... ok");
            assertThat(dir).doesNotExist();
            for (long pid : started) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("process %d of the demo is gone", pid).isFalse();
            }
            Cmd.Result again = demo(dir, "status", null).run();
            assertThat(again.exit()).isEqualTo(3);
            assertThat(again.out()).contains("No demo cluster");
        } finally {
            if (Files.exists(dir)) {
                demo(dir, "down", null).run();
            }
        }
    }

    private static List<Path> pidFiles(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir.resolve("run"))) {
            return s.filter(p -> p.toString().endsWith(".pid")).sorted().toList();
        }
    }
}
