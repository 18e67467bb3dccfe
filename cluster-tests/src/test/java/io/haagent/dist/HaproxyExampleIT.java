package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.haagent.testing.TestBinaries;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                "default-server inter 2s fall 3 rise 2 on-marked-down shutdown-sessions");
        assertThat(listener).filteredOn(l -> l.startsWith("server ")).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(l -> assertThat(l).endsWith(" check port 8008"));
    }

    @Test
    void routesToTheNodeThatAnswers200(@TempDir Path tmp) throws Exception {
        try (StandInNode node1 = new StandInNode("pg_node1", "127.0.0.62", true);
                StandInNode node2 = new StandInNode("pg_node2", "127.0.0.63", false)) {
            int primaryPort = freePort();
            int replicaPort = freePort();
            Path adminSocket = tmp.resolve("admin.sock");
            Path config = Files.writeString(tmp.resolve("haproxy.cfg"),
                    pointedAt(Files.readAllLines(CONFIG), primaryPort, replicaPort, List.of(node1, node2), adminSocket));
            Cmd.Result check = Cmd.of(haproxy(), "-c", "-f", config).run();
            assertThat(check.exit()).as(check.toString()).isZero();

            Path log = tmp.resolve("haproxy.log");
            Process haproxy = new ProcessBuilder(haproxy().toString(), "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Thread killOnExit = new Thread(haproxy::destroyForcibly);
            Runtime.getRuntime().addShutdownHook(killOnExit);
            try {
                awaitServers(haproxy, log, adminSocket, Map.of(
                        "postgresql_primary/pg_node1", "UP", "postgresql_primary/pg_node2", "DOWN",
                        "postgresql_replicas/pg_node1", "DOWN", "postgresql_replicas/pg_node2", "UP"));
                for (int i = 0; i < 10; i++) {
                    assertThat(greeting(primaryPort)).as("connection %d to port 5433's listener", i).isEqualTo("pg_node1");
                    assertThat(greeting(replicaPort)).as("connection %d to port 5434's listener", i).isEqualTo("pg_node2");
                }

                // Failover: node2 is promoted, node1 follows it.
                node1.primary = false;
                node2.primary = true;
                awaitServers(haproxy, log, adminSocket, Map.of(
                        "postgresql_primary/pg_node1", "DOWN", "postgresql_primary/pg_node2", "UP",
                        "postgresql_replicas/pg_node1", "UP", "postgresql_replicas/pg_node2", "DOWN"));
                for (int i = 0; i < 10; i++) {
                    assertThat(greeting(primaryPort)).as("connection %d to port 5433's listener", i).isEqualTo("pg_node2");
                    assertThat(greeting(replicaPort)).as("connection %d to port 5434's listener", i).isEqualTo("pg_node1");
                }
            } finally {
                haproxy.destroy();
                if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                    haproxy.destroyForcibly().waitFor();
                }
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            }
        }
    }

    /** Waits (health checks every 2 s; 3 failures to go down, 2 successes to come up) for these states. */
    private static void awaitServers(Process haproxy, Path log, Path adminSocket, Map<String, String> expected) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .failFast("haproxy exited", () -> !haproxy.isAlive())
                .untilAsserted(() -> assertThat(serverStates(adminSocket)).as(() -> readLog(log))
                        .containsAllEntriesOf(expected));
    }

    /**
     * The example with its listeners bound to free loopback ports, its first two servers per listener
     * pointed at the stand-in nodes (REST port instead of 8008), the others dropped, and an admin socket
     * to read server states from. Everything else, the health checks included, is the example's.
     */
    private static String pointedAt(List<String> example, int primaryPort, int replicaPort, List<StandInNode> nodes,
            Path adminSocket) {
        Pattern bind = Pattern.compile("^(\\s*)bind\\s+\\S*:(\\d+)\\s*$");
        Pattern server = Pattern.compile("^(\\s*)server\\s+(\\S+)\\s+\\S+:\\d+(.*)$");
        StringBuilder out = new StringBuilder();
        int binds = 0;
        int serverInListener = 0;
        int serversPointed = 0;
        for (String line : example) {
            Matcher b = bind.matcher(line);
            Matcher s = server.matcher(line);
            if (b.matches()) {
                int port = switch (b.group(2)) {
                    case "5433" -> primaryPort;
                    case "5434" -> replicaPort;
                    default -> throw new AssertionError("unexpected listener in " + CONFIG + ": " + line);
                };
                out.append(b.group(1)).append("bind ").append(HAPROXY_ADDRESS).append(':').append(port).append('\n');
                binds++;
                serverInListener = 0;
            } else if (s.matches()) {
                if (serverInListener < nodes.size()) {
                    StandInNode node = nodes.get(serverInListener);
                    String options = s.group(3).replaceAll("\\bport\\s+8008\\b", "port " + node.restPort());
                    assertThat(options).as(line).contains("port " + node.restPort());
                    out.append(s.group(1)).append("server ").append(node.name).append(' ')
                            .append(node.address.getHostAddress()).append(':').append(node.postgresPort())
                            .append(options).append('\n');
                    serversPointed++;
                }
                serverInListener++;
            } else {
                out.append(line).append('\n');
                if (line.strip().equals("global")) {
                    out.append("    stats socket ").append(adminSocket).append(" mode 600 level admin\n");
                }
            }
        }
        assertThat(binds).as("listeners on 5433 and 5434 in " + CONFIG).isEqualTo(2);
        assertThat(serversPointed).as("two servers per listener in " + CONFIG).isEqualTo(4);
        return out.toString();
    }

    /** "listener/server" to its status (UP, DOWN, "UP 1/3" while going down, ...) from `show stat`. */
    private static Map<String, String> serverStates(Path adminSocket) throws IOException {
        String csv;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(adminSocket));
            ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            var bytes = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                bytes.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            csv = bytes.toString(StandardCharsets.US_ASCII);
        }
        String[] lines = csv.split("\n");
        List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(","));
        int px = header.indexOf("pxname");
        int sv = header.indexOf("svname");
        int status = header.indexOf("status");
        Map<String, String> states = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f.length > status && !f[sv].equals("FRONTEND") && !f[sv].equals("BACKEND")) {
                states.put(f[px] + "/" + f[sv], f[status]);
            }
        }
        return states;
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

    private static String readLog(Path log) {
        try {
            return "haproxy's output:\n" + Files.readString(log);
        } catch (IOException e) {
            return "haproxy's output unreadable: " + e;
        }
    }

    private static Path haproxy() {
        return TestBinaries.onPath("haproxy", "haproxy");
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
