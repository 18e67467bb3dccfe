package io.haagent.dcs.etcd;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.config.EtcdConfig;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.codec.ConfigCodec;
import io.haagent.dcs.codec.FailoverCodec;
import io.haagent.dcs.codec.GarbageLog;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The connection operators' tools ({@code agentctl}) use: linearizable reads, CAS writes of the keys a tool
 * changes ({@code config}, {@code failover}), the cluster's removal, and lookups a member never needs. It has no
 * lease, no watch and no member name in etcd: it cannot write a member key or take the leader lock, by
 * construction. Every call finishes within {@code retry_timeout} or throws {@link DcsUnavailableException} naming
 * the key and the endpoints.
 */
public final class EtcdToolConnection implements AutoCloseable {
    private final EtcdKv kv;
    private final String name;

    private EtcdToolConnection(EtcdKv kv, String name) {
        this.kv = kv;
        this.name = name;
    }

    /**
     * Builds the client; nothing is sent until asked.
     *
     * @param toolName     names the connection in logs only; it is never written to etcd
     * @param retryTimeout seconds every call may take at most
     */
    public static EtcdToolConnection connect(EtcdConfig config, String namespace, String scope, String toolName,
            int retryTimeout, Clock clock) {
        if (retryTimeout < 1) {
            throw new IllegalArgumentException("retry_timeout (" + retryTimeout + ") must be at least 1 second");
        }
        String name = toolName == null || toolName.isEmpty() ? "tool" : toolName.replace('/', '-');
        return new EtcdToolConnection(new EtcdKv(config, DcsKeys.of(namespace, scope),
                Duration.ofSeconds(retryTimeout), clock, new GarbageLog(), () -> { }), name);
    }

    /** The name given at connect, for logs. */
    public String name() {
        return name;
    }

    /** The cluster prefix, e.g. {@code /service/batman/}. */
    public String prefix() {
        return kv.keys.prefix();
    }

    /** The cluster as etcd has it now (linearizable). */
    public ClusterView cluster() {
        return kv.readCluster(kv.deadline());
    }

    /**
     * The names of the clusters that have keys under this connection's namespace (sorted), so that a tool can
     * say which clusters exist when it is given a name that does not.
     */
    public List<String> clusterNames() {
        return kv.clusterNames();
    }

    /**
     * How long a lease (a member's, from {@code Member.lease()}) has left. A live agent keeps its lease alive every
     * HA cycle, so a lease that has not been renewed for longer than that belongs to an agent that stopped.
     */
    public LeaseTtl leaseTimeToLive(long leaseId) {
        return kv.leaseTimeToLive(leaseId);
    }

    /** CAS on the config key's {@code mod_revision} ({@code 0}: only if absent); false when it changed. */
    public boolean setConfig(Map<String, Object> config, long expectedRevision) {
        return kv.casPut(DcsKeys.CONFIG, ConfigCodec.encode(config), expectedRevision, "write the configuration");
    }

    /** CAS on the failover key's {@code mod_revision} (an empty request clears it); false when it changed. */
    public boolean setFailover(FailoverRequest request, long expectedRevision) {
        return kv.casPut(DcsKeys.FAILOVER, FailoverCodec.encode(request), expectedRevision, "write the failover key");
    }

    /** Every key of the cluster. */
    public void deleteCluster() {
        kv.deletePrefix("delete the cluster");
    }

    @Override
    public void close() {
        kv.close();
    }
}
