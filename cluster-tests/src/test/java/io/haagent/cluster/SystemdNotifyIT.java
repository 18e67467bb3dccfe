package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Patroni 4.1's systemd Type=notify and --generate-config, on a real node (issue 11). The test listens on a unix
 * datagram socket as systemd does (Debian's python3, since Java 17 has no datagram unix sockets), starts the agent
 * with NOTIFY_SOCKET pointing at it, and sees READY=1 with the agent's MAINPID once the node runs, then STOPPING=1
 * when it is stopped. Then ha-agent --generate-config reads the running PostgreSQL of the other node.
 */
class SystemdNotifyIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void readyWhenRunningStoppingOnShutdownAndGenerateConfigReadsTheRunningServer() throws Exception {
        TestCluster c = clusters.start(ClusterSpec.of(2).firstOctet(191));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(120));
        ClusterNode node = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        node.stopAgent(Duration.ofSeconds(60));

        Path socket = node.dir().resolve("notify.sock");
        Path heard = node.dir().resolve("notify.txt");
        Process listener = new ProcessBuilder("/usr/bin/python3", "-u", "-c", "import socket,sys\n"
                + "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\n"
                + "while True:\n    print(s.recv(4096).decode().replace('\\n',' '), flush=True)\n", socket.toString())
                .redirectErrorStream(true).redirectOutput(heard.toFile()).start();
        try {
            await("the listener's socket").atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
            node.start(Map.of("NOTIFY_SOCKET", socket.toString()));
            await("READY=1 from the agent").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readString(heard).contains("READY=1"));
            assertThat(Files.readString(heard)).contains("MAINPID=" + node.agentPid() + " READY=1")
                    .doesNotContain("STOPPING=1");
            await("the node runs again").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> node.get("/replica").status() == 200);
            node.stopAgent(Duration.ofSeconds(60));
            await("STOPPING=1 from the agent").atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readString(heard).contains("STOPPING=1"));
            List<String> lines = Files.readAllLines(heard);
            assertThat(lines.stream().filter(l -> l.contains("READY=1") || l.contains("STOPPING=1")).toList())
                    .as("READY first, then STOPPING").hasSize(2).last().asString().contains("STOPPING=1");
        } finally {
            listener.destroy();
            listener.waitFor(10, TimeUnit.SECONDS);
        }

        Path generated = node.dir().resolve("generated.yml");
        Process gen = new ProcessBuilder(Dist.launcher("ha-agent").toString(), "--generate-config", "--dsn",
                "host=" + leader.host() + " port=" + leader.pgPort() + " user=postgres password=super-secret-pw",
                generated.toString()).redirectErrorStream(true).start();
        String output = new String(gen.getInputStream().readAllBytes());
        assertThat(gen.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gen.exitValue()).as(output).isZero();
        String yaml = Files.readString(generated);
        assertThat(yaml).contains("scope: batman\n").contains("  data_dir: " + leader.dataDir() + "\n")
                .contains("  bin_dir: /usr/lib/postgresql/15/bin\n")
                .contains("  listen: " + leader.host() + ":" + leader.pgPort() + "\n")
                .contains("  pg_hba:\n  - local all all trust\n")
                .contains("# The bootstrap configuration.");
        assertThat(yaml).doesNotContain("unix_socket_directories: \n");
    }
}
