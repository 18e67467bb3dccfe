package io.haagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.harness.AgentKind;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime benchmark of issue 15: what an agent costs its host, side by side with Patroni 3.0.2 on the same
 * three-node configuration (the seed's timing: ttl 30, loop_wait 10, retry_timeout 10), in one invocation.
 * <ul>
 * <li>memory: resident set (and proportional set) of each agent process at steady state, every agent up at least
 * {@code --steady} seconds; for ha-agent the JVM's own breakdown (Native Memory Tracking, on node pg1 only, whose
 * resident figure is then reported apart: NMT costs a little memory itself);
 * <li>idle CPU: user + system seconds of each agent process over {@code --cpu-window} seconds, per minute;
 * <li>start to "running": one replica's agent started with its data directory in place, until its own
 * {@code GET /patroni} says {@code running}: after a clean stop (postgres stopped too: the agent starts it), and
 * after kill -9 of the agent alone (postgres still running: the agent's own start); ha-agent with and without the
 * class-data archive;
 * <li>bootstrap: three empty nodes to a writable leader and two streaming replicas, worst of {@code --runs};
 * <li>the CLI: {@code agentctl list}/{@code version} and {@code patronictl list}/{@code version} on the same cluster.
 * </ul>
 * Run by {@code bench/runtime/run.sh}; prints a table with the ratios and writes JSON. The sleeps here are the
 * measurement windows, not waits for a condition.
 */
public final class RuntimeBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500))
            .version(HttpClient.Version.HTTP_1_1).build();
    private static final long TICKS_PER_SECOND = 100;

    private final AgentKind kind;
    private final Options o;
    private final Map<String, Object> results = new LinkedHashMap<>();

    /** Command-line settings. */
    static final class Options {
        List<AgentKind> kinds = new ArrayList<>();
        List<String> phases = List.of("ctl", "memory", "start", "bootstrap");
        int steadySeconds = 150;
        int cpuWindowSeconds = 60;
        int runs = 5;
        int startRuns = 3;
        int ctlRuns = 5;
        String javaOpts;
        /** ha-agent without the class-data archive in every phase (HA_AGENT_CDS=off), to measure what it costs. */
        boolean noArchive;
        /** Where the agents log their safepoints and collections (-Xlog), or null. */
        Path pauses;
        int firstOctet = 151;
        Path out = Path.of("bench/results/runtime.json");
    }

    RuntimeBench(AgentKind kind, Options o) {
        this.kind = kind;
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(ClusterNode.LAUNCHER_DEFAULTS, "true");
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> o.kinds.add(AgentKind.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_')));
                case "--phases" -> o.phases = List.of(args[++i].split(","));
                case "--steady" -> o.steadySeconds = Integer.parseInt(args[++i]);
                case "--cpu-window" -> o.cpuWindowSeconds = Integer.parseInt(args[++i]);
                case "--runs" -> o.runs = Integer.parseInt(args[++i]);
                case "--start-runs" -> o.startRuns = Integer.parseInt(args[++i]);
                case "--ctl-runs" -> o.ctlRuns = Integer.parseInt(args[++i]);
                case "--java-opts" -> o.javaOpts = args[++i];
                case "--no-archive" -> o.noArchive = true;
                case "--pauses" -> o.pauses = Path.of(args[++i]);
                case "--out" -> o.out = Path.of(args[++i]);
                case "--first-octet" -> o.firstOctet = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (o.kinds.isEmpty()) {
            o.kinds.add(AgentKind.HA_AGENT);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("at", Instant.now().toString());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("load_average_before", loadAverage());
        report.put("java_opts", o.javaOpts == null ? "launcher defaults" : o.javaOpts);
        report.put("class_data_archive", !o.noArchive);
        report.put("lib_bytes", libBytes());
        report.put("lib_jars", libJars());
        for (AgentKind k : o.kinds) {
            RuntimeBench b = new RuntimeBench(k, o);
            b.run();
            report.put(key(k), b.results);
        }
        report.put("load_average_after", loadAverage());
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        Files.writeString(o.out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        printTable(report, o.kinds);
        System.out.println("results: " + o.out.toAbsolutePath());
    }

    private static String key(AgentKind k) {
        return k.name().toLowerCase(Locale.ROOT);
    }

    void run() throws Exception {
        System.out.println("== " + kind);
        if (o.pauses != null) {
            Files.createDirectories(o.pauses);
        }
        if (kind == AgentKind.HA_AGENT) {
            System.out.println("  " + Dist.ensureClassDataArchive());
        }
        if (o.phases.contains("ctl") || o.phases.contains("memory") || o.phases.contains("start")
                || o.phases.contains("hold")) {
            try (TestCluster c = TestCluster.create(spec())) {
                Map<String, String> env = agentEnv();
                for (ClusterNode n : c.nodes()) {
                    Map<String, String> e = new HashMap<>(env);
                    if (kind == AgentKind.HA_AGENT && n.name().equals("pg1") && o.phases.contains("memory")) {
                        e.put("JDK_JAVA_OPTIONS", "-XX:NativeMemoryTracking=summary");
                    }
                    n.start(e);
                }
                awaitHealthy(c, Duration.ofSeconds(180));
                if (o.phases.contains("hold")) {
                    // a cluster to look at by hand (jcmd, /proc): kept for --steady seconds
                    for (ClusterNode n : c.nodes()) {
                        System.out.printf("  %s: agent pid %d, %s, config %s%n", n.name(), n.agentPid(), n.restUrl(),
                                n.config());
                    }
                    Thread.sleep(o.steadySeconds * 1000L);
                }
                if (o.phases.contains("ctl")) {
                    cli(c);
                }
                if (o.phases.contains("memory")) {
                    memoryAndCpu(c);
                }
                if (o.phases.contains("start")) {
                    starts(c, env);
                }
            }
        }
        if (o.phases.contains("bootstrap")) {
            bootstrap();
        }
        if (kind == AgentKind.HA_AGENT && o.pauses != null) {
            pauses(o.pauses);
        }
    }

    /** The longest stop-the-world pauses the agents logged (safepoint totals), and how many passed 100 ms. */
    private void pauses(Path dir) throws IOException {
        List<long[]> all = new ArrayList<>();
        List<String> worst = new ArrayList<>();
        Pattern p = Pattern.compile("Safepoint \"([^\"]+)\".*Total: (\\d+) ns");
        long over = 0;
        long count = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".log")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    Matcher m = p.matcher(line);
                    if (m.find() && !m.group(1).equals("PopulateDumpSharedSpace")) {
                        long ns = Long.parseLong(m.group(2));
                        count++;
                        if (ns > 100_000_000L) {
                            over++;
                            worst.add(String.format("%.0f ms %s (%s)", ns / 1e6, m.group(1), f.getFileName()));
                        }
                        all.add(new long[] {ns});
                    }
                }
            }
        }
        long max = all.stream().mapToLong(a -> a[0]).max().orElse(0);
        results.put("safepoints", count);
        results.put("safepoint_max_ms", round(max / 1e6, 1));
        results.put("safepoints_over_100ms", over);
        System.out.printf("  stop-the-world pauses (%s): %d safepoints, longest %.1f ms, %d over 100 ms %s%n", dir,
                count, max / 1e6, over, worst);
    }

    private ClusterSpec spec() {
        return ClusterSpec.of(3).agent(kind).timing(30, 10, 10).scope("bench").firstOctet(o.firstOctet);
    }

    /** The agents' environment: the launcher's defaults unless --java-opts says otherwise. */
    private Map<String, String> agentEnv() {
        Map<String, String> env = new HashMap<>();
        if (kind == AgentKind.HA_AGENT && o.javaOpts != null) {
            env.put("HA_AGENT_JAVA_OPTS", o.javaOpts);
        }
        if (kind == AgentKind.HA_AGENT && o.noArchive) {
            env.put("HA_AGENT_CDS", "off");
        }
        if (kind == AgentKind.HA_AGENT && o.pauses != null) {
            env.put("HA_AGENT_EXTRA_JAVA_OPTS", "-Xlog:safepoint,gc,gc+cpu:file=" + o.pauses.toAbsolutePath() + "/%p.log");
        }
        return env;
    }

    // ------------------------------------------------------------------------------------------------ memory, CPU

    private void memoryAndCpu(TestCluster c) throws Exception {
        // every agent up at least --steady seconds
        long youngest = c.nodes().stream().mapToLong(n -> startedAtMillis(n.agentPid())).max().orElseThrow();
        long wait = youngest + o.steadySeconds * 1000L - System.currentTimeMillis();
        if (wait > 0) {
            System.out.printf("  waiting %d s until every agent has run %d s%n", wait / 1000, o.steadySeconds);
            Thread.sleep(wait);
        }
        Map<String, Long> ticks0 = new LinkedHashMap<>();
        Map<String, Map<Long, Object[]>> threads0 = new LinkedHashMap<>();
        for (ClusterNode n : c.nodes()) {
            ticks0.put(n.name(), cpuTicks(n.agentPid()));
            threads0.put(n.name(), threadTicks(n.agentPid()));
        }
        Thread.sleep(o.cpuWindowSeconds * 1000L);
        Map<String, Object> perNode = new LinkedHashMap<>();
        List<Double> cpu = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (ClusterNode n : c.nodes()) {
            long pid = n.agentPid();
            double seconds = (cpuTicks(pid) - ticks0.get(n.name())) / (double) TICKS_PER_SECOND;
            double perMinute = seconds * 60.0 / o.cpuWindowSeconds;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", n.role());
            m.put("cpu_s_per_min", round(perMinute, 3));
            m.put("rss_mib", round(status(pid, "VmRSS") / 1024.0, 1));
            m.put("pss_mib", round(pss(pid) / 1024.0, 1));
            m.put("threads", status(pid, "Threads"));
            m.put("cpu_ticks_by_thread", threadDelta(threads0.get(n.name()), threadTicks(pid)));
            boolean nmt = kind == AgentKind.HA_AGENT && n.name().equals("pg1");
            m.put("nmt", nmt);
            if (nmt) {
                m.put("nmt_committed_kib", nmt(pid));
            } else {
                rss.add((Double) m.get("rss_mib"));
            }
            cpu.add(perMinute);
            perNode.put(n.name(), m);
            System.out.printf("  %s (%s): rss %.1f MiB, pss %.1f MiB, %s threads, cpu %.3f s/min%s; busiest threads"
                    + " (ticks of 10 ms in the window): %s%n", n.name(), m.get("role"), m.get("rss_mib"),
                    m.get("pss_mib"), m.get("threads"), perMinute, nmt ? " (NMT on)" : "", m.get("cpu_ticks_by_thread"));
        }
        results.put("nodes", perNode);
        results.put("rss_mib_max", Collections.max(rss));
        results.put("cpu_s_per_min_max", round(Collections.max(cpu), 3));
        if (kind == AgentKind.HA_AGENT) {
            @SuppressWarnings("unchecked")
            Map<String, Long> nmt = (Map<String, Long>) ((Map<String, Object>) perNode.get("pg1")).get("nmt_committed_kib");
            System.out.println("  pg1 NMT committed (KiB): " + nmt);
        }
    }

    private static long startedAtMillis(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).map(Instant::toEpochMilli)
                .orElse(System.currentTimeMillis());
    }

    /** utime + stime of the process (all its threads), in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after the command: state(3) ... utime(14) stime(15), here 0-based from state
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Each thread of the process: tid -> {name, ticks}. */
    private static Map<Long, Object[]> threadTicks(long pid) throws IOException {
        Map<Long, Object[]> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(Long.parseLong(t.getFileName().toString()),
                            new Object[] {name, Long.parseLong(f[11]) + Long.parseLong(f[12])});
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /** CPU ticks spent in the window per thread name (digits folded: pools count as one), busiest first. */
    private static Map<String, Long> threadDelta(Map<Long, Object[]> before, Map<Long, Object[]> after) {
        Map<String, Long> byName = new HashMap<>();
        after.forEach((tid, v) -> {
            long t0 = before.containsKey(tid) ? (Long) before.get(tid)[1] : 0;
            long d = (Long) v[1] - t0;
            if (d > 0) {
                byName.merge(((String) v[0]).replaceAll("\\d+", "#"), d, Long::sum);
            }
        });
        Map<String, Long> sorted = new LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** A numeric field of /proc/PID/status (kB for sizes). */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    private static long pss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (line.startsWith("Pss:")) {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** jcmd VM.native_memory summary: committed KiB per category (and the total). */
    private static Map<String, Long> nmt(long pid) throws Exception {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        Map<String, Long> m = new LinkedHashMap<>();
        Matcher total = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB").matcher(out);
        if (total.find()) {
            m.put("total", Long.parseLong(total.group(1)));
        }
        Matcher cat = Pattern.compile("-\\s+([A-Za-z][A-Za-z ]*?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(out);
        while (cat.find()) {
            m.put(cat.group(1).trim(), Long.parseLong(cat.group(2)));
        }
        Matcher heap = Pattern.compile("\\(mmap: reserved=\\d+KB, committed=(\\d+)KB").matcher(out);
        if (m.isEmpty()) {
            System.out.println("  no NMT summary from jcmd: " + out.strip());
        }
        if (heap.find()) {
            m.putIfAbsent("Java Heap committed by mmap", Long.parseLong(heap.group(1)));
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------------ starts

    private void starts(TestCluster c, Map<String, String> env) throws Exception {
        ClusterNode leader = awaitHealthy(c, Duration.ofSeconds(120));
        ClusterNode replica = c.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        System.out.println("  restarting " + replica.name() + " (replica)");
        List<String> modes = kind == AgentKind.HA_AGENT ? List.of("archive", "no_archive") : List.of("default");
        for (String mode : modes) {
            Map<String, String> e = new HashMap<>(env);
            if (mode.equals("no_archive")) {
                e.put("HA_AGENT_CDS", "off");
            }
            for (int i = 0; i < o.startRuns; i++) {
                // clean stop: the agent stops postgres; its start starts it again
                replica.stopAgent(Duration.ofSeconds(120));
                double clean = timeToRunning(replica, e);
                record("start_clean_" + mode + "_s", clean);
                awaitHealthy(c, Duration.ofSeconds(120));
                // the agent alone dies; postgres goes on running
                replica.killAgent();
                double agentOnly = timeToRunning(replica, e);
                record("start_agent_only_" + mode + "_s", agentOnly);
                awaitHealthy(c, Duration.ofSeconds(120));
                System.out.printf("  start to running (%s): %.3f s after a clean stop, %.3f s after kill -9 of the"
                        + " agent alone%n", mode, clean, agentOnly);
            }
        }
    }

    /** Starts the node's agent and returns the seconds until its own GET /patroni says "running". */
    private static double timeToRunning(ClusterNode n, Map<String, String> env) throws Exception {
        long t0 = System.nanoTime();
        n.start(env);
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        URI uri = URI.create(n.restUrl() + "/patroni");
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET()
                        .build(), HttpResponse.BodyHandlers.ofString());
                JsonNode doc = JSON.readTree(r.body());
                if ("running".equals(doc.path("state").asText())) {
                    return (System.nanoTime() - t0) / 1e9;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(n.name() + " did not report running within 120 s:\n" + n.logTail(40));
    }

    // ------------------------------------------------------------------------------------------------ bootstrap

    private void bootstrap() throws Exception {
        for (int i = 0; i < o.runs; i++) {
            try (TestCluster c = TestCluster.create(spec())) {
                Map<String, String> env = agentEnv();
                long t0 = System.nanoTime();
                c.nodes().forEach(n -> n.start(env));
                awaitHealthy(c, Duration.ofSeconds(180));
                double s = (System.nanoTime() - t0) / 1e9;
                record("bootstrap_s", s);
                System.out.printf("  bootstrap %d: %.3f s%n", i + 1, s);
            }
        }
    }

    /** A writable leader and every other running node streaming from it; polled every 100 ms. */
    private static ClusterNode awaitHealthy(TestCluster c, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ClusterNode l = c.leader();
                if (l.isWritablePrimary()
                        && c.nodes().stream().filter(n -> n != l && n.agentAlive()).allMatch(n -> n.streamsFrom(l))) {
                    return l;
                }
            } catch (RuntimeException | AssertionError e) {
                // no leader yet, or a node not answering SQL yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the cluster did not become healthy within " + timeout + ":\n" + c.logs(30));
    }

    // ------------------------------------------------------------------------------------------------ CLI

    private void cli(TestCluster c) throws Exception {
        List<String> tool = kind == AgentKind.HA_AGENT ? List.of(Dist.launcher("agentctl").toString())
                : List.of(io.haagent.testing.TestBinaries.onPath("patronictl", "patroni").toString());
        String config = c.node(1).config().toString();
        for (String command : List.of("list", "version")) {
            List<String> argv = new ArrayList<>(tool);
            argv.addAll(List.of("-c", config, command));
            for (int i = 0; i < o.ctlRuns; i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int exit = p.waitFor();
                double s = (System.nanoTime() - t0) / 1e9;
                if (exit != 0) {
                    throw new IllegalStateException(String.join(" ", argv) + " exited " + exit + ":\n" + out);
                }
                record("ctl_" + command + "_s", s);
            }
            System.out.printf("  %s %s: %s s%n", tool.get(0).replaceAll(".*/", ""), command,
                    results.get("ctl_" + command + "_s"));
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    @SuppressWarnings("unchecked")
    private void record(String name, double seconds) {
        ((List<Double>) results.computeIfAbsent(name, k -> new ArrayList<Double>())).add(round(seconds, 3));
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static long libJars() throws IOException {
        try (var files = Files.list(Dist.home().resolve("lib"))) {
            return files.filter(f -> f.toString().endsWith(".jar")).count();
        }
    }

    private static long libBytes() throws IOException {
        try (var files = Files.list(Dist.home().resolve("lib"))) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    // ------------------------------------------------------------------------------------------------ table

    @SuppressWarnings("unchecked")
    private static void printTable(Map<String, Object> report, List<AgentKind> kinds) {
        Map<String, Object> ours = (Map<String, Object>) report.get("ha_agent");
        Map<String, Object> theirs = (Map<String, Object>) report.get("patroni");
        System.out.printf("%nlib/: %d jars, %.1f MB (DistLayoutIT: none that nothing loads); load average before %s,"
                + " after %s%n", ((Number) report.get("lib_jars")).longValue(),
                ((Number) report.get("lib_bytes")).longValue() / 1e6, report.get("load_average_before"),
                report.get("load_average_after"));
        System.out.printf("%-58s %18s %18s %8s %8s%n", "figure", "ha-agent", "Patroni 3.0.2", "ours/P", "goal");
        row("resident memory per agent, MiB (max of nodes without NMT)", ours, theirs, "rss_mib_max", false, "<= 64");
        row("idle CPU per agent, s/min (max of 3)", ours, theirs, "cpu_s_per_min_max", false, "<= 0.06");
        row("start to running after a clean stop, s (median)", ours, theirs, "start_clean_archive_s|start_clean_default_s",
                false, "<= 1.0");
        row("  the same without the class-data archive", ours, theirs, "start_clean_no_archive_s|start_clean_default_s",
                false, "<= 1.0");
        row("start to running, agent alone restarted, s (median)", ours, theirs,
                "start_agent_only_archive_s|start_agent_only_default_s", false, "<= 1.0");
        row("  the same without the class-data archive", ours, theirs,
                "start_agent_only_no_archive_s|start_agent_only_default_s", false, "<= 1.0");
        row("three-node bootstrap from empty, s (worst)", ours, theirs, "bootstrap_s|bootstrap_s", true, "<= 5");
        row("agentctl / patronictl list, s (median)", ours, theirs, "ctl_list_s|ctl_list_s", false, "<= 1.0x");
        row("agentctl / patronictl version, s (median)", ours, theirs, "ctl_version_s|ctl_version_s", false, "<= 1.0x");
        if (ours != null && ours.containsKey("safepoint_max_ms")) {
            System.out.printf("%-58s %18s %18s %8s %8s%n", "longest stop-the-world pause of an agent, ms",
                    ours.get("safepoint_max_ms"), "-", "-", "<= 100");
        }
        if (ours != null && ours.get("nodes") instanceof Map<?, ?> nodes
                && ((Map<String, Object>) nodes).get("pg1") instanceof Map<?, ?> pg1) {
            System.out.println("ha-agent pg1 (NMT on): " + pg1);
        }
    }

    @SuppressWarnings("unchecked")
    private static void row(String label, Map<String, Object> ours, Map<String, Object> theirs, String keys,
            boolean worst, String goal) {
        String[] k = keys.split("\\|");
        Double a = figure(ours, k[0], worst);
        Double b = figure(theirs, k.length > 1 ? k[1] : k[0], worst);
        System.out.printf("%-58s %18s %18s %8s %8s%n", label, a == null ? "-" : String.format("%.3f", a),
                b == null ? "-" : String.format("%.3f", b),
                a == null || b == null || b == 0 ? "-" : String.format("%.2f", a / b), goal);
    }

    @SuppressWarnings("unchecked")
    private static Double figure(Map<String, Object> r, String key, boolean worst) {
        if (r == null || !r.containsKey(key)) {
            return null;
        }
        Object v = r.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        List<Double> l = new ArrayList<>((List<Double>) v);
        Collections.sort(l);
        return worst ? l.get(l.size() - 1) : l.get(l.size() / 2);
    }
}
