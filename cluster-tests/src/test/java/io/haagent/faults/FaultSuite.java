package io.haagent.faults;

import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.HaproxyProcess;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import io.haagent.faults.History.Attempt;
import io.haagent.faults.History.Death;
import io.haagent.faults.History.Expectations;
import io.haagent.faults.History.Window;
import io.haagent.testing.EtcdCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The fault suite (issue 14): one three-node cluster with a three-member etcd, every link through a
 * {@link Network} proxy, HAProxy with examples/haproxy.cfg in front, and scenario after scenario: clients write
 * and the sampler samples while a {@link Scenarios fault} is inflicted and healed, then the {@link Checkers} judge
 * the history. Entry point of {@code bench/faults/run.sh}; {@code FaultSuiteIT} runs the CI selection.
 */
public final class FaultSuite implements AutoCloseable {
    /** How long after a fault ends the cluster must be whole again: one primary, every live node streaming. */
    static final Duration RECOVERY = Duration.ofSeconds(120);
    static final long MAXIMUM_LAG = 1048576;
    static final String SCOPE = "faults";

    public record Options(int scenarios, long seed, Path report, AgentKind agent, int firstOctet, boolean ci,
            List<String> only) {
    }

    /** One scenario's figures and verdict, as the report shows them. */
    public record Result(String name, String fault, String sync, Window window, Checkers.Verdict verdict,
            long recoveryMillis, List<Map<String, Object>> roleChanges, History history, String agentHistory) {
    }

    final Options options;
    final TestCluster cluster;
    final Network network;
    final HaproxyProcess haproxy;
    final String haproxyAddress;
    final Map<Integer, String> nodeOfPort = new LinkedHashMap<>();
    final AtomicLong ids = new AtomicLong();
    final Random random;
    final int ttl = 20;

    FaultSuite(Options options) throws IOException {
        this.options = options;
        this.random = new Random(options.seed());
        this.network = new Network();
        ClusterSpec spec = ClusterSpec.of(3).agent(options.agent()).scope(SCOPE).firstOctet(options.firstOctet())
                .etcdMembers(3).etcdFirstHost(options.firstOctet() + 5).timing(ttl, 3, 5).links(network)
                .dynamic("maximum_lag_on_failover", MAXIMUM_LAG);
        for (int i = 1; i <= 3; i++) {
            spec.watchdog(i, "automatic", true);
        }
        this.cluster = TestCluster.start(spec);
        network.attach(cluster);
        cluster.nodes().forEach(n -> nodeOfPort.put(n.pgPort(), n.name()));
        String bind = "127.0.0." + (options.firstOctet() + 8);
        int port = EtcdCluster.freePort(bind);
        Path dir = cluster.dir().resolve("haproxy");
        String cfg = HaproxyProcess.pointedAt(Files.readAllLines(Dist.examples().resolve("haproxy.cfg")), bind,
                Map.of(5433, port, 5434, EtcdCluster.freePort(bind)),
                cluster.nodes().stream().map(HaproxyProcess.Backend::of).toList(), dir.resolve("admin.sock"));
        this.haproxy = HaproxyProcess.start(dir, cfg);
        this.haproxyAddress = bind + ":" + port;
        awaitWhole(Duration.ofSeconds(180));
        ClusterNode p = primary();
        p.sql("CREATE TABLE IF NOT EXISTS " + Clients.TABLE + " (client text, id bigint, PRIMARY KEY (client, id))");
    }

    // ------------------------------------------------------------------------------------------- cluster state

    /** The node whose agent answers 200 to GET /primary and whose postgres accepts writes. */
    ClusterNode primary() {
        for (ClusterNode n : cluster.nodes()) {
            if (Clients.primaryStatus(n) == 200 && n.isWritablePrimary()) {
                return n;
            }
        }
        throw new AssertionError("no primary");
    }

    List<ClusterNode> replicas(ClusterNode primary) {
        return cluster.nodes().stream().filter(n -> n != primary).toList();
    }

    /**
     * One primary (GET /primary 200 and writable), and every node whose agent runs streaming from it, as both
     * sides report it (the replica's walreceiver streaming, the primary's walsender for it streaming).
     */
    boolean whole() {
        ClusterNode p;
        try {
            p = primary();
        } catch (AssertionError e) {
            return false;
        }
        long writable = cluster.nodes().stream().filter(ClusterNode::isWritablePrimary).count();
        if (writable != 1) {
            return false;
        }
        List<String> streaming = p.sql("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
        for (ClusterNode r : replicas(p)) {
            if (!r.agentAlive()) {
                continue;
            }
            if (!streaming.contains(r.name())
                    || !r.sql("SELECT status FROM pg_stat_wal_receiver").equals(List.of("streaming"))) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the cluster is whole; returns how long that took, or -1 when it was not within {@code atMost}. */
    long awaitWhole(Duration atMost) {
        long start = System.nanoTime();
        try {
            await("one primary, every live node streaming").atMost(atMost).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(this::whole);
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return -1;
        }
    }

    /** The direct writer's target: the node answering 200 to GET /primary (its real address), or null. */
    String directTarget() {
        for (ClusterNode n : cluster.nodes()) {
            if (Clients.primaryStatus(n) == 200) {
                return n.host() + ":" + n.pgPort();
            }
        }
        return null;
    }

    /** Sets the replication mode and failsafe_mode through PATCH /config, and waits until the primary runs it. */
    void configure(boolean strict, boolean failsafe) {
        ClusterNode p = primary();
        String body = String.format("{\"synchronous_mode\": %s, \"synchronous_mode_strict\": %s, "
                + "\"failsafe_mode\": %s}", strict, strict, failsafe);
        ClusterNode.Answer a = p.patch("/config", body);
        if (a.status() != 200) {
            throw new AssertionError("PATCH /config " + body + ": " + a.status() + " " + a.body());
        }
        await("synchronous_standby_names as configured").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> {
                    // strict: a named standby (not '*', which a primary without one sets to block writes), so
                    // that a failover has a candidate; asynchronous: none
                    String names = primary().sql("SHOW synchronous_standby_names").get(0);
                    return strict ? !names.isBlank() && !names.contains("*") : names.isBlank();
                });
        if (strict) {
            // and the sync key names that standby: until the primary has seen it stream synchronously and written
            // the key, no replica may take over (the key says nobody is known to hold every commit), so a fault
            // inflicted in that window finds no candidate, in Patroni as in ha-agent: a harness race, not a finding
            await("the sync key naming the synchronous standby").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> {
                        String standby = syncStandby();
                        return standby != null && primary().sql("SHOW synchronous_standby_names").get(0)
                                .contains(standby);
                    });
        }
        if (failsafe) {
            // failsafe mode only protects once the leader has published who the members are (its /failsafe key)
            String key = "/service/" + SCOPE + "/failsafe";
            await("the leader's " + key + " key naming every member").atMost(Duration.ofSeconds(60))
                    .ignoreExceptions().until(() -> {
                        String v = cluster.etcd().etcdctl("get", key, "--print-value-only");
                        return cluster.nodes().stream().allMatch(n -> v.contains("\"" + n.name() + "\""));
                    });
        }
    }

    /** The synchronous standby the sync key names (one of them, in Patroni's comma-separated list), or null. */
    String syncStandby() {
        String v = cluster.etcd().etcdctl("get", "/service/" + SCOPE + "/sync", "--print-value-only");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"sync_standby\"\\s*:\\s*\"([^\",]+)")
                .matcher(v);
        return m.find() ? m.group(1) : null;
    }

    // ------------------------------------------------------------------------------------------------ running

    Result run(Scenarios.Scenario s) throws Exception {
        ClusterNode before = primary();
        configure(s.strict(), s.failsafe());
        long t0 = System.nanoTime();
        Scenarios.Context ctx = new Scenarios.Context(this, t0, before);
        Clients.Sampler sampler = new Clients.Sampler(cluster.nodes(), t0);
        ctx.sampler = sampler;
        Clients.Writer direct = new Clients.Writer("direct", this::directTarget, nodeOfPort, ids, t0);
        Clients.Writer viaHaproxy = new Clients.Writer("haproxy", () -> haproxyAddress, nodeOfPort, ids, t0);
        Map<String, Long> agentPids = new LinkedHashMap<>();
        cluster.nodes().forEach(n -> agentPids.put(n.name(), n.agentAlive() ? n.agentPid() : -1));
        long recovery;
        try {
            await("writes acknowledged before the fault").atMost(Duration.ofSeconds(60))
                    .until(() -> direct.attempts().stream().anyMatch(a -> a.outcome() == History.Outcome.ACKNOWLEDGED)
                            && viaHaproxy.attempts().stream().anyMatch(a -> a.outcome() == History.Outcome.ACKNOWLEDGED));
            s.body().inflict(ctx);
            if (ctx.end < 0) {
                ctx.end();
            }
            recovery = awaitWhole(RECOVERY);
            // a short tail of writes on the whole cluster, then the clients stop
            long settled = ctx.now();
            await("writes acknowledged after recovery").atMost(Duration.ofSeconds(30)).until(() -> direct.attempts()
                    .stream().anyMatch(a -> a.outcome() == History.Outcome.ACKNOWLEDGED && a.startMillis() > settled));
        } finally {
            direct.close();
            viaHaproxy.close();
            sampler.close();
            ctx.stopFences();
        }
        // agents that are not running now, or run with another pid than the fault left them with, died
        List<Death> deaths = new ArrayList<>(ctx.deaths);
        for (ClusterNode n : cluster.nodes()) {
            boolean killed = ctx.deaths.stream().anyMatch(d -> d.node().equals(n.name()));
            if (!killed && (!n.agentAlive() || n.agentPid() != agentPids.get(n.name()))) {
                deaths.add(new Death(n.name(), ctx.now(), n.agentAlive() ? "restarted" : "not running", false));
            }
            if (!n.agentAlive()) {
                n.start();
            }
        }
        List<Attempt> attempts = new ArrayList<>(direct.attempts());
        attempts.addAll(viaHaproxy.attempts());
        Set<String> present = new HashSet<>();
        if (recovery >= 0) {
            long min = attempts.stream().mapToLong(Attempt::id).min().orElse(0);
            long max = attempts.stream().mapToLong(Attempt::id).max().orElse(0);
            present.addAll(primary().sql("SELECT client || ':' || id FROM " + Clients.TABLE + " WHERE id BETWEEN "
                    + min + " AND " + max));
        } else {
            present = null;
        }
        long maxLag = s.strict() ? 0 : MAXIMUM_LAG;
        History h = new History(s.name(), new Window(ctx.start, ctx.end), attempts, sampler.samples(), deaths,
                new Expectations(s.overlapExpected() || ctx.overlapExpected, s.strict() || s.lossless(), maxLag, RECOVERY.toMillis()));
        Checkers.Verdict v = Checkers.check(h, present == null ? allAcked(attempts) : present, recovery);
        List<String> breaches = new ArrayList<>(v.breaches());
        breaches.addAll(ctx.breaches);
        if (present == null) {
            breaches.add("durability: not read back (the cluster never became whole)");
        }
        List<String> notes = new ArrayList<>(v.notes());
        notes.addAll(ctx.notes);
        network.takeSwallowed().forEach(l -> notes.add("black-holed: " + l));
        v = new Checkers.Verdict(breaches, notes, v.overlapMillis(), v.acknowledgedInOverlap(), v.acknowledged(),
                v.lost(), v.unavailableMillis());
        String agentHistory = "";
        try {
            agentHistory = primary().get("/history").body();
        } catch (AssertionError e) {
            // no primary: reported as a recovery breach already
        }
        return new Result(s.name(), s.fault(), s.strict() ? "synchronous_mode_strict" : "asynchronous",
                h.fault(), v, recovery, roleChanges(h), h, agentHistory);
    }

    private static Set<String> allAcked(List<Attempt> attempts) {
        return attempts.stream().filter(a -> a.outcome() == History.Outcome.ACKNOWLEDGED)
                .map(a -> a.client() + ":" + a.id()).collect(Collectors.toSet());
    }

    /** When each node started or stopped accepting writes, and what GET /primary said, from the sampler. */
    static List<Map<String, Object>> roleChanges(History h) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, String> last = new LinkedHashMap<>();
        for (History.Sample s : h.samples()) {
            s.nodes().forEach((node, ns) -> {
                String role = ns.writable() == null ? "down" : ns.writable() ? "primary" : "replica";
                role += ns.primaryStatus() == 200 ? " (GET /primary 200)" : "";
                if (!role.equals(last.get(node))) {
                    last.put(node, role);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("at_ms", s.startMillis());
                    m.put("node", node);
                    m.put("role", role);
                    m.put("timeline", ns.timeline());
                    out.add(m);
                }
            });
        }
        return out;
    }

    /** After a scenario that failed half-way: every link healed, agent resumed or started, etcd member started. */
    void repair() {
        network.heal();
        for (ClusterNode n : cluster.nodes()) {
            try {
                Files.setPosixFilePermissions(n.dataDir().resolve("pg_wal"),
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                // no data directory yet
            }
            if (n.agentAlive()) {
                n.thawAgent();
            } else {
                n.start();
            }
        }
        cluster.etcd().members().stream().filter(m -> !m.isRunning()).forEach(cluster.etcd()::restart);
    }

    /**
     * The operator's repair of a cluster left broken: {@code POST /reinitialize} (forced) on every running node that
     * does not stream from the primary (a replica left on another timeline, say). Returns the nodes asked.
     */
    List<String> reinitializeStragglers() {
        ClusterNode p;
        try {
            p = primary();
        } catch (AssertionError e) {
            return List.of();
        }
        List<String> streaming = p.sql("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
        List<String> out = new ArrayList<>();
        for (ClusterNode r : replicas(p)) {
            if (r.agentAlive() && !streaming.contains(r.name())) {
                ClusterNode.Answer a = r.post("/reinitialize", "{\"force\": true}");
                out.add(r.name() + " (" + a.status() + ")");
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            haproxy.close();
        } finally {
            try {
                cluster.close();
            } finally {
                network.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ main

    static Options parse(String[] args) {
        int n = 14;
        long seed = System.currentTimeMillis();
        Path report = Path.of("bench/results/faults.json");
        AgentKind agent = AgentKind.HA_AGENT;
        int octet = 221;
        boolean ci = false;
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scenarios" -> n = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--report" -> report = Path.of(args[++i]);
                case "--agent" -> agent = switch (args[++i]) {
                    case "ha-agent" -> AgentKind.HA_AGENT;
                    case "patroni" -> AgentKind.PATRONI;
                    default -> throw new IllegalArgumentException("--agent: ha-agent or patroni, not " + args[i]);
                };
                case "--first-octet" -> octet = Integer.parseInt(args[++i]);
                case "--ci" -> ci = true;
                case "--only" -> only = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: run.sh "
                        + "--scenarios N --seed S --report FILE.json [--agent ha-agent|patroni] [--ci] "
                        + "[--only a,b:async,c:strict] [--first-octet 221]");
            }
        }
        return new Options(n, seed, report, agent, octet, ci, only);
    }

    /** The scenarios of a run: the CI selection (every fault once), the named ones, or N drawn from the seed. */
    static List<Scenarios.Scenario> plan(Options o) {
        List<Scenarios.Scenario> all = Scenarios.all();
        if (!o.only().isEmpty()) {
            // name, or name:async / name:strict to run it in the other replication mode than its default
            return o.only().stream().map(n -> {
                String[] p = n.split(":", 2);
                Scenarios.Scenario s = Scenarios.named(p[0]);
                if (p.length == 1) {
                    return s;
                }
                return switch (p[1]) {
                    case "async" -> s.withStrict(false);
                    case "strict" -> s.withStrict(true);
                    default -> throw new IllegalArgumentException("--only " + n + ": the mode after ':' is async "
                            + "or strict");
                };
            }).toList();
        }
        if (o.ci()) {
            return all;
        }
        Random r = new Random(o.seed());
        List<Scenarios.Scenario> out = new ArrayList<>();
        for (int i = 0; i < o.scenarios(); i++) {
            Scenarios.Scenario s = all.get(r.nextInt(all.size()));
            out.add(s.withStrict(r.nextBoolean()));
        }
        return out;
    }

    /** Runs the plan, writes the report and its SVG; returns the results. */
    public static List<Result> runAll(Options o) throws Exception {
        List<Scenarios.Scenario> plan = plan(o);
        System.out.println("fault suite: agent " + (o.agent() == AgentKind.HA_AGENT ? "ha-agent" : "patroni")
                + ", seed " + o.seed() + ", " + plan.size() + " scenarios: "
                + plan.stream().map(Scenarios.Scenario::name).collect(Collectors.joining(" ")));
        List<Result> results = new ArrayList<>();
        try (FaultSuite suite = new FaultSuite(o)) {
            for (Scenarios.Scenario s : plan) {
                Result r;
                try {
                    r = suite.run(s);
                } catch (Exception | AssertionError e) {
                    Checkers.Verdict v = new Checkers.Verdict(List.of("harness: " + e), List.of(), 0, 0, 0, 0, 0);
                    r = new Result(s.name(), s.fault(), s.strict() ? "synchronous_mode_strict" : "asynchronous",
                            new Window(-1, -1), v, -1, List.of(), null, "");
                    System.out.println(suite.cluster.logs(15));
                }
                results.add(r);
                Checkers.Verdict v = r.verdict();
                System.out.printf("  %-28s %-24s unavailable %6d ms, recovered %6d ms, acknowledged %5d, lost %d, "
                        + "breaches %d%n", r.name(), r.sync(), v.unavailableMillis(), r.recoveryMillis(),
                        v.acknowledged(), v.lost(), v.breaches().size());
                v.breaches().forEach(b -> System.out.println("    BREACH " + b));
                v.notes().forEach(n -> System.out.println("    note   " + n));
                Report.write(o, results);
                if (r.history() == null || r.recoveryMillis() < 0) {
                    // a scenario that failed half-way, or left the cluster broken (its breach is counted above):
                    // repaired as an operator would, so that the next scenario starts from a whole cluster
                    suite.repair();
                    if (suite.awaitWhole(r.history() == null ? RECOVERY : Duration.ofSeconds(5)) < 0) {
                        List<String> reinit = suite.reinitializeStragglers();
                        System.out.println("  repair: the cluster is not whole; reinitialized " + reinit);
                        if (suite.awaitWhole(RECOVERY) < 0) {
                            System.out.println("  the cluster did not become whole again: the run stops here");
                            break;
                        }
                    }
                }
            }
        }
        Report.write(o, results);
        int breaches = results.stream().mapToInt(r -> r.verdict().breaches().size()).sum();
        int lost = results.stream().mapToInt(r -> r.verdict().lost()).sum();
        System.out.println("report: " + o.report() + " and " + Report.svgPath(o.report()));
        System.out.println("fault suite: " + results.size() + " scenarios, " + breaches + " breaches, " + lost
                + " acknowledged writes lost");
        return results;
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        List<Result> results = runAll(o);
        boolean breached = results.stream().anyMatch(r -> !r.verdict().breaches().isEmpty());
        System.exit(breached ? 1 : 0);
    }
}
