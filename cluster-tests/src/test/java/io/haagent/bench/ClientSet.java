package io.haagent.bench;

import io.haagent.cluster.harness.ClientProcess;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.RecordingClient;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The applications of the benchmark, all writing at once to one cluster, each into its own table:
 * <ul>
 * <li>{@code libpq}, {@code libpq-10ms}: libpq (through psycopg2) with the multi-host string
 * {@code host=pg1,pg2,pg3 target_session_attrs=read-write connect_timeout=1}, a commit every 100 ms (every 10 ms for
 * the finer figure), reconnecting with the same string after each failure;</li>
 * <li>{@code haproxy}, {@code haproxy-seed}: libpq to HAProxy's read-write port, with the shipped
 * examples/haproxy.cfg and with the seed's check timing, every 100 ms;</li>
 * <li>{@code guide}: examples/python/ha_client.py through the REST API (GET /primary, host/port of the body),
 * every 100 ms; ha-agent only, since Patroni's body has no host/port;</li>
 * <li>{@code guide-haproxy}: the same example client through the shipped HAProxy configuration;</li>
 * <li>{@code pgjdbc-4ms}: issue 4's writer (pgjdbc, targetServerType=primary, every 4 ms).</li>
 * </ul>
 */
final class ClientSet implements AutoCloseable {
    static final List<String> ALL = List.of("libpq", "libpq-10ms", "haproxy", "haproxy-seed", "guide", "guide-haproxy",
            "pgjdbc-4ms");

    /** HAProxy read-write addresses (host:port) the clients may use: the shipped configuration's, the seed's. */
    record Proxies(String shipped, String seed) {
    }

    private final Map<String, RecordingClient> clients = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();

    private ClientSet() {
    }

    /** Starts the clients named in {@code names} against {@code cluster}; a client that cannot run is skipped. */
    static ClientSet start(TestCluster cluster, List<String> names, Proxies proxies, boolean restHasAddresses) {
        ClientSet set = new ClientSet();
        Path dir = cluster.dir();
        Path writer = Dist.repoRoot().resolve("bench/ha/writer.py");
        Path guide = Dist.examples().resolve("python/ha_client.py");
        Map<String, String> env = Map.of("PGPASSWORD", ClusterNode.SUPERUSER_PASSWORD, "PGCONNECT_TIMEOUT", "1");
        String hosts = cluster.nodes().stream().map(ClusterNode::host).collect(Collectors.joining(","));
        String ports = cluster.nodes().stream().map(n -> Integer.toString(n.pgPort())).collect(Collectors.joining(","));
        String multiHost = "host=" + hosts + " port=" + ports + " target_session_attrs=read-write connect_timeout=1";
        String common = " dbname=postgres user=" + ClusterNode.SUPERUSER;
        for (String name : names) {
            String table = "bench_" + name.replace('-', '_');
            switch (name) {
                case "libpq" -> set.add(ClientProcess.start(name, table, writer, List.of("--dsn",
                        multiHost + common + " application_name=bench-libpq", "--table", table, "--interval", "0.1"),
                        env, dir));
                case "libpq-10ms" -> set.add(ClientProcess.start(name, table, writer, List.of("--dsn",
                        multiHost + common + " application_name=bench-libpq-10ms", "--table", table, "--interval",
                        "0.01"), env, dir));
                case "haproxy" -> set.add(ClientProcess.start(name, table, writer, List.of("--dsn",
                        proxyDsn(proxies.shipped()) + common + " application_name=bench-haproxy", "--table", table,
                        "--interval", "0.1"), env, dir));
                case "haproxy-seed" -> set.add(ClientProcess.start(name, table, writer, List.of("--dsn",
                        proxyDsn(proxies.seed()) + common + " application_name=bench-haproxy-seed", "--table", table,
                        "--interval", "0.1"), env, dir));
                case "guide" -> {
                    if (!restHasAddresses) {
                        set.skipped.put(name, "n/a: Patroni's GET /primary body has no host/port to connect to");
                        continue;
                    }
                    List<String> args = new ArrayList<>();
                    for (ClusterNode n : cluster.nodes()) {
                        args.addAll(List.of("--api", n.restUrl()));
                    }
                    args.addAll(List.of("--dsn", common.strip() + " application_name=bench-guide", "--deadline", "120",
                            "write", "--table", table, "--interval", "0.1"));
                    set.add(ClientProcess.start(name, table, guide, args, env, dir));
                }
                case "guide-haproxy" -> set.add(ClientProcess.start(name, table, guide, List.of("--haproxy",
                        proxies.shipped(), "--dsn", common.strip() + " application_name=bench-guide-haproxy",
                        "--deadline", "120", "write", "--table", table, "--interval", "0.1"), env, dir));
                case "pgjdbc-4ms" -> set.add(new Writer(cluster).start());
                default -> throw new IllegalArgumentException("unknown client " + name + "; known: " + ALL);
            }
        }
        return set;
    }

    private static String proxyDsn(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return "host=" + hostPort.substring(0, colon) + " port=" + hostPort.substring(colon + 1) + " connect_timeout=1";
    }

    private void add(RecordingClient c) {
        clients.put(c.name(), c);
    }

    Map<String, RecordingClient> clients() {
        return clients;
    }

    /** Clients that could not run against this agent, with the reason. */
    Map<String, String> skipped() {
        return skipped;
    }

    /** Waits until every client has a commit acknowledged after {@code nanos}; fails naming the ones that did not. */
    void awaitAllCommitAfter(long nanos, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> late = new ArrayList<>();
        for (RecordingClient c : clients.values()) {
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            if (!c.awaitAckAfter(nanos, left)) {
                late.add(c.name() + lastFailure(c));
            }
        }
        if (!late.isEmpty()) {
            throw new IllegalStateException("no commit within " + timeout + " by: " + late);
        }
    }

    private static String lastFailure(RecordingClient c) {
        List<RecordingClient.Failure> f = c.failures();
        String log = c instanceof ClientProcess p ? " " + p.log().strip() : "";
        return f.isEmpty() ? log : " (last error: " + f.get(f.size() - 1).error() + ")" + log;
    }

    /**
     * The outage {@code c} saw from an event at {@code t0}: {last commit before its first failed attempt after t0,
     * first commit after that attempt}; empty while it has not recovered. A client that never failed saw, as its
     * outage, the longest gap between commits that ends within {@code window} after t0.
     */
    static Optional<long[]> outage(RecordingClient c, long t0, Duration window) {
        Optional<RecordingClient.Failure> failure = c.firstFailureAfter(t0);
        if (failure.isPresent()) {
            long f = failure.get().nanos();
            Optional<RecordingClient.Ack> after = c.firstAckAfter(f);
            if (after.isEmpty()) {
                return Optional.empty();
            }
            long before = c.lastAckBefore(f).map(RecordingClient.Ack::nanos).orElse(t0);
            return Optional.of(new long[] {before, after.get().nanos()});
        }
        long end = t0 + window.toNanos();
        if (System.nanoTime() < end) {
            return Optional.empty();
        }
        long prev = c.lastAckBefore(t0).map(RecordingClient.Ack::nanos).orElse(t0);
        long[] best = {prev, prev};
        for (RecordingClient.Ack a : c.acks()) {
            if (a.nanos() <= t0) {
                continue;
            }
            if (a.nanos() - prev > best[1] - best[0]) {
                best = new long[] {prev, a.nanos()};
            }
            prev = a.nanos();
            if (prev > end) {
                break;
            }
        }
        return Optional.of(best);
    }

    /**
     * Stops every client and checks, on {@code primary}, that each acknowledged row is there. @return per client
     * the acknowledged ids that are missing, each with the time of its acknowledgement
     */
    Map<String, List<RecordingClient.Ack>> stopAndCheck(ClusterNode primary) throws InterruptedException {
        Map<String, List<RecordingClient.Ack>> lost = new LinkedHashMap<>();
        for (RecordingClient c : clients.values()) {
            stop(c);
            List<Long> missing = c.lostOn(primary);
            List<RecordingClient.Ack> acks = c.acks();
            lost.put(c.name(), acks.stream().filter(a -> missing.contains(a.id())).toList());
        }
        return lost;
    }

    private static void stop(RecordingClient c) throws InterruptedException {
        if (c instanceof ClientProcess p) {
            int exit = p.stop(Duration.ofSeconds(150));
            if (exit != 0) {
                System.out.println("  client " + p.name() + " exited with " + exit + ": " + p.log().strip());
            }
        } else if (c instanceof Writer w) {
            w.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (RecordingClient c : clients.values()) {
            stop(c);
        }
    }
}
