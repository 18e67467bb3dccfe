package io.haagent.cluster.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.testing.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link TestCluster}: its agent process (ha-agent or Patroni), its PostgreSQL, its REST API, and
 * the faults a test can inflict on it.
 */
public final class ClusterNode {
    /** System property: start agents with the launcher's default JVM options (the benchmark), not the tests'. */
    public static final String LAUNCHER_DEFAULTS = "cluster.launcherDefaults";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final HttpClient http;

    public static final String SUPERUSER = "postgres";
    public static final String SUPERUSER_PASSWORD = "super-secret-pw";

    private final TestCluster cluster;
    private final String name;
    private final String host;
    private final int restPort;
    private final int pgPort;
    private final Path dir;
    private final Path config;
    private final TcpProxy etcdProxy;
    private Process agent;
    private int starts;
    private AgentKind kind;

    ClusterNode(TestCluster cluster, String name, String host, int restPort, int pgPort, Path dir, Path config,
            TcpProxy etcdProxy) {
        this.cluster = cluster;
        this.name = name;
        this.host = host;
        this.restPort = restPort;
        this.pgPort = pgPort;
        this.dir = dir;
        this.config = config;
        this.etcdProxy = etcdProxy;
        this.http = cluster.restTls() == null ? HTTP : cluster.restTls().client();
    }

    /** The agent this node runs: the spec's, or the one {@link #runWith} set (a migration swaps it). */
    public synchronized AgentKind kind() {
        return kind != null ? kind : cluster.spec().agentOf(cluster.nodes().indexOf(this) + 1);
    }

    /** The next {@link #start()} runs {@code k} on the same configuration file and data directory. */
    public synchronized void runWith(AgentKind k) {
        if (agent != null && agent.isAlive()) {
            throw new IllegalStateException(name + "'s agent is running: stop it before changing what runs");
        }
        kind = k;
    }

    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public int restPort() {
        return restPort;
    }

    public int pgPort() {
        return pgPort;
    }

    public Path dir() {
        return dir;
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public Path config() {
        return config;
    }

    /** The stand-in watchdog device ({@link ClusterSpec#watchdog}). */
    public Path watchdogDevice() {
        return dir.resolve("watchdog");
    }

    public Path log() {
        return dir.resolve("agent.log");
    }

    public String restUrl() {
        return (cluster.restTls() == null ? "http://" : "https://") + host + ":" + restPort;
    }

    /** The proxy between this node's agent and etcd (only with {@link ClusterSpec#etcdThroughProxies()}). */
    public TcpProxy etcdProxy() {
        if (etcdProxy == null) {
            throw new IllegalStateException("the cluster was not started with etcdThroughProxies()");
        }
        return etcdProxy;
    }

    // ------------------------------------------------------------------------------------------------ process

    /** Start (or restart) the agent; its output goes to {@link #log()} (appended). */
    public synchronized void start() {
        start(java.util.Map.of());
    }

    /** As {@link #start()}, with these variables added to the agent's environment (benchmarks: JVM options). */
    public synchronized void start(java.util.Map<String, String> env) {
        if (agent != null && agent.isAlive()) {
            throw new IllegalStateException(name + "'s agent is already running");
        }
        ProcessBuilder pb = new ProcessBuilder(kind().command(config));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        if (Boolean.getBoolean(LAUNCHER_DEFAULTS)) {
            // the benchmark: the JVM exactly as the launcher starts it in production
            pb.environment().remove("HA_AGENT_JAVA_OPTS");
        } else {
            pb.environment().put("HA_AGENT_JAVA_OPTS", "-Xms32m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        }
        pb.environment().remove("PGPASSWORD");
        pb.environment().putAll(env);
        try {
            Files.writeString(log(), "==== start " + (++starts) + " ====\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            agent = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the agent of " + name, e);
        }
    }

    public synchronized boolean agentAlive() {
        return agent != null && agent.isAlive();
    }

    public synchronized long agentPid() {
        if (agent == null) {
            throw new IllegalStateException(name + "'s agent was never started");
        }
        return agent.pid();
    }

    /** kill -9 of the agent only (postgres keeps running, as under systemd with KillMode=process). */
    public synchronized void killAgent() {
        signal(agentPid(), "KILL");
        waitForExit(Duration.ofSeconds(10));
    }

    /** SIGTERM: the agent stops postgres and hands over; returns once it exited. */
    public synchronized void stopAgent(Duration timeout) {
        if (!agentAlive()) {
            return;
        }
        signal(agentPid(), "TERM");
        waitForExit(timeout);
    }

    public synchronized void freezeAgent() {
        signal(agentPid(), "STOP");
    }

    public synchronized void thawAgent() {
        signal(agentPid(), "CONT");
    }

    public synchronized int agentExitCode(Duration timeout) {
        waitForExit(timeout);
        return agent.exitValue();
    }

    private void waitForExit(Duration timeout) {
        try {
            if (!agent.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + "'s agent did not exit within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The postmaster's pid from postmaster.pid, when the file exists. */
    public Optional<Long> postmasterPid() {
        Path pidFile = dataDir().resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** kill -9 of the postmaster (its backends die with it). @return the pid that was killed */
    public long killPostmaster() {
        long pid = postmasterPid().filter(p -> ProcessHandle.of(p).filter(this::isOurPostmaster).isPresent())
                .orElseThrow(() -> new AssertionError(name + " has no running postmaster"));
        signal(pid, "KILL");
        return pid;
    }

    /**
     * kill -9 of agent, postmaster and every postgres child: the node dies as a machine would (children are killed
     * too so that one a test stopped with SIGSTOP, e.g. a walsender, does not linger holding its connection).
     */
    public synchronized void killNode() {
        List<Long> pg = postgresProcesses();
        signal(agentPid(), "KILL");
        pg.forEach(pid -> signal(pid, "KILL"));
        waitForExit(Duration.ofSeconds(10));
    }

    /**
     * The postmaster and all its descendants, postmaster first; empty when it does not run. The pid from a stale
     * postmaster.pid is only trusted when that process runs postgres on this data directory (the machine is shared:
     * a recycled pid may belong to anybody).
     */
    public List<Long> postgresProcesses() {
        List<Long> out = new ArrayList<>();
        postmasterPid().flatMap(ProcessHandle::of).filter(this::isOurPostmaster).ifPresent(pm -> {
            out.add(pm.pid());
            pm.descendants().forEach(c -> out.add(c.pid()));
        });
        return out;
    }

    private boolean isOurPostmaster(ProcessHandle p) {
        return p.isAlive() && p.info().commandLine().map(c -> c.contains(dataDir().toString())).orElse(false);
    }

    /** Pids of the walsenders on this node (a primary's connections to its replicas). */
    public List<Long> walSenderPids() {
        return sql("SELECT pid FROM pg_stat_replication").stream().map(Long::parseLong).toList();
    }

    /** Sends {@code sig} (e.g. {@code STOP}, {@code CONT}, {@code KILL}) to a process. */
    public static void signal(long pid, String sig) {
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------ REST

    /** A REST answer: status code and body (JSON parsed when it is JSON). */
    public record Answer(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(5)).GET());
    }

    public Answer post(String path, String jsonBody) {
        return send(withAuth(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody))));
    }

    public Answer patch(String path, String jsonBody) {
        return send(withAuth(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(jsonBody))));
    }

    public Answer delete(String path) {
        return send(withAuth(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(30))
                .DELETE()));
    }

    /** Any method with a JSON body (or none), with the cluster's credentials. */
    public Answer request(String method, String path, String jsonBody) {
        return send(withAuth(HttpRequest.newBuilder(URI.create(restUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").method(method, jsonBody == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody))));
    }

    private HttpRequest.Builder withAuth(HttpRequest.Builder b) {
        ClusterSpec s = cluster.spec();
        if (s.restUser != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (s.restUser + ":" + s.restPassword).getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private Answer send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        }
    }

    /** {@code GET /patroni}, or null when the API does not answer. */
    public JsonNode patroni() {
        Answer a = get("/patroni");
        return a.status() == 200 ? a.json() : null;
    }

    public String role() {
        JsonNode p = patroni();
        return p == null ? null : p.path("role").asText(null);
    }

    public String state() {
        JsonNode p = patroni();
        return p == null ? null : p.path("state").asText(null);
    }

    public long timeline() {
        JsonNode p = patroni();
        return p == null ? 0 : p.path("timeline").asLong(0);
    }

    // ------------------------------------------------------------------------------------------------ SQL

    /** A superuser connection to this node's postgres (short timeouts). */
    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", SUPERUSER);
        p.setProperty("password", SUPERUSER_PASSWORD);
        p.setProperty("connectTimeout", "3");
        p.setProperty("socketTimeout", "10");
        p.setProperty("ApplicationName", "cluster-test");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + pgPort + "/postgres", p);
    }

    /** Runs a statement; returns the first column of every row as text. */
    public List<String> sql(String statement) {
        try (Connection c = connect(); var s = c.createStatement()) {
            List<String> out = new ArrayList<>();
            if (s.execute(statement)) {
                try (var rs = s.getResultSet()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError(name + ": " + statement + ": " + e.getMessage(), e);
        }
    }

    /**
     * True when this node's postgres is in recovery and its walreceiver streams from {@code primary}, and the
     * primary lists it as streaming. Both sides are asked: a pg_basebackup's WAL stream carries the replica's name
     * as application_name on the primary while the replica's postgres does not even run.
     */
    public boolean streamsFrom(ClusterNode primary) {
        List<String> receiver = sql("SELECT status || ' ' || sender_host || ':' || sender_port FROM pg_stat_wal_receiver");
        if (!receiver.equals(List.of("streaming " + primary.host() + ":" + primary.pgPort()))) {
            return false;
        }
        return primary.sql("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'").contains(name);
    }

    /** True when postgres answers and is not in recovery. */
    public boolean isWritablePrimary() {
        try (Connection c = connect(); var s = c.createStatement(); var rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            return rs.next() && !rs.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /** True when the agent's log has a line containing {@code text}. */
    public boolean logContains(String text) {
        try {
            return Files.readString(log(), StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** How many lines of the agent's log contain {@code text}. */
    public long logCount(String text) {
        try {
            return Files.readAllLines(log(), StandardCharsets.UTF_8).stream().filter(l -> l.contains(text)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The last lines of the agent's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name + "@" + host;
    }
}
