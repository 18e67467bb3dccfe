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
    int ttl = 20;
    int loopWait = 3;
    int retryTimeout = 5;
    int firstOctet = 11;
    int etcdMembers = 1;
    boolean etcdProxies;
    final Map<String, Object> dynamic = new LinkedHashMap<>();
    final Map<String, Object> parameters = new LinkedHashMap<>();
    final Map<Integer, Map<String, Object>> tags = new LinkedHashMap<>();
    final Map<String, Object> local = new LinkedHashMap<>();
    String restUser;
    String restPassword;
    boolean restTls;

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
    public ClusterSpec etcdThroughProxies() {
        etcdProxies = true;
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
     * The REST API over TLS as many operators set it up: one self-signed certificate without subjectAltName (for
     * CN {@code ha-agent-rest}, matching no member's address) as every member's {@code restapi.certfile}, its key
     * as {@code keyfile}, the certificate itself as {@code cafile}, and {@code verify_client: required}; the test's
     * own calls present it as their client certificate and check nothing of the server's.
     */
    public ClusterSpec restTls() {
        restTls = true;
        return this;
    }

    public ClusterSpec restAuthentication(String user, String password) {
        restUser = user;
        restPassword = password;
        return this;
    }
}
