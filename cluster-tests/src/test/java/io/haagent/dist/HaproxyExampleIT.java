package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.haagent.cluster.harness.HaproxyProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/haproxy.cfg with the real HAProxy: it is valid, and a copy of it pointed at two stand-in nodes
 * on loopback sends port 5433's connections to the node whose REST API answers 200 on /primary, and port
 * 5434's to the one answering 200 on /replica, following the answers when they change.
 */
class HaproxyExampleIT {
    private static final Path CONFIG = Dist.examples().resolve("haproxy.cfg");
    private static final String HAPROXY_ADDRESS = "127.0.0.61";

    @Test
    void exampleIsValid() throws Exception {
        Cmd.Result r = Cmd.of(haproxy(), "-c", "-f", CONFIG).run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("Configuration file is valid");
    }

    @Test
    void listenersCheckTheRestApiAsTheGuideIntends() throws IOException {
        Map<String, List<String>> sections = sections(Files.readAllLines(CONFIG));
        List<String> primary = listenerBoundTo(sections, 5433);
        List<String> replicas = listenerBoundTo(sections, 5434);
        assertChecks(primary, "/primary");
        assertChecks(replicas, "/replica");
    }

    private static void assertChecks(List<String> listener, String uri) {
        assertThat(listener).contains("option httpchk", "http-check send meth GET uri " + uri,
                "http-check expect status 200",
                // the guide's hysteresis (down after 3 failed checks, up after 2 good ones), checked often enough
                // to follow a change of primary within a few hundred milliseconds (the reasons are in the file)
                "default-server inter 500ms fastinter 100ms downinter 200ms fall 3 rise 2"
                        + " on-marked-down shutdown-sessions");
        assertThat(listener).filteredOn(l -> l.startsWith("server ")).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(l -> assertThat(l).endsWith(" check port 8008"));
    }

    @Test
    void routesToTheNodeThatAnswers200(@TempDir Path tmp) throws Exception {
        try (StandInNode node1 = new StandInNode("pg_node1", "127.0.0.62", true);
                StandInNode node2 = new StandInNode("pg_node2", "127.0.0.63", false)) {
            int primaryPort = freePort();
            int replicaPort = freePort();
            String config = HaproxyProcess.pointedAt(Files.readAllLines(CONFIG), HAPROXY_ADDRESS,
                    Map.of(5433, primaryPort, 5434, replicaPort), List.of(node1.backend(), node2.backend()),
                    tmp.resolve("admin.sock"));
            try (HaproxyProcess haproxy = HaproxyProcess.start(tmp, config)) {
                awaitServers(haproxy, Map.of(
                        "postgresql_primary/pg_node1", "UP", "postgresql_primary/pg_node2", "DOWN",
                        "postgresql_replicas/pg_node1", "DOWN", "postgresql_replicas/pg_node2", "UP"));
                for (int i = 0; i < 10; i++) {
                    assertThat(greeting(primaryPort)).as("connection %d to port 5433's listener", i).isEqualTo("pg_node1");
                    assertThat(greeting(replicaPort)).as("connection %d to port 5434's listener", i).isEqualTo("pg_node2");
                }

                // Failover: node2 is promoted, node1 follows it.
                node1.primary = false;
                node2.primary = true;
                awaitServers(haproxy, Map.of(
                        "postgresql_primary/pg_node1", "DOWN", "postgresql_primary/pg_node2", "UP",
                        "postgresql_replicas/pg_node1", "UP", "postgresql_replicas/pg_node2", "DOWN"));
                for (int i = 0; i < 10; i++) {
                    assertThat(greeting(primaryPort)).as("connection %d to port 5433's listener", i).isEqualTo("pg_node2");
                    assertThat(greeting(replicaPort)).as("connection %d to port 5434's listener", i).isEqualTo("pg_node1");
                }
            }
        }
    }

    /** Waits (the example's health checks, their fall and rise counts) for these states. */
    private static void awaitServers(HaproxyProcess haproxy, Map<String, String> expected) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .failFast("haproxy exited", () -> !haproxy.alive())
                .untilAsserted(() -> assertThat(haproxy.serverStates()).as(haproxy::output)
                        .containsAllEntriesOf(expected));
    }

    /** Connects through HAProxy and reads the first line the stand-in PostgreSQL port sends: its node's name. */
    private static String greeting(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HAPROXY_ADDRESS, port), 5000);
            s.setSoTimeout(5000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    private static Map<String, List<String>> sections(List<String> lines) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String raw : lines) {
            String line = raw.replaceFirst("\\s*#.*$", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            if (!Character.isWhitespace(raw.charAt(0))) {
                current = new ArrayList<>();
                sections.put(line, current);
            } else if (current != null) {
                current.add(line.replaceAll("\\s+", " "));
            }
        }
        return sections;
    }

    private static List<String> listenerBoundTo(Map<String, List<String>> sections, int port) {
        return sections.entrySet().stream()
                .filter(e -> e.getKey().startsWith("listen ") && e.getValue().contains("bind *:" + port))
                .map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no listen section bound to *:" + port + " in " + CONFIG));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HAPROXY_ADDRESS))) {
            return s.getLocalPort();
        }
    }

    private static Path haproxy() {
        return HaproxyProcess.binary();
    }

    /**
     * A node as HAProxy sees it: a REST API answering /primary and /replica as ha-agent does for its
     * role, and a "PostgreSQL" port that greets each connection with the node's name.
     */
    static final class StandInNode implements AutoCloseable {
        final String name;
        final InetAddress address;
        volatile boolean primary;
        private final HttpServer rest;
        private final ServerSocket postgres;
        private final Thread acceptor;

        StandInNode(String name, String ip, boolean primary) throws IOException {
            this.name = name;
            this.address = InetAddress.getByName(ip);
            this.primary = primary;
            rest = HttpServer.create(new InetSocketAddress(address, 0), 16);
            rest.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                boolean isPrimary = this.primary;
                int code = switch (path) {
                    case "/primary" -> isPrimary ? 200 : 503;
                    case "/replica" -> isPrimary ? 503 : 200;
                    default -> 404;
                };
                byte[] body = ("{\"state\":\"running\",\"role\":\"" + (isPrimary ? "master" : "replica") + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(code, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            });
            rest.start();
            postgres = new ServerSocket(0, 50, address);
            acceptor = new Thread(this::greetConnections, "stand-in " + name);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int restPort() {
            return rest.getAddress().getPort();
        }

        int postgresPort() {
            return postgres.getLocalPort();
        }

        HaproxyProcess.Backend backend() {
            return new HaproxyProcess.Backend(name, address.getHostAddress(), postgresPort(), restPort());
        }

        private void greetConnections() {
            while (!postgres.isClosed()) {
                try (Socket s = postgres.accept()) {
                    s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    if (postgres.isClosed()) {
                        return;
                    }
                    // a client that went away early; keep serving
                }
            }
        }

        @Override
        public void close() throws IOException {
            rest.stop(0);
            postgres.close();
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
