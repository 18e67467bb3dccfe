package io.haagent.cluster.harness;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haagent.cluster.ClusterView;
import io.haagent.config.EtcdConfig;
import io.haagent.dcs.etcd.EtcdDcs;
import io.haagent.testing.EtcdCluster;
import io.haagent.testing.TcpProxy;
import io.haagent.testing.TestBinaries;
import io.haagent.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A whole cluster on this machine: etcd, and N nodes each running an agent (from the dist tree, or Patroni) with
 * its own PostgreSQL 15 on its own loopback address (127.0.0.11, .12, ...) and random free ports. Everything is
 * stopped and every postmaster killed on {@link #close()} and at JVM exit.
 */
public final class TestCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<TestCluster> OPEN = new CopyOnWriteArrayList<>();

    private final ClusterSpec spec;
    private final Path dir;
    private final EtcdCluster etcd;
    private final List<TcpProxy> proxies = new ArrayList<>();
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();
    private EtcdDcs observer;
    private final RestTls restTls;

    private TestCluster(ClusterSpec spec) throws IOException {
        this.spec = spec;
        TestBinaries.assertNotRoot();
        TestBinaries.postgresBinDir();
        // -Dcluster.dir=<dir> puts the clusters there instead of the system temp directory (to keep and read them)
        String root = System.getProperty("cluster.dir");
        if (root != null && !root.isBlank()) {
            Files.createDirectories(Path.of(root));
            this.dir = Files.createTempDirectory(Path.of(root), "cluster-" + spec.scope + "-");
        } else {
            this.dir = Files.createTempDirectory("cluster-" + spec.scope + "-");
        }
        this.restTls = spec.restTls ? RestTls.generate(dir.resolve("rest-tls")) : null;
        this.etcd = EtcdCluster.builder().members(spec.etcdMembers).firstHost(spec.etcdFirstHost)
                .enableV2(spec.etcdV2).start();
        for (int i = 1; i <= spec.nodes; i++) {
            String name = "pg" + i;
            String host = spec.loopback ? "127.0.0.1" : "127.0.0." + (spec.firstOctet + i - 1);
            Path nodeDir = dir.resolve(name);
            Files.createDirectories(nodeDir);
            Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwx------"));
            int rest = EtcdCluster.freePort(host);
            int pg = EtcdCluster.freePort(host);
            List<String> etcdHosts = new ArrayList<>();
            TcpProxy proxy = null;
            if (spec.links != null) {
                for (var m : etcd.members()) {
                    etcdHosts.add(spec.links.etcd(i, host, m));
                }
            } else if (spec.etcdProxies) {
                var m = etcd.member(0);
                proxy = TcpProxy.start(host, m.host(), m.clientPort());
                proxies.add(proxy);
                etcdHosts.add(proxy.host() + ":" + proxy.port());
            } else {
                for (String url : etcd.clientUrls()) {
                    etcdHosts.add(url.replaceFirst("^https?://", ""));
                }
            }
            Path config = nodeDir.resolve("patroni.yml");
            Map<String, Object> watchdog = Map.of("mode", "off");
            if (spec.watchdogModes.containsKey(i)) {
                Path device = nodeDir.resolve("watchdog");
                Files.writeString(device, "");
                Files.setPosixFilePermissions(device, PosixFilePermissions.fromString(
                        spec.watchdogWritable.get(i) ? "rw-------" : "r--------"));
                watchdog = Map.of("mode", spec.watchdogModes.get(i), "device", device.toString(), "safety_margin", 5);
            }
            writeConfig(config, name, host, rest, pg, nodeDir, etcdHosts, spec.tags.get(i), watchdog);
            nodes.add(new ClusterNode(this, name, host, rest, pg, nodeDir, config, proxy));
        }
        OPEN.add(this);
        Runtime.getRuntime().addShutdownHook(new Thread(this::killEverything));
    }

    /** Writes the configs and starts every node's agent at once. */
    public static TestCluster start(ClusterSpec spec) {
        TestCluster c = create(spec);
        c.nodes.forEach(ClusterNode::start);
        return c;
    }

    /** Writes the configs; starts nothing (the test starts nodes itself). */
    public static TestCluster create(ClusterSpec spec) {
        try {
            return new TestCluster(spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ClusterSpec spec() {
        return spec;
    }

    public Path dir() {
        return dir;
    }

    /** The REST API's certificate and key (only with {@link ClusterSpec#restTls()}), else null. */
    public RestTls restTls() {
        return restTls;
    }

    public EtcdCluster etcd() {
        return etcd;
    }

    public List<ClusterNode> nodes() {
        return List.copyOf(nodes);
    }

    /** Node by 1-based index ({@code node(1)} is pg1). */
    public ClusterNode node(int index) {
        return nodes.get(index - 1);
    }

    public ClusterNode node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + name));
    }

    /** A linearizable read of the cluster's keys in etcd. */
    public synchronized ClusterView view() {
        if (observer == null) {
            EtcdConfig cfg = new EtcdConfig("etcd3", etcd.clientUrls(), "http", null, null, null, null, null, null);
            observer = EtcdDcs.connect(cfg, "/service", spec.scope, "cluster-test-observer", 3600, 5, Clock.SYSTEM);
        }
        return observer.freshCluster();
    }

    public Optional<String> leaderName() {
        try {
            return Optional.ofNullable(view().leaderName());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public ClusterNode leader() {
        return node(leaderName().orElseThrow(() -> new AssertionError("no leader in etcd")));
    }

    /** Nodes whose postgres answers as a writable primary right now. */
    public List<ClusterNode> writablePrimaries() {
        return nodes.stream().filter(ClusterNode::isWritablePrimary).toList();
    }

    /**
     * Waits until one node holds the lock and runs as primary, and every other running node streams from it
     * ({@link ClusterNode#streamsFrom}).
     */
    public ClusterNode awaitHealthy(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            ClusterNode l = leader();
            return l.isWritablePrimary()
                    && nodes.stream().filter(n -> n != l && n.agentAlive()).allMatch(n -> n.streamsFrom(l));
        });
        return leader();
    }

    /** Waits until {@code replica} streams from {@code primary} ({@link ClusterNode#streamsFrom}). */
    public void awaitStreaming(ClusterNode primary, ClusterNode replica, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> replica.streamsFrom(primary));
    }

    /** Starts sampling which nodes accept writes; stopped when the cluster closes. */
    public PrimaryWatch watchPrimaries() {
        PrimaryWatch w = PrimaryWatch.start(this);
        clients.add(w);
        return w;
    }

    /**
     * Starts a client inserting ids into {@code table} (a bigint column {@code id}) on whichever node is primary,
     * recording each acknowledged one; stopped when the cluster closes, or by the test.
     */
    public AcknowledgedWriter writeAcknowledged(String table) {
        AcknowledgedWriter w = AcknowledgedWriter.start(this, table);
        clients.add(w);
        return w;
    }

    /** The lease the leader key is attached to; fails when nobody holds the lock. */
    public long leaderLease() {
        var leader = view().leader();
        if (leader == null) {
            throw new AssertionError("no leader in etcd");
        }
        return leader.lease();
    }

    /**
     * The earliest moment (System.nanoTime) at which {@code lease} can expire, from etcd's own count: the time this
     * call was made plus the remaining seconds etcd reports (it rounds them down, so the lease lives at least that
     * long). Empty when the lease has expired already.
     */
    public java.util.OptionalLong leaseExpiresNotBefore(long lease) {
        long asked = System.nanoTime();
        long ttl = leaseTimeToLive(lease);
        return ttl < 0 ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(asked + java.util.concurrent.TimeUnit.SECONDS.toNanos(ttl));
    }

    /** Remaining whole seconds of {@code lease} as etcd reports them ({@code etcdctl lease timetolive}); -1 expired. */
    public long leaseTimeToLive(long lease) {
        String out = etcd.etcdctl("lease", "timetolive", Long.toHexString(lease), "-w", "json");
        try {
            return JSON.readTree(out).path("ttl").asLong(-1);
        } catch (IOException e) {
            throw new AssertionError("etcdctl lease timetolive: not JSON: " + out, e);
        }
    }

    /** Puts a raw value under the cluster's prefix ({@code /service/<scope>/<key>}), as an old client would. */
    public void putKey(String key, String value) {
        etcd.etcdctl("put", "/service/" + spec.scope + "/" + key, value);
    }

    /** Tails of every node's log, for a failed test's report. */
    public String logs(int lines) {
        StringBuilder b = new StringBuilder();
        for (ClusterNode n : nodes) {
            b.append("---- ").append(n.name()).append(" (").append(n.log()).append(") ----\n")
                    .append(n.logTail(lines)).append('\n');
        }
        return b.toString();
    }

    private void writeConfig(Path file, String name, String host, int rest, int pg, Path nodeDir,
            List<String> etcdHosts, Map<String, Object> tags, Map<String, Object> watchdog) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("scope", spec.scope);
        root.put("namespace", "/service");
        root.put("name", name);
        ObjectNode restapi = root.putObject("restapi");
        restapi.put("listen", host + ":" + rest);
        restapi.put("connect_address", spec.links == null ? host + ":" + rest
                : spec.links.rest(Integer.parseInt(name.substring(2)), host, rest));
        if (spec.restUser != null) {
            ObjectNode auth = restapi.putObject("authentication");
            auth.put("username", spec.restUser);
            auth.put("password", spec.restPassword);
        }
        if (restTls != null) {
            restapi.put("certfile", restTls.cert().toString());
            restapi.put("keyfile", restTls.key().toString());
            restapi.put("cafile", restTls.cert().toString());
            restapi.put("verify_client", "required");
        }
        ObjectNode etcd3 = root.putObject("etcd3");
        ArrayNode hosts = etcd3.putArray("hosts");
        etcdHosts.forEach(hosts::add);
        if (spec.links != null && spec.agent == AgentKind.PATRONI) {
            // the given endpoints only: Patroni otherwise discovers the members' own client URLs and bypasses them
            // (ha-agent uses the hosts it is given and keeps its configuration as the other tests write it)
            etcd3.put("use_proxies", true);
        }
        ObjectNode bootstrap = root.putObject("bootstrap");
        ObjectNode dcs = bootstrap.putObject("dcs");
        dcs.put("ttl", spec.ttl);
        dcs.put("loop_wait", spec.loopWait);
        dcs.put("retry_timeout", spec.retryTimeout);
        dcs.put("maximum_lag_on_failover", 1048576);
        spec.dynamic.forEach((k, v) -> dcs.set(k, JSON.valueToTree(v)));
        ObjectNode dpg = dcs.putObject("postgresql");
        dpg.put("use_pg_rewind", true);
        dpg.put("use_slots", true);
        ObjectNode params = dpg.putObject("parameters");
        params.put("wal_log_hints", "on");
        params.put("max_connections", 50);
        spec.parameters.forEach((k, v) -> params.set(k, JSON.valueToTree(v)));
        ArrayNode initdb = bootstrap.putArray("initdb");
        initdb.addObject().put("encoding", "UTF8");
        initdb.add("data-checksums");
        spec.bootstrap.forEach((k, v) -> bootstrap.set(k, JSON.valueToTree(v)));
        ObjectNode postgresql = root.putObject("postgresql");
        postgresql.put("listen", host + ":" + pg);
        postgresql.put("connect_address", spec.links == null ? host + ":" + pg
                : spec.links.postgres(Integer.parseInt(name.substring(2)), host, pg));
        postgresql.put("data_dir", nodeDir.resolve("data").toString());
        postgresql.put("bin_dir", TestBinaries.postgresBinDir().toString());
        postgresql.put("pgpass", nodeDir.resolve("pgpass").toString());
        ObjectNode auth = postgresql.putObject("authentication");
        auth.putObject("superuser").put("username", ClusterNode.SUPERUSER).put("password", ClusterNode.SUPERUSER_PASSWORD);
        auth.putObject("replication").put("username", "replicator").put("password", "repl-secret-pw");
        auth.putObject("rewind").put("username", "rewind_user").put("password", "rewind-secret-pw");
        ObjectNode local = postgresql.putObject("parameters");
        local.put("unix_socket_directories", nodeDir.toString());
        local.put("shared_buffers", "32MB");
        local.put("fsync", "off");
        ArrayNode hba = postgresql.putArray("pg_hba");
        hba.add("local all all trust");
        hba.add("host replication replicator 127.0.0.0/8 scram-sha-256");
        hba.add("host all all 127.0.0.0/8 scram-sha-256");
        ObjectNode basebackup = postgresql.putArray("basebackup").addObject();
        basebackup.put("checkpoint", "fast");
        spec.local.forEach((k, v) -> postgresql.set(k, JSON.valueToTree(v)));
        if (tags != null && !tags.isEmpty()) {
            root.set("tags", JSON.valueToTree(tags));
        }
        root.set("watchdog", JSON.valueToTree(watchdog));
        // YAML is a superset of JSON: the agent (and Patroni) read this file as YAML.
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private void killEverything() {
        for (ClusterNode n : nodes) {
            try {
                if (n.agentAlive()) {
                    ClusterNode.signal(n.agentPid(), "KILL");
                }
            } catch (RuntimeException e) {
                // best effort at exit
            }
            n.postgresProcesses().forEach(pid -> ClusterNode.signal(pid, "KILL"));
        }
    }

    @Override
    public void close() {
        OPEN.remove(this);
        // processes first: a client blocked in a statement (a synchronous commit) is released by the reset socket
        killEverything();
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // a client that cannot stop is not worth failing the teardown
            }
        }
        if (observer != null) {
            observer.close();
        }
        proxies.forEach(TcpProxy::close);
        etcd.close();
    }
}
