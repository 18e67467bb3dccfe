package io.haagent.ctl.remote;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.settings.CtlSettings;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.etcd.EtcdGatewayReader;
import io.haagent.dcs.etcd.EtcdToolConnection;
import io.haagent.dcs.etcd.LeaseTtl;
import io.haagent.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One cluster's keys in etcd, as agentctl reads and writes them: linearizable reads, CAS writes, and every failure
 * turned into one line that names the etcd endpoints and the key. It never writes a member key or takes a lease.
 * Reads go over etcd's JSON gateway ({@link EtcdGatewayReader}: no gRPC client to start, which made
 * {@code agentctl list} three times as slow as {@code patronictl list}, issue 15); the gRPC connection is built
 * for the first write, or for reads when etcd has no gateway.
 */
public final class ClusterStore implements AutoCloseable {
    private final CtlSettings settings;
    private final int timeoutSeconds;
    private final Clock clock;
    private final String scope;
    private final String prefix;
    private EtcdGatewayReader gateway;
    private EtcdToolConnection dcs;

    private ClusterStore(CtlSettings settings, int timeoutSeconds, Clock clock, EtcdGatewayReader gateway,
            String scope) {
        this.settings = settings;
        this.timeoutSeconds = timeoutSeconds;
        this.clock = clock;
        this.gateway = gateway;
        this.scope = scope;
        this.prefix = DcsKeys.of(settings.namespaceOrDefault(), scope).prefix();
    }

    /** @param timeoutSeconds how long any one etcd operation may take before agentctl gives up */
    public static ClusterStore open(CtlSettings s, String scope, int timeoutSeconds, Clock clock) {
        try {
            EtcdGatewayReader gateway = EtcdGatewayReader.connect(s.etcd(), s.namespaceOrDefault(), scope,
                    timeoutSeconds, clock);
            return new ClusterStore(s, timeoutSeconds, clock, gateway, scope);
        } catch (IllegalArgumentException e) {
            throw new CtlException("cannot use etcd (" + s.source() + "): " + e.getMessage());
        }
    }

    /** The gRPC connection, built on first use: for writes, and for reads when there is no gateway. */
    private EtcdToolConnection dcs() {
        if (dcs == null) {
            try {
                dcs = EtcdToolConnection.connect(settings.etcd(), settings.namespaceOrDefault(), scope,
                        "agentctl-" + ProcessHandle.current().pid(), timeoutSeconds, clock);
            } catch (IllegalArgumentException e) {
                throw new CtlException("cannot use etcd (" + settings.source() + "): " + e.getMessage());
            }
        }
        return dcs;
    }

    /** A read over the gateway, or over gRPC once etcd showed it has no gateway. */
    private <T> T read(Function<EtcdGatewayReader, T> overGateway,
            Function<EtcdToolConnection, T> overGrpc) {
        if (gateway != null) {
            try {
                return overGateway.apply(gateway);
            } catch (EtcdGatewayReader.NoGateway e) {
                gateway = null;
            }
        }
        return overGrpc.apply(dcs());
    }

    public String scope() {
        return scope;
    }

    /** The key prefix, e.g. {@code /service/batman/}. */
    public String prefix() {
        return prefix;
    }

    /** The cluster as etcd has it now (linearizable); any key may be absent. */
    public ClusterView read() {
        try {
            return read(EtcdGatewayReader::cluster, EtcdToolConnection::cluster);
        } catch (DcsUnavailableException e) {
            throw new CtlException(e.getMessage());
        }
    }

    /** As {@link #read()}, refusing a name that has no keys in etcd at all (and naming the clusters that do). */
    public ClusterView readExisting() {
        ClusterView v = read();
        if (isEmpty(v)) {
            List<String> known;
            try {
                known = read(EtcdGatewayReader::clusterNames, EtcdToolConnection::clusterNames);
            } catch (DcsUnavailableException e) {
                known = List.of();
            }
            String ns = prefix.substring(0, prefix.length() - scope.length() - 1);
            throw new CtlException("no cluster '" + scope + "' in etcd (no keys under " + prefix + ")"
                    + (known.isEmpty() ? "; there is no cluster under " + ns
                            : "; clusters under " + ns + ": " + String.join(", ", known)));
        }
        return v;
    }

    public static boolean isEmpty(ClusterView v) {
        return v.initialize() == null && v.config() == null && v.leader() == null && v.members().isEmpty()
                && v.history().absent() && v.failover() == null && v.status().modRevision() == 0
                && v.sync().modRevision() == 0;
    }

    /** The member's lease, or null when etcd cannot tell (the caller then shows nothing about it). */
    public LeaseTtl lease(long leaseId) {
        if (leaseId == 0) {
            return null;
        }
        try {
            return read(g -> g.leaseTimeToLive(leaseId), d -> d.leaseTimeToLive(leaseId));
        } catch (DcsUnavailableException e) {
            return null;
        }
    }

    /** CAS on the config key's revision: false when somebody changed it since it was read. */
    public boolean writeConfig(Map<String, Object> config, long expectedRevision) {
        try {
            return dcs().setConfig(config, expectedRevision);
        } catch (DcsUnavailableException e) {
            throw new CtlException(e.getMessage());
        }
    }

    public boolean writeFailover(FailoverRequest request, long expectedRevision) {
        try {
            return dcs().setFailover(request, expectedRevision);
        } catch (DcsUnavailableException e) {
            throw new CtlException(e.getMessage());
        }
    }

    public void deleteCluster() {
        try {
            dcs().deleteCluster();
        } catch (DcsUnavailableException e) {
            throw new CtlException(e.getMessage());
        }
    }

    @Override
    public void close() {
        if (dcs != null) {
            dcs.close();
        }
    }
}
