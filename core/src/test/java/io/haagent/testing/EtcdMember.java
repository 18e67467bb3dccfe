package io.haagent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code etcd} process of an {@link EtcdCluster}: its own loopback address, client and peer ports, data
 * directory and log file ({@code <data dir>.log}). It can be stopped (SIGTERM), killed (SIGKILL), frozen
 * (SIGSTOP), thawed (SIGCONT) and started again on the same ports and data. Every process started here is
 * killed on JVM exit.
 */
public final class EtcdMember {
    private final String name;
    private final String host;
    private final int clientPort;
    private final int peerPort;
    private final Path dataDir;
    private final Path logFile;
    private final EtcdCluster.Tls tls;
    private List<String> command;
    private Process process;
    private boolean frozen;

    /** Serve the v2 API too (Patroni's etcd: section; the migration guard looks there). */
    boolean enableV2;

    EtcdMember(String name, String host, int clientPort, int peerPort, Path dataDir, EtcdCluster.Tls tls) {
        this.name = name;
        this.host = host;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.dataDir = dataDir;
        this.logFile = dataDir.resolveSibling(name + ".log");
        this.tls = tls;
    }

    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public int clientPort() {
        return clientPort;
    }

    public int peerPort() {
        return peerPort;
    }

    /** {@code http://<host>:<port>}, or https when the cluster uses TLS. */
    public String clientUrl() {
        return (tls == null ? "http://" : "https://") + host + ":" + clientPort;
    }

    public String peerUrl() {
        return "http://" + host + ":" + peerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized void launch(String initialCluster, String token) throws IOException {
        if (isRunning()) {
            throw new IllegalStateException(name + " is already running");
        }
        if (command == null) {
            List<String> c = new ArrayList<>(List.of(TestBinaries.etcd().toString(),
                    "--name", name,
                    "--data-dir", dataDir.toString(),
                    "--listen-client-urls", clientUrl(),
                    "--advertise-client-urls", clientUrl(),
                    "--listen-peer-urls", peerUrl(),
                    "--initial-advertise-peer-urls", peerUrl(),
                    "--initial-cluster", initialCluster,
                    "--initial-cluster-state", "new",
                    "--initial-cluster-token", token,
                    "--heartbeat-interval", "100",
                    "--election-timeout", "1000",
                    "--logger", "zap",
                    "--log-outputs", "stderr",
                    "--enable-v2=" + enableV2));
            if (tls != null) {
                c.addAll(List.of("--cert-file", tls.serverCert().toString(), "--key-file", tls.serverKey().toString(),
                        "--trusted-ca-file", tls.ca().toString(), "--client-cert-auth"));
            }
            command = List.copyOf(c);
        }
        Files.createDirectories(dataDir.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        process = pb.start();
        frozen = false;
        Reaper.register(process);
    }

    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        if (frozen) {
            signal("CONT");
        }
        process.destroy();
        waitForExit(Duration.ofSeconds(10));
    }

    /** SIGKILL: the member vanishes without a word to its peers or clients' sockets being closed cleanly. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(10));
    }

    /** SIGSTOP: the process keeps its sockets open but answers nothing (a hung member). */
    public synchronized void freeze() {
        signal("STOP");
        frozen = true;
    }

    /** SIGCONT after {@link #freeze()}. */
    public synchronized void thaw() {
        signal("CONT");
        frozen = false;
    }

    private void signal(String sig) {
        if (!isRunning()) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    private void waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Reaper.unregister(process);
    }

    /** The last lines of the log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name + "@" + clientUrl();
    }

    /** Kills every process still registered when the JVM exits, including frozen ones (SIGKILL works on them). */
    static final class Reaper {
        private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                    "etcd-reaper"));
        }

        private Reaper() {
        }

        static void register(Process p) {
            LIVE.add(p);
        }

        static void unregister(Process p) {
            LIVE.remove(p);
        }
    }
}
