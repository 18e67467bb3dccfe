package io.haagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The HA benchmark of issue 4: the same three-node cluster configuration run by ha-agent and by Patroni 3.0.2,
 * with the seed's timing (ttl 30, loop_wait 10, retry_timeout 10), a writer committing straight to the primary.
 * Scenarios: bootstrap (three empty nodes to a leader and two streaming replicas), switchover, postmaster
 * killed on the primary (agent alive), primary node killed (agent and postgres) with the time after the lease's
 * expiry, and the rejoin of that node once restarted. Run by {@code bench/ha/run.sh}; prints a table and writes
 * JSON. Sleeps here are part of the scenario (placing a crash at a random point of the tick), not waits for a
 * condition.
 */
public final class FailoverBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgentKind kind;
    private final int runs;
    private final Random random = new Random(42);
    private final Map<String, List<Double>> results = new LinkedHashMap<>();
    private final int ttl;
    private final int loopWait;
    private final int retryTimeout;

    FailoverBench(AgentKind kind, int runs, int ttl, int loopWait, int retryTimeout) {
        this.kind = kind;
        this.runs = runs;
        this.ttl = ttl;
        this.loopWait = loopWait;
        this.retryTimeout = retryTimeout;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(ClusterNode.LAUNCHER_DEFAULTS, "true");
        List<AgentKind> kinds = new ArrayList<>();
        int runs = 3;
        Path out = Path.of("bench/results/ha.json");
        List<String> scenarios = List.of("bootstrap", "switchover", "crash", "nodekill");
        int ttl = 30;
        int loopWait = 10;
        int retry = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> kinds.add(AgentKind.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_')));
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--scenarios" -> scenarios = List.of(args[++i].split(","));
                case "--timing" -> {
                    String[] t = args[++i].split(",");
                    ttl = Integer.parseInt(t[0]);
                    loopWait = Integer.parseInt(t[1]);
                    retry = Integer.parseInt(t[2]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (kinds.isEmpty()) {
            kinds.add(AgentKind.HA_AGENT);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("at", Instant.now().toString());
        report.put("timing", Map.of("ttl", ttl, "loop_wait", loopWait, "retry_timeout", retry));
        report.put("runs", runs);
        report.put("load_average_before", loadAverage());
        for (AgentKind k : kinds) {
            FailoverBench b = new FailoverBench(k, runs, ttl, loopWait, retry);
            b.run(scenarios);
            report.put(k.name().toLowerCase(Locale.ROOT), b.results);
        }
        report.put("load_average_after", loadAverage());
        Files.createDirectories(out.getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        printTable(report, kinds);
        System.out.println("results: " + out.toAbsolutePath());
    }

    void run(List<String> scenarios) throws Exception {
        System.out.println("== " + kind + " (ttl " + ttl + ", loop_wait " + loopWait + ", retry_timeout " + retryTimeout + ")");
        if (kind == AgentKind.HA_AGENT) {
            warmUpClassDataArchive();
        }
        TestCluster cluster = null;
        try {
            for (int i = 0; i < (scenarios.contains("bootstrap") ? runs : 1); i++) {
                if (cluster != null) {
                    cluster.close();
                }
                cluster = TestCluster.create(spec());
                long t0 = System.nanoTime();
                cluster.nodes().forEach(ClusterNode::start);
                cluster.awaitHealthy(Duration.ofSeconds(180));
                if (scenarios.contains("bootstrap")) {
                    record("bootstrap_s", seconds(System.nanoTime() - t0));
                }
            }
            try (Writer w = new Writer(cluster).start()) {
                if (!w.awaitCommitAfter(System.nanoTime(), 30_000)) {
                    throw new IllegalStateException("the writer cannot write to the cluster");
                }
                if (scenarios.contains("switchover")) {
                    for (int i = 0; i < runs; i++) {
                        switchover(cluster, w);
                    }
                }
                if (scenarios.contains("crash")) {
                    for (int i = 0; i < runs; i++) {
                        postmasterCrash(cluster, w);
                    }
                }
                if (scenarios.contains("nodekill")) {
                    for (int i = 0; i < runs; i++) {
                        nodeKill(cluster, w);
                    }
                }
            }
        } finally {
            if (cluster != null) {
                cluster.close();
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

    private ClusterSpec spec() {
        return ClusterSpec.of(3).agent(kind).timing(ttl, loopWait, retryTimeout).scope("bench");
    }

    private void switchover(TestCluster c, Writer w) throws Exception {
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(120));
        settle(w);
        ClusterNode candidate = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        long t0 = System.nanoTime();
        ClusterNode.Answer a = leader.post("/switchover",
                "{\"leader\":\"" + leader.name() + "\",\"candidate\":\"" + candidate.name() + "\"}");
        if (a.status() != 200) {
            throw new IllegalStateException("switchover refused: " + a.status() + " " + a.body());
        }
        long[] outage = outage(w, t0, 60, "the switchover");
        record("switchover_unavailable_s", seconds(outage[1] - outage[0]));
        System.out.printf("  switchover %s -> %s: writes unavailable %.3f s%n", leader.name(), candidate.name(),
                last("switchover_unavailable_s"));
    }

    private void postmasterCrash(TestCluster c, Writer w) throws Exception {
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(120));
        settle(w);
        // wherever in the tick the crash falls
        Thread.sleep(random.nextInt(loopWait * 1000));
        long t0 = System.nanoTime();
        leader.killPostmaster();
        long[] outage = outage(w, t0, ttl + 60, "the postmaster crash");
        record("postmaster_crash_unavailable_s", seconds(outage[1] - outage[0]));
        System.out.printf("  postmaster of %s killed: writes unavailable %.3f s (leader now %s)%n", leader.name(),
                last("postmaster_crash_unavailable_s"), c.leaderName().orElse("?"));
    }

    private void nodeKill(TestCluster c, Writer w) throws Exception {
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(180));
        settle(w);
        Thread.sleep(random.nextInt(loopWait * 1000));
        double leaseLeft = leaseSecondsLeft(c);
        long t0 = System.nanoTime();
        leader.killNode();
        // etcd ends the lease (and deletes the leader key) when it expires; find that moment by reading the key
        // every 10 ms: the lease's real end, which etcdctl's whole-second TTL cannot give
        long expiry = keyGone(c, leader.name(), ttl + 30);
        long[] outage = outage(w, t0, ttl + 90, "the node's death");
        record("node_kill_unavailable_s", seconds(outage[1] - outage[0]));
        record("node_kill_after_lease_expiry_s", seconds(outage[1] - expiry));
        String newLeader = c.leaderName().orElse("?");
        System.out.printf("  node %s killed (lease had %.1f s left): writes unavailable %.3f s, %.3f s after the"
                + " lease expired; new leader %s%n", leader.name(), leaseLeft, last("node_kill_unavailable_s"),
                last("node_kill_after_lease_expiry_s"), newLeader);
        // the killed node rejoins once its agent is restarted
        long t1 = System.nanoTime();
        leader.start();
        ClusterNode primary = c.node(newLeader);
        waitFor(Duration.ofSeconds(180), () -> streamsFrom(primary, leader.name()));
        record("rejoin_s", seconds(System.nanoTime() - t1));
        System.out.printf("  %s rejoined (streams from %s) %.3f s after its agent was restarted%n", leader.name(),
                newLeader, last("rejoin_s"));
    }

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

    private static long[] outage(Writer w, long t0, int timeoutSeconds, String what) throws InterruptedException {
        long[] o = w.awaitOutage(t0, timeoutSeconds * 1000L);
        if (o == null) {
            throw new IllegalStateException("no write failed and recovered within " + timeoutSeconds + " s after " + what);
        }
        return o;
    }

    /** Let the writer run a moment so the gap before the event is a normal commit interval. */
    private static void settle(Writer w) throws InterruptedException {
        w.awaitCommitAfter(System.nanoTime(), 30_000);
        Thread.sleep(500);
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

    private void record(String metric, double value) {
        results.computeIfAbsent(metric, k -> new ArrayList<>()).add(Math.round(value * 1000) / 1000.0);
    }

    private double last(String metric) {
        List<Double> l = results.get(metric);
        return l.get(l.size() - 1);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    @SuppressWarnings("unchecked")
    private static void printTable(Map<String, Object> report, List<AgentKind> kinds) {
        System.out.println();
        System.out.printf("%-34s", "figure (s): min / median / max");
        for (AgentKind k : kinds) {
            System.out.printf("%-28s", k.name().toLowerCase(Locale.ROOT));
        }
        if (kinds.size() == 2) {
            System.out.print("ratio (median)");
        }
        System.out.println();
        Map<String, List<Double>> first = (Map<String, List<Double>>) report.get(kinds.get(0).name().toLowerCase(Locale.ROOT));
        for (String metric : first.keySet()) {
            System.out.printf("%-34s", metric);
            List<Double> medians = new ArrayList<>();
            for (AgentKind k : kinds) {
                List<Double> v = ((Map<String, List<Double>>) report.get(k.name().toLowerCase(Locale.ROOT))).get(metric);
                if (v == null || v.isEmpty()) {
                    System.out.printf("%-28s", "-");
                    continue;
                }
                List<Double> s = new ArrayList<>(v);
                s.sort(Double::compare);
                double median = s.get(s.size() / 2);
                medians.add(median);
                System.out.printf("%-28s", String.format("%.3f / %.3f / %.3f", s.get(0), median, s.get(s.size() - 1)));
            }
            if (medians.size() == 2 && medians.get(0) > 0) {
                System.out.printf("x%.1f", medians.get(1) / medians.get(0));
            }
            System.out.println();
        }
    }

    static long nanos(Duration d) {
        return TimeUnit.NANOSECONDS.convert(d);
    }
}
