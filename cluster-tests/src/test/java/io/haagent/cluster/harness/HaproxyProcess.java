package io.haagent.cluster.harness;

import io.haagent.testing.TestBinaries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HAProxy (Debian's 2.6) in the foreground with a copy of a configuration such as examples/haproxy.cfg pointed
 * at nodes on loopback ({@link #pointedAt}), and an admin socket to read its servers' states from. Everything but
 * addresses and ports is the configuration's own, the health checks included.
 */
public final class HaproxyProcess implements AutoCloseable {
    /** A node as HAProxy sees it: its PostgreSQL address and the port of its REST API (instead of 8008). */
    public record Backend(String name, String host, int pgPort, int restPort) {
        public static Backend of(ClusterNode n) {
            return new Backend(n.name(), n.host(), n.pgPort(), n.restPort());
        }
    }

    private final Process process;
    private final Path config;
    private final Path log;
    private final Path adminSocket;
    private final Thread killOnExit;

    private HaproxyProcess(Process process, Path config, Path log, Path adminSocket) {
        this.process = process;
        this.config = config;
        this.log = log;
        this.adminSocket = adminSocket;
        this.killOnExit = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public static Path binary() {
        return TestBinaries.onPath("haproxy", "haproxy");
    }

    /**
     * {@code example} with each listener bound to {@code bindAddress} and the port {@code ports} maps its own to
     * (e.g. 5433 to a free port), its first servers per listener pointed at {@code nodes} in order (REST port
     * instead of 8008, the server named after the node), further servers dropped, and an admin socket at
     * {@code adminSocket}. Fails when a listener has no mapping or fewer servers than nodes.
     */
    public static String pointedAt(List<String> example, String bindAddress, Map<Integer, Integer> ports,
            List<Backend> nodes, Path adminSocket) {
        Pattern bind = Pattern.compile("^(\\s*)bind\\s+\\S*:(\\d+)\\s*$");
        Pattern server = Pattern.compile("^(\\s*)server\\s+(\\S+)\\s+\\S+:\\d+(.*)$");
        StringBuilder out = new StringBuilder();
        int listeners = 0;
        int serverInListener = 0;
        int pointed = 0;
        for (String line : example) {
            Matcher b = bind.matcher(line);
            Matcher s = server.matcher(line);
            if (b.matches()) {
                Integer port = ports.get(Integer.parseInt(b.group(2)));
                if (port == null) {
                    throw new AssertionError("no port given for the listener of: " + line);
                }
                out.append(b.group(1)).append("bind ").append(bindAddress).append(':').append(port).append('\n');
                listeners++;
                serverInListener = 0;
            } else if (s.matches()) {
                if (serverInListener < nodes.size()) {
                    Backend node = nodes.get(serverInListener);
                    String options = s.group(3).replaceAll("\\bport\\s+8008\\b", "port " + node.restPort());
                    if (!options.contains("port " + node.restPort())) {
                        throw new AssertionError("server line without 'check port 8008': " + line);
                    }
                    out.append(s.group(1)).append("server ").append(node.name()).append(' ').append(node.host())
                            .append(':').append(node.pgPort()).append(options).append('\n');
                    pointed++;
                }
                serverInListener++;
            } else {
                out.append(line).append('\n');
                if (line.strip().equals("global")) {
                    out.append("    stats socket ").append(adminSocket).append(" mode 600 level admin\n");
                }
            }
        }
        if (listeners != ports.size()) {
            throw new AssertionError(listeners + " listeners, expected " + ports.size());
        }
        if (pointed != listeners * nodes.size()) {
            throw new AssertionError("pointed " + pointed + " servers, expected " + nodes.size() + " per listener");
        }
        return out.toString();
    }

    /** {@code config} with every {@code default-server} line's options replaced by {@code options}. */
    public static String withDefaultServer(String config, String options) {
        return config.replaceAll("(?m)^(\\s*)default-server\\s.*$", "$1default-server " + options);
    }

    /**
     * Writes {@code configText} to {@code dir/haproxy.cfg} (it must hold {@code stats socket <dir>/admin.sock},
     * see {@link #pointedAt}), checks it with {@code haproxy -c} and starts HAProxy in the foreground; returns once
     * the admin socket answers.
     */
    public static HaproxyProcess start(Path dir, String configText) {
        try {
            Files.createDirectories(dir);
            Path config = Files.writeString(dir.resolve("haproxy.cfg"), configText);
            Path log = dir.resolve("haproxy.log");
            Process check = new ProcessBuilder(binary().toString(), "-c", "-f", config.toString())
                    .redirectErrorStream(true).start();
            String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
                throw new AssertionError("haproxy -c rejects " + config + ":\n" + checked);
            }
            Process p = new ProcessBuilder(binary().toString(), "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            HaproxyProcess h = new HaproxyProcess(p, config, log, dir.resolve("admin.sock"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    h.serverStates();
                    return h;
                } catch (IOException e) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        h.close();
                        throw new AssertionError("haproxy did not start: " + h.output(), e);
                    }
                    Thread.sleep(20);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path config() {
        return config;
    }

    /** "listener/server" to its status (UP, DOWN, "UP 1/3" while going down, ...) from {@code show stat}. */
    public Map<String, String> serverStates() throws IOException {
        String csv;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(adminSocket));
            ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
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

    /** HAProxy's output so far, for failure messages. */
    public String output() {
        try {
            return "haproxy's output:\n" + Files.readString(log);
        } catch (IOException e) {
            return "haproxy's output unreadable: " + e;
        }
    }

    /** Servers of {@code listener} that are UP (fully: not "UP 1/3" on its way down). */
    public List<String> upServers(String listener) throws IOException {
        List<String> up = new ArrayList<>();
        serverStates().forEach((k, v) -> {
            if (k.startsWith(listener + "/") && v.equals("UP")) {
                up.add(k.substring(listener.length() + 1));
            }
        });
        return up;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }
}
