package io.haagent.rest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.api.FakeNodeActions;
import io.haagent.api.SnapshotFixtures;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.testing.TestBinaries;
import io.haagent.time.Clock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy 2.6 health-checks two nodes' REST APIs the way Patroni deployments do ({@code option httpchk}
 * with GET or OPTIONS, {@code http-check expect status 200}) and routes to whichever answers 200; when the
 * roles swap, HAProxy follows.
 */
class HaproxyChecksIT {
    @TempDir
    Path dir;
    private RestApiHarness pg1;
    private RestApiHarness pg2;
    private Process haproxy;

    @AfterEach
    void stop() throws InterruptedException {
        if (haproxy != null) {
            haproxy.destroy();
            if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (pg1 != null) {
            pg1.close();
        }
        if (pg2 != null) {
            pg2.close();
        }
    }

    @Test
    void haproxyRoutesToTheNodeThatAnswers200() throws Exception {
        long now = Clock.SYSTEM.nanoTime();
        pg1 = new RestApiHarness(RestApiHarness.config(), SnapshotFixtures.primary(now),
                new FakeNodeActions(SnapshotFixtures.threeMembers()), Clock.SYSTEM, RestApiOptions.DEFAULTS);
        pg2 = new RestApiHarness(RestApiHarness.config(), SnapshotFixtures.replica(now),
                new FakeNodeActions(SnapshotFixtures.threeMembers()), Clock.SYSTEM, RestApiOptions.DEFAULTS);
        Path sock = dir.resolve("stats.sock");
        String cfg = "global\n  stats socket " + sock + " mode 600 level admin\n"
                + "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n"
                + "listen primary\n  bind 127.0.0.1:" + freePort() + "\n  option httpchk GET /primary\n"
                + "  http-check expect status 200\n  default-server inter 200ms fall 2 rise 1\n"
                + "  server pg1 127.0.0.1:5432 check port " + pg1.server.port() + "\n"
                + "  server pg2 127.0.0.1:5433 check port " + pg2.server.port() + "\n"
                + "listen replicas\n  bind 127.0.0.1:" + freePort() + "\n  option httpchk OPTIONS /replica\n"
                + "  http-check expect status 200\n  default-server inter 200ms fall 2 rise 1\n"
                + "  server pg1 127.0.0.1:5432 check port " + pg1.server.port() + "\n"
                + "  server pg2 127.0.0.1:5433 check port " + pg2.server.port() + "\n";
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, cfg);
        haproxy = new ProcessBuilder(TestBinaries.onPath("haproxy", "haproxy").toString(), "-db", "-f",
                config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile())
                .start();

        // HAProxy creates its stats socket a moment after it starts (longer on a busy machine): until then the
        // connection fails, which is a reason to look again, not a failure
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(
                IOException.class).untilAsserted(() ->
                assertThat(status(sock)).containsEntry("primary/pg1", "UP").containsEntry("primary/pg2", "DOWN")
                        .containsEntry("replicas/pg1", "DOWN").containsEntry("replicas/pg2", "UP"));

        // Switchover: pg2 now holds the lock, pg1 follows it.
        pg1.board.publish(SnapshotFixtures.replica(Clock.SYSTEM.nanoTime()));
        pg2.board.publish(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(status(sock)).containsEntry("primary/pg1", "DOWN").containsEntry("primary/pg2", "UP")
                        .containsEntry("replicas/pg1", "UP").containsEntry("replicas/pg2", "DOWN"));
    }

    /** {proxy/server -> UP|DOWN|...} from HAProxy's {@code show stat}. */
    private static Map<String, String> status(Path sock) throws IOException {
        StringBuilder out = new StringBuilder();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.read(buf) > 0) {
                buf.flip();
                out.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
        }
        Map<String, String> m = new HashMap<>();
        List<String> lines = out.toString().lines().toList();
        for (String l : lines) {
            if (l.startsWith("#") || l.isBlank()) {
                continue;
            }
            String[] f = l.split(",", -1);
            if (f.length > 17 && !f[1].equals("FRONTEND") && !f[1].equals("BACKEND")) {
                m.put(f[0] + "/" + f[1], f[17].split(" ")[0]);
            }
        }
        return m;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
