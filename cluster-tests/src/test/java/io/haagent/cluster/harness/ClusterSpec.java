package io.haagent.cluster.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What cluster to start: how many nodes, which agent, the timing of the dynamic configuration, extra dynamic
 * settings and per-node tags. Defaults suit tests: ttl 20 (Patroni's minimum), loop_wait 3, retry_timeout 5.
 */
public final class ClusterSpec {
    String scope = "batman";
    int nodes = 3;
    AgentKind agent = AgentKind.HA_AGENT;
    final Map<Integer, AgentKind> agents = new LinkedHashMap<>();
    int ttl = 20;
    int loopWait = 3;
    int retryTimeout = 5;
    int firstOctet = 11;
    int etcdMembers = 1;
    boolean etcdProxies;
    int etcdFirstHost = 21;
    Links links;
    boolean etcdV2;
    final Map<String, Object> dynamic = new LinkedHashMap<>();
    final Map<String, Object> parameters = new LinkedHashMap<>();
    final Map<Integer, Map<String, Object>> tags = new LinkedHashMap<>();
    final Map<String, Object> local = new LinkedHashMap<>();
    String restUser;
    String restPassword;
    boolean restTls;
    boolean loopback;
    final Map<String, Object> bootstrap = new LinkedHashMap<>();
    final Map<Integer, String> watchdogModes = new LinkedHashMap<>();
    final Map<Integer, Boolean> watchdogWritable = new LinkedHashMap<>();

    public static ClusterSpec of(int nodes) {
        ClusterSpec s = new ClusterSpec();
        s.nodes = nodes;
        return s;
    }

    public ClusterSpec scope(String v) {
        scope = v;
        return this;
    }

    public ClusterSpec agent(AgentKind v) {
        agent = v;
        return this;
    }

    /** Node {@code index} (1-based) runs {@code v}; the others run the cluster's agent. */
    public ClusterSpec agent(int index, AgentKind v) {
        agents.put(index, v);
        return this;
    }

    AgentKind agentOf(int index) {
        return agents.getOrDefault(index, agent);
    }

    public ClusterSpec timing(int ttlSeconds, int loopWaitSeconds, int retryTimeoutSeconds) {
        ttl = ttlSeconds;
        loopWait = loopWaitSeconds;
        retryTimeout = retryTimeoutSeconds;
        return this;
    }

    /** Nodes listen on 127.0.0.{first}, {first+1}, ... (default 11). */
    public ClusterSpec firstOctet(int v) {
        firstOctet = v;
        return this;
    }

    public ClusterSpec etcdMembers(int v) {
        etcdMembers = v;
        return this;
    }

    /** Each agent reaches etcd through its own {@code TcpProxy}, so a test can cut one node off. */
    /** etcd serves its v2 API too (a Patroni etcd: section's key space). */
    public ClusterSpec etcdV2() {
        etcdV2 = true;
        return this;
    }

    public ClusterSpec etcdThroughProxies() {
        etcdProxies = true;
        return this;
    }

    /** etcd members listen on 127.0.0.{first}, {first+1}, ... (default 21). */
    public ClusterSpec etcdFirstHost(int v) {
        etcdFirstHost = v;
        return this;
    }

    /**
     * Every link of the cluster through the test's own proxies ({@link Links}): which etcd endpoints each agent is
     * given and which addresses each node publishes for its PostgreSQL and REST API (its connect addresses).
     */
    public ClusterSpec links(Links v) {
        links = v;
        return this;
    }

    /** A key of {@code bootstrap.dcs} (synchronous_mode, maximum_lag_on_failover, ...). */
    public ClusterSpec dynamic(String key, Object value) {
        dynamic.put(key, value);
        return this;
    }

    /** A postgres parameter of {@code bootstrap.dcs.postgresql.parameters}. */
    public ClusterSpec parameter(String key, Object value) {
        parameters.put(key, value);
        return this;
    }

    /** A key of every node's local {@code postgresql} section (e.g. {@code pre_promote}, {@code before_stop}). */
    public ClusterSpec local(String key, Object value) {
        local.put(key, value);
        return this;
    }

    /** Tags of node {@code index} (1-based). */
    public ClusterSpec tags(int index, Map<String, Object> t) {
        tags.put(index, t);
        return this;
    }

    /**
     * Every node on 127.0.0.1 (its own ports), connect addresses included, as Patroni's sample
     * {@code postgres0.yml} and its behave scenarios set them up.
     */
    public ClusterSpec loopback() {
        loopback = true;
        return this;
    }

    /** A key of the {@code bootstrap} section (e.g. {@code method} and the method's own section). */
    public ClusterSpec bootstrap(String key, Object value) {
        bootstrap.put(key, value);
        return this;
    }

    /**
     * The REST API over TLS as many operators set it up: one self-signed certificate without subjectAltName (for
     * CN {@code ha-agent-rest}, matching no member's address) as every member's {@code restapi.certfile}, its key
     * as {@code keyfile}, the certificate itself as {@code cafile}, and {@code verify_client: required}; the test's
     * own calls present it as their client certificate and check nothing of the server's.
     */
    public ClusterSpec restTls() {
        restTls = true;
        return this;
    }

    /**
     * Node {@code index} (1-based) runs with {@code watchdog.mode: mode} on a stand-in device: a plain file
     * {@code watchdog} in its directory ({@link ClusterNode#watchdogDevice()}) that records what the agent wrote
     * ({@code 1} per keepalive, {@code V} for the magic close); {@code writable} false makes it read-only for the
     * agent (a device it cannot open). Other nodes run with {@code mode: off}.
     */
    public ClusterSpec watchdog(int index, String mode, boolean writable) {
        watchdogModes.put(index, mode);
        watchdogWritable.put(index, writable);
        return this;
    }

    public ClusterSpec restAuthentication(String user, String password) {
        restUser = user;
        restPassword = password;
        return this;
    }
}
