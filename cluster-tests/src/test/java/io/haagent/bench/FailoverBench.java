package io.haagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClientProcess;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.HaproxyProcess;
import io.haagent.cluster.harness.RecordingClient;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import io.haagent.testing.EtcdCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The HA benchmark (issues 4 and 17): the same three-node cluster configuration run by ha-agent and by Patroni
 * 3.0.2 in one invocation, with the seed's timing (ttl 30, loop_wait 10, retry_timeout 10), measured as the
 * applications see it: libpq multi-host writers, writers through HAProxy (the shipped examples/haproxy.cfg and the
 * seed's check timing), the guide's Python client (examples/python/ha_client.py) and issue 4's pgjdbc writer, all
 * writing at once ({@link ClientSet}). Scenarios: bootstrap (three empty nodes to a leader and two streaming
 * replicas), switchover, postmaster killed on the primary (agent alive), primary node killed (agent and postgres;
 * figures after the lease's expiry) and the rejoin of that node.
 *
 * <p>Each scenario prints every client's writes-unavailable time and where the time went, from outside and on one
 * monotonic clock ({@link Probes}): the old primary's last acknowledged write, its postmaster's exit, the new primary
 * taking writes, GET /primary flipping on both, HAProxy marking the servers, each client's next success. At the end
 * every client's rows are read back from the primary: an acknowledged row that is missing is reported as lost.
 * Prints a table of both agents with the ratio and the goals, and writes JSON. Run by
 * {@code bench/ha/run.sh}. Sleeps here are part of the scenario (placing a crash at a random point of the tick), not
 * waits for a condition.
 */
public final class FailoverBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRIMARY_LISTENER = "postgresql_primary";
    /** The seed's check timing (its server lines: {@code check port 8008 inter 2s fall 3 rise 2}). */
    static final String SEED_TIMING = "inter 2s fall 3 rise 2";

    private final AgentKind kind;
    private final Options opt;
    private final Random random = new Random(42);
    private final Map<String, List<Double>> results = new LinkedHashMap<>();
    /** Each event the clients lived through: what it was and when (for attributing lost rows). */
    private final List<Map.Entry<String, Long>> events = new ArrayList<>();
    private boolean keepDirectory;

    /** Command line. */
    static final class Options {
        List<AgentKind> kinds = new ArrayList<>();
        int runs = 3;
        Path out = Path.of("bench/results/ha.json");
        List<String> scenarios = List.of("bootstrap", "switchover", "crash", "nodekill");
        int ttl = 30;
        int loopWait = 10;
        int retry = 10;
        List<String> clients = ClientSet.ALL;
        Path haproxyConfig;
        Duration probePeriod = Duration.ofMillis(20);
        boolean keep;
    }

    FailoverBench(AgentKind kind, Options opt) {
        this.kind = kind;
        this.opt = opt;
    }

    /**
     * Usage: {@code [--agent ha-agent|patroni ...] [--runs N] [--scenarios bootstrap,switchover,crash,nodekill]
     * [--timing TTL,LOOP_WAIT,RETRY_TIMEOUT] [--clients libpq,libpq-10ms,haproxy,haproxy-seed,guide,guide-haproxy,
     * pgjdbc-4ms] [--haproxy-config FILE] [--probe-ms N] [--keep] [--out FILE]}.
     */
    public static void main(String[] args) throws Exception {
        System.setProperty(ClusterNode.LAUNCHER_DEFAULTS, "true");
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> o.kinds.add(AgentKind.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_')));
                case "--runs" -> o.runs = Integer.parseInt(args[++i]);
                case "--out" -> o.out = Path.of(args[++i]);
                case "--scenarios" -> o.scenarios = List.of(args[++i].split(","));
                case "--timing" -> {
                    String[] t = args[++i].split(",");
                    o.ttl = Integer.parseInt(t[0]);
                    o.loopWait = Integer.parseInt(t[1]);
                    o.retry = Integer.parseInt(t[2]);
                }
                case "--clients" -> o.clients = List.of(args[++i].split(","));
                case "--haproxy-config" -> o.haproxyConfig = Path.of(args[++i]);
                case "--probe-ms" -> o.probePeriod = Duration.ofMillis(Long.parseLong(args[++i]));
                case "--keep" -> o.keep = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (o.kinds.isEmpty()) {
            o.kinds.add(AgentKind.HA_AGENT);
        }
        for (String c : o.clients) {
            if (!ClientSet.ALL.contains(c)) {
                throw new IllegalArgumentException("unknown client " + c + "; known: " + ClientSet.ALL);
            }
        }
        if (o.clients.stream().anyMatch(c -> !c.equals("pgjdbc-4ms"))) {
            ClientProcess.python();
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("at", Instant.now().toString());
        report.put("timing", Map.of("ttl", o.ttl, "loop_wait", o.loopWait, "retry_timeout", o.retry));
        report.put("runs", o.runs);
        report.put("clients", o.clients);
        report.put("haproxy_config", haproxyConfig(o).toString());
        report.put("load_average_before", loadAverage());
        for (AgentKind k : o.kinds) {
            FailoverBench b = new FailoverBench(k, o);
            try {
                b.run();
            } catch (Exception | AssertionError e) {
                // keep what was measured and go on with the other agent: a long run is not thrown away for one
                // scenario that did not recover in time (the error and the nodes' logs say why)
                System.out.println("  ABORTED " + k + ": " + e);
                b.results.computeIfAbsent("aborted", x -> new ArrayList<>()).add(1.0);
            }
            report.put(k.name().toLowerCase(Locale.ROOT), b.results);
        }
        report.put("load_average_after", loadAverage());
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        Files.writeString(o.out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Report.print(report, o.kinds);
        System.out.println("results: " + o.out.toAbsolutePath());
    }

    private static Path haproxyConfig(Options o) {
        return o.haproxyConfig != null ? o.haproxyConfig.toAbsolutePath() : Dist.examples().resolve("haproxy.cfg");
    }

    void run() throws Exception {
        System.out.println("== " + kind + " (ttl " + opt.ttl + ", loop_wait " + opt.loopWait + ", retry_timeout "
                + opt.retry + ")");
        if (kind == AgentKind.HA_AGENT) {
            warmUpClassDataArchive();
        }
        TestCluster cluster = null;
        try {
            boolean bootstrap = opt.scenarios.contains("bootstrap");
            for (int i = 0; i < (bootstrap ? opt.runs : 1); i++) {
                if (cluster != null) {
                    close(cluster);
                }
                cluster = TestCluster.create(spec());
                if (bootstrap) {
                    bootstrap(cluster);
                } else {
                    cluster.nodes().forEach(ClusterNode::start);
                    cluster.awaitHealthy(Duration.ofSeconds(180));
                }
            }
            if (opt.scenarios.stream().noneMatch(s -> !s.equals("bootstrap"))) {
                return;
            }
            scenarios(cluster);
        } catch (Exception | AssertionError e) {
            if (cluster != null) {
                // keep the directory and show the end of every node's log: the run is long, and this is why it ended
                keepDirectory = true;
                System.out.println("  cluster kept in " + cluster.dir() + "\n" + cluster.logs(30));
            }
            throw e;
        } finally {
            if (cluster != null) {
                close(cluster);
            }
        }
    }

    private void scenarios(TestCluster cluster) throws Exception {
        Path config = haproxyConfig(opt);
        String bind = "127.0.0." + (FIRST_OCTET + 8);
        List<HaproxyProcess.Backend> backends = cluster.nodes().stream().map(HaproxyProcess.Backend::of).toList();
        int shippedPort = EtcdCluster.freePort(bind);
        int seedPort = EtcdCluster.freePort(bind);
        Path shippedDir = cluster.dir().resolve("haproxy-shipped");
        Path seedDir = cluster.dir().resolve("haproxy-seed");
        String shipped = HaproxyProcess.pointedAt(Files.readAllLines(config), bind,
                Map.of(5433, shippedPort, 5434, EtcdCluster.freePort(bind)), backends, shippedDir.resolve("admin.sock"));
        String seed = HaproxyProcess.withDefaultServer(HaproxyProcess.pointedAt(Files.readAllLines(config), bind,
                Map.of(5433, seedPort, 5434, EtcdCluster.freePort(bind)), backends, seedDir.resolve("admin.sock")),
                SEED_TIMING);
        try (HaproxyProcess shippedProxy = HaproxyProcess.start(shippedDir, shipped);
                HaproxyProcess seedProxy = HaproxyProcess.start(seedDir, seed);
                Probes probes = new Probes(opt.probePeriod)) {
            cluster.nodes().forEach(probes::watch);
            probes.watch("shipped", shippedProxy);
            probes.watch("seed", seedProxy);
            cluster.awaitHealthy(Duration.ofSeconds(120));
            ClientSet clients = ClientSet.start(cluster, opt.clients, new ClientSet.Proxies(bind + ":" + shippedPort,
                    bind + ":" + seedPort), kind == AgentKind.HA_AGENT);
            Scene s = new Scene(cluster, probes, shippedProxy, seedProxy, clients);
            try {
                clients.skipped().forEach((c, why) -> System.out.println("  client " + c + ": " + why));
                clients.awaitAllCommitAfter(System.nanoTime(), Duration.ofSeconds(60));
                for (String scenario : opt.scenarios) {
                    for (int i = 0; i < opt.runs && !scenario.equals("bootstrap"); i++) {
                        switch (scenario) {
                            case "switchover" -> switchover(s);
                            case "crash" -> postmasterCrash(s);
                            case "nodekill" -> nodeKill(s);
                            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                        }
                    }
                }
                ClusterNode leader = settle(s);
                checkNothingLost(clients.stopAndCheck(leader), leader);
            } finally {
                clients.close();
            }
        }
    }

    /** What a scenario works with. */
    private record Scene(TestCluster cluster, Probes probes, HaproxyProcess shipped, HaproxyProcess seed,
            ClientSet clients) {
    }

    // ------------------------------------------------------------------------------------------------ bootstrap

    /**
     * Three empty nodes to a leader and two streaming replicas, from the moment the agents are started; a libpq
     * writer started with them gives the first write as a client sees it.
     */
    private void bootstrap(TestCluster c) throws Exception {
        try (Probes probes = new Probes(opt.probePeriod)) {
            c.nodes().forEach(probes::watch);
            String hosts = String.join(",", c.nodes().stream().map(ClusterNode::host).toList());
            String ports = String.join(",", c.nodes().stream().map(n -> Integer.toString(n.pgPort())).toList());
            ClientProcess writer = ClientProcess.start("bootstrap-libpq", "bench_bootstrap",
                    Dist.repoRoot().resolve("bench/ha/writer.py"), List.of("--dsn", "host=" + hosts + " port=" + ports
                            + " target_session_attrs=read-write connect_timeout=1 dbname=postgres user="
                            + ClusterNode.SUPERUSER, "--table", "bench_bootstrap", "--interval", "0.1"),
                    Map.of("PGPASSWORD", ClusterNode.SUPERUSER_PASSWORD), c.dir());
            try {
                long t0 = System.nanoTime();
                Instant wall0 = Instant.now();
                c.nodes().forEach(ClusterNode::start);
                ClusterNode leader = awaitHealthy(c, probes, Duration.ofSeconds(180));
                long healthy = System.nanoTime();
                record("bootstrap.healthy", healthy - t0);
                StringBuilder line = new StringBuilder(String.format("  bootstrap: leader %s and two streaming"
                        + " replicas %.3f s after the agents were started", leader.name(), seconds(healthy - t0)));
                long first200 = Long.MAX_VALUE;
                for (ClusterNode n : c.nodes()) {
                    OptionalLong up = probes.left(n.name() + ".primary", "down", t0);
                    OptionalLong pgUp = probes.left(n.name() + ".writable", "down", t0);
                    line.append(String.format("; %s: REST up %s, postgres up %s", n.name(), at(up, t0), at(pgUp, t0)));
                    OptionalLong p200 = probes.became(n.name() + ".primary", "200", t0);
                    if (p200.isPresent()) {
                        first200 = Math.min(first200, p200.getAsLong());
                    }
                }
                recordAt("bootstrap.at.leader_rest_up", probes.left(leader.name() + ".primary", "down", t0), t0);
                recordAt("bootstrap.at.leader_writable", probes.became(leader.name() + ".writable", "true", t0), t0);
                recordAt("bootstrap.at.primary_200", first200 == Long.MAX_VALUE ? OptionalLong.empty()
                        : OptionalLong.of(first200), t0);
                writer.awaitAckAfter(t0, Duration.ofSeconds(30));
                Optional<RecordingClient.Ack> first = writer.firstAckAfter(t0);
                recordAt("bootstrap.at.libpq_first_write", first.map(a -> OptionalLong.of(a.nanos()))
                        .orElse(OptionalLong.empty()), t0);
                line.append(String.format("; /primary 200 %s; libpq writer's first commit %s", at(first200 == Long.MAX_VALUE
                        ? OptionalLong.empty() : OptionalLong.of(first200), t0), at(first.map(a -> OptionalLong.of(a.nanos()))
                        .orElse(OptionalLong.empty()), t0)));
                System.out.println(line);
                System.out.println("    from the agents' logs (s after the start): " + bootstrapSteps(c, wall0));
            } finally {
                writer.stop(Duration.ofSeconds(10));
            }
        }
    }

    /** Steps of a bootstrap as each agent logged them (ha-agent's and Patroni's share these lines and format). */
    private static final List<String> BOOTSTRAP_STEPS = List.of("REST API listening", "running as",
            "trying to bootstrap a new cluster", "initdb: running", "initdb: Success", "initialized a new cluster",
            "trying to bootstrap from", "bootstrapped from", "accepts connections");

    /** Where each node's bootstrap went, from its log's wall-clock stamps (millisecond grain). */
    private static String bootstrapSteps(TestCluster c, Instant wall0) {
        java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
        StringBuilder out = new StringBuilder();
        for (ClusterNode n : c.nodes()) {
            List<String> lines;
            try {
                lines = Files.readAllLines(n.log());
            } catch (IOException e) {
                continue;
            }
            out.append(n.name()).append(':');
            for (String step : BOOTSTRAP_STEPS) {
                for (String l : lines) {
                    if (l.length() > 23 && l.contains(step)) {
                        try {
                            Instant at = java.time.LocalDateTime.parse(l.substring(0, 23), f)
                                    .atZone(java.time.ZoneId.systemDefault()).toInstant();
                            out.append(String.format(" %s %.3f;", step, Duration.between(wall0, at).toMillis() / 1000.0));
                        } catch (java.time.format.DateTimeParseException e) {
                            continue;
                        }
                        break;
                    }
                }
            }
            out.append(' ');
        }
        return out.toString().strip();
    }

    /**
     * Leader writable and both others streaming from it, checked every 50 ms (the bootstrap figure's grain) without
     * adding load to the bootstrap it measures: the leader from etcd, writability and the replicas' postgres from the
     * probes' sessions, the walsenders from one session to the leader kept open. A replica counts once its postgres
     * runs (in recovery) and the leader lists a streaming walsender in its name: before its postgres runs, a
     * walsender in its name is pg_basebackup's WAL stream.
     */
    private static ClusterNode awaitHealthy(TestCluster c, Probes probes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ClusterNode connectedTo = null;
        java.sql.Connection session = null;
        try {
            while (System.nanoTime() < deadline) {
                try {
                    Optional<String> name = c.leaderName();
                    long now = System.nanoTime();
                    if (name.isPresent() && probes.valueAt(name.get() + ".writable", now).orElse("").equals("true")) {
                        ClusterNode l = c.node(name.get());
                        List<ClusterNode> replicas = c.nodes().stream().filter(n -> n != l).toList();
                        boolean replicasRun = replicas.stream().allMatch(n -> probes.valueAt(n.name() + ".writable",
                                now).orElse("").equals("false"));
                        if (replicasRun) {
                            if (connectedTo != l) {
                                closeQuietly(session);
                                session = l.connect();
                                connectedTo = l;
                            }
                            if (streaming(session, replicas) == replicas.size()) {
                                return l;
                            }
                        }
                    }
                } catch (java.sql.SQLException | RuntimeException e) {
                    closeQuietly(session);
                    session = null;
                    connectedTo = null;
                }
                Thread.sleep(50);
            }
        } finally {
            closeQuietly(session);
        }
        throw new IllegalStateException("the cluster did not become healthy within " + timeout + "\n" + c.logs(40));
    }

    private static int streaming(java.sql.Connection session, List<ClusterNode> replicas) throws java.sql.SQLException {
        String names = String.join(",", replicas.stream().map(n -> "'" + n.name() + "'").toList());
        try (var st = session.createStatement(); var rs = st.executeQuery("SELECT count(DISTINCT application_name)"
                + " FROM pg_stat_replication WHERE state = 'streaming' AND application_name IN (" + names + ")")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void closeQuietly(java.sql.Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (java.sql.SQLException e) {
                // broken already
            }
        }
    }

    /**
     * Production starts map the class-data archive that the launcher's training run writes (the .deb's postinst
     * runs it, and the launcher in the background at a node's first start): measure those, not the one cold first
     * start after each build. Runs the training now when no archive fits this runtime and lib/.
     */
    private void warmUpClassDataArchive() throws Exception {
        System.out.println("  " + io.haagent.dist.Dist.ensureClassDataArchive());
    }

    /** Bench nodes on 127.0.0.111-113 and HAProxy on .119: away from the cluster tests' addresses. */
    static final int FIRST_OCTET = 111;

    private ClusterSpec spec() {
        return ClusterSpec.of(3).agent(kind).timing(opt.ttl, opt.loopWait, opt.retry).scope("bench")
                .firstOctet(FIRST_OCTET);
    }

    private void close(TestCluster c) {
        c.close();
        if (!opt.keep && !keepDirectory) {
            try (Stream<Path> s = Files.walk(c.dir())) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is not worth failing the run
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ scenarios

    private void switchover(Scene s) throws Exception {
        ClusterNode leader = settle(s);
        ClusterNode candidate = s.cluster().nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        long t0 = 0;
        for (int attempt = 1; ; attempt++) {
            // as an operator would: a candidate that streams and is not behind, asked again when the leader could
            // not vouch for it (on a busy machine its GET /patroni may take longer than the leader waits)
            waitFor(Duration.ofSeconds(60), () -> candidate.get("/replica?lag=1048576").status() == 200);
            Thread.sleep(500);
            t0 = System.nanoTime();
            ClusterNode.Answer a = leader.post("/switchover",
                    "{\"leader\":\"" + leader.name() + "\",\"candidate\":\"" + candidate.name() + "\"}");
            if (a.status() == 200) {
                break;
            }
            System.out.println("  switchover refused (" + a.status() + " " + a.body().strip().replace('\n', ' ')
                    + ")" + (attempt < 5 ? ", asking again" : ""));
            if (attempt == 5 || a.status() != 412) {
                throw new IllegalStateException("switchover refused: " + a.status() + " " + a.body());
            }
            results.computeIfAbsent("switchover.refused", x -> new ArrayList<>()).add(1.0);
        }
        events.add(Map.entry("switchover " + leader.name() + " -> " + candidate.name(), t0));
        awaitRecovered(s, t0, Duration.ofSeconds(120), candidate);
        System.out.printf("  switchover %s -> %s%n", leader.name(), candidate.name());
        clientFigures(s, "switchover", t0, t0);
        Map<String, OptionalLong> at = new LinkedHashMap<>();
        at.put("old_last_write", lastWriteOn(s, leader, t0));
        at.put("old_primary_503", s.probes().left(leader.name() + ".primary", "200", t0));
        at.put("old_postmaster_exit", s.probes().changed(leader.name() + ".postmaster", t0));
        at.put("new_writable", s.probes().became(candidate.name() + ".writable", "true", t0));
        at.put("new_primary_200", s.probes().became(candidate.name() + ".primary", "200", t0));
        haproxyEvents(s, at, leader, candidate, t0);
        timeline("switchover", at, t0);
        agentSide("switchover", candidate);
    }

    private void postmasterCrash(Scene s) throws Exception {
        ClusterNode leader = settle(s);
        // wherever in the tick the crash falls
        Thread.sleep(random.nextInt(opt.loopWait * 1000));
        long t0 = System.nanoTime();
        events.add(Map.entry("postmaster of " + leader.name() + " killed", t0));
        leader.killPostmaster();
        awaitRecovered(s, t0, Duration.ofSeconds(opt.ttl + 90), null);
        ClusterNode now = s.cluster().leader();
        System.out.printf("  postmaster of %s killed (leader now %s)%n", leader.name(), now.name());
        clientFigures(s, "crash", t0, t0);
        Map<String, OptionalLong> at = new LinkedHashMap<>();
        at.put("postmaster_restarted", s.probes().left(leader.name() + ".postmaster", "none",
                s.probes().became(leader.name() + ".postmaster", "none", t0).orElse(t0)));
        at.put("primary_503", s.probes().left(now.name() + ".primary", "200", t0));
        at.put("writable_again", s.probes().became(now.name() + ".writable", "true", t0));
        at.put("primary_200_again", s.probes().became(now.name() + ".primary", "200", t0));
        haproxyEvents(s, at, leader, now, t0);
        timeline("crash", at, t0);
    }

    private void nodeKill(Scene s) throws Exception {
        ClusterNode leader = settle(s);
        Thread.sleep(random.nextInt(opt.loopWait * 1000));
        double leaseLeft = leaseSecondsLeft(s.cluster());
        long t0 = System.nanoTime();
        events.add(Map.entry("node " + leader.name() + " killed", t0));
        leader.killNode();
        // etcd ends the lease (and deletes the leader key) when it expires; find that moment by reading the key
        // every 10 ms: the lease's real end, which etcdctl's whole-second TTL cannot give
        long expiry = keyGone(s.cluster(), leader.name(), opt.ttl + 30);
        awaitRecovered(s, t0, Duration.ofSeconds(opt.ttl + 90), null);
        ClusterNode now = s.cluster().leader();
        System.out.printf("  node %s killed (lease had %.1f s left, expired %.3f s after the kill); new leader %s%n",
                leader.name(), leaseLeft, seconds(expiry - t0), now.name());
        clientFigures(s, "nodekill", t0, expiry);
        Map<String, OptionalLong> at = new LinkedHashMap<>();
        at.put("new_writable", s.probes().became(now.name() + ".writable", "true", expiry));
        at.put("new_primary_200", s.probes().became(now.name() + ".primary", "200", expiry));
        haproxyEvents(s, at, leader, now, expiry);
        timeline("nodekill", at, expiry);
        agentSide("nodekill", now);
        // the killed node rejoins once its agent is restarted
        long t1 = System.nanoTime();
        leader.start();
        waitFor(Duration.ofSeconds(180), () -> streamsFrom(now, leader.name()));
        record("rejoin", System.nanoTime() - t1);
        System.out.printf("  %s rejoined (streams from %s) %.3f s after its agent was restarted%n", leader.name(),
                now.name(), last("rejoin"));
    }

    /**
     * Waits until every client wrote again after a failure caused by the event at {@code t0}, and (given a
     * candidate) until that candidate takes writes and answers 200 on /primary.
     */
    private void awaitRecovered(Scene s, long t0, Duration timeout, ClusterNode candidate) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration window = Duration.ofSeconds(opt.ttl + 60);
        while (true) {
            List<String> waiting = new ArrayList<>();
            for (RecordingClient c : s.clients().clients().values()) {
                if (ClientSet.outage(c, t0, window).isEmpty()) {
                    waiting.add(c.name());
                }
            }
            if (candidate != null && s.probes().became(candidate.name() + ".primary", "200", t0).isEmpty()) {
                waiting.add("GET /primary on " + candidate.name());
            }
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not recovered within " + timeout + ": " + waiting + "\n"
                        + s.cluster().logs(40));
            }
            Thread.sleep(50);
        }
    }

    /**
     * Each client's writes-unavailable time (its outage from the event at {@code t0}), its next success after
     * {@code from} (the event, or the lease's expiry), and its failed attempts from the event to its recovery.
     */
    private void clientFigures(Scene s, String scenario, long t0, long from) {
        StringBuilder line = new StringBuilder("    writes unavailable:");
        Duration window = Duration.ofSeconds(opt.ttl + 60);
        for (RecordingClient c : s.clients().clients().values()) {
            long[] o = ClientSet.outage(c, t0, window).orElseThrow();
            record(scenario + ".unavailable." + c.name(), o[1] - o[0]);
            record(scenario + ".next_success." + c.name(), o[1] - from);
            long failed = c.failuresBetween(t0, o[1]);
            line.append(String.format(" %s %.3f s (%d failed attempts)", c.name(), seconds(o[1] - o[0]), failed));
        }
        s.clients().skipped().keySet().forEach(c -> line.append(" ").append(c).append(" n/a"));
        System.out.println(line);
    }

    /** The last write any client had acknowledged by {@code node} after {@code t0}, if any. */
    private static OptionalLong lastWriteOn(Scene s, ClusterNode node, long t0) {
        String server = node.host() + ":" + node.pgPort();
        long last = -1;
        for (RecordingClient c : s.clients().clients().values()) {
            for (RecordingClient.Ack a : c.acks()) {
                if (a.nanos() > t0 && a.server().equals(server)) {
                    last = Math.max(last, a.nanos());
                }
            }
        }
        return last < 0 ? OptionalLong.empty() : OptionalLong.of(last);
    }

    private static void haproxyEvents(Scene s, Map<String, OptionalLong> at, ClusterNode old, ClusterNode now,
            long after) {
        for (String proxy : List.of("shipped", "seed")) {
            if (old != now) {
                at.put("haproxy_" + proxy + "_old_down", s.probes().became(proxy + ":" + PRIMARY_LISTENER + "/"
                        + old.name(), "DOWN", after));
            }
            at.put("haproxy_" + proxy + "_new_up", s.probes().became(proxy + ":" + PRIMARY_LISTENER + "/" + now.name(),
                    "UP", after));
        }
    }

    /** Prints and records where the time went: each event's offset from {@code t0}. */
    private void timeline(String scenario, Map<String, OptionalLong> at, long t0) {
        StringBuilder line = new StringBuilder("    where the time went (s after the ")
                .append(scenario.equals("nodekill") ? "lease expired" : "event").append("):");
        at.forEach((event, t) -> {
            line.append(' ').append(event).append(' ').append(at(t, t0));
            recordAt(scenario + ".at." + event, t, t0);
        });
        System.out.println(line);
    }

    /** ha-agent's own account of the role change (GET /patroni, last_role_change), for comparison. */
    private void agentSide(String scenario, ClusterNode newPrimary) {
        if (kind != AgentKind.HA_AGENT) {
            return;
        }
        JsonNode p = newPrimary.patroni();
        JsonNode change = p == null ? null : p.path("last_role_change");
        if (change == null || change.isMissingNode() || !change.has("duration_seconds")) {
            return;
        }
        record(scenario + ".agent.role_change", (long) (change.path("duration_seconds").asDouble() * 1e9));
        System.out.println("    agent's account: " + change.path("kind").asText() + " " + change.path("duration_seconds")
                .asDouble() + " s, phases " + change.path("phases_seconds"));
    }

    /**
     * The cluster is healthy, every client writes, both HAProxy configurations route to the leader only; then the
     * writers run half a second so the gap before the next event is a normal commit interval.
     */
    private ClusterNode settle(Scene s) throws InterruptedException {
        ClusterNode leader = s.cluster().awaitHealthy(Duration.ofSeconds(180));
        s.clients().awaitAllCommitAfter(System.nanoTime(), Duration.ofSeconds(120));
        waitFor(Duration.ofSeconds(60), () -> routesOnlyTo(s.shipped(), leader) && routesOnlyTo(s.seed(), leader));
        Thread.sleep(500);
        return leader;
    }

    private static boolean routesOnlyTo(HaproxyProcess h, ClusterNode leader) {
        try {
            return h.upServers(PRIMARY_LISTENER).equals(List.of(leader.name()));
        } catch (IOException e) {
            return false;
        }
    }

    /** Prints every lost row (acknowledged, missing on the primary at the end) with the event that lost it. */
    private void checkNothingLost(Map<String, List<RecordingClient.Ack>> lost, ClusterNode primary) {
        long total = 0;
        for (Map.Entry<String, List<RecordingClient.Ack>> e : lost.entrySet()) {
            results.computeIfAbsent("lost." + e.getKey(), k -> new ArrayList<>()).add((double) e.getValue().size());
            total += e.getValue().size();
            for (RecordingClient.Ack a : e.getValue()) {
                // the event nearest to the acknowledgement: a row acknowledged just before (or, by a primary that
                // was being killed, just after) the moment the benchmark set it off
                Map.Entry<String, Long> cause = events.stream()
                        .min(Comparator.comparingLong(ev -> Math.abs(ev.getValue() - a.nanos())))
                        .orElse(Map.entry("no event", a.nanos()));
                System.out.printf("  LOST: %s row %d, acknowledged by %s %+.3f s from %s%n", e.getKey(), a.id(),
                        a.server(), seconds(a.nanos() - cause.getValue()), cause.getKey());
            }
        }
        System.out.println(total == 0 ? "  nothing acknowledged was lost (every client's rows read back from "
                + primary.name() + ")" : "  " + total + " acknowledged rows lost");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Monotonic time at which the leader key stopped naming {@code old} (polled every 10 ms). */
    private static long keyGone(TestCluster c, String old, int timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            long before = System.nanoTime();
            String now = c.leaderName().orElse(null);
            if (!old.equals(now)) {
                return before;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the leader key still names " + old + " after " + timeoutSeconds + " s");
    }

    private static boolean streamsFrom(ClusterNode primary, String member) {
        try {
            return primary.sql("SELECT count(*) FROM pg_stat_replication WHERE application_name = '" + member
                    + "' AND state = 'streaming'").equals(List.of("1"));
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Seconds left on the leader key's lease, from etcd. */
    private static double leaseSecondsLeft(TestCluster c) throws Exception {
        String out = c.etcd().etcdctl("get", "/service/bench/leader", "-w", "json");
        JsonNode kv = JSON.readTree(out).path("kvs").path(0);
        long lease = kv.path("lease").asLong();
        String ttl = c.etcd().etcdctl("lease", "timetolive", Long.toHexString(lease), "-w", "json");
        return JSON.readTree(ttl).path("ttl").asDouble();
    }

    private static void waitFor(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(20);
        }
    }

    private void record(String metric, long nanos) {
        results.computeIfAbsent(metric, k -> new ArrayList<>()).add(Math.round(nanos / 1e6) / 1000.0);
    }

    private void recordAt(String metric, OptionalLong t, long t0) {
        if (t.isPresent()) {
            record(metric, t.getAsLong() - t0);
        }
    }

    private double last(String metric) {
        List<Double> l = results.get(metric);
        return l.get(l.size() - 1);
    }

    private static String at(OptionalLong t, long t0) {
        return t.isPresent() ? String.format("%.3f", seconds(t.getAsLong() - t0)) : "-";
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
