package io.haagent.ctl.remote;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.settings.CtlSettings;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.etcd.EtcdToolConnection;
import io.haagent.dcs.etcd.LeaseTtl;
import io.haagent.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * One cluster's keys in etcd, as agentctl reads and writes them: linearizable reads, CAS writes, and every failure
 * turned into one line that names the etcd endpoints and the key. It never writes a member key or takes a lease.
 */
public final class ClusterStore implements AutoCloseable {
    private final EtcdToolConnection dcs;
    private final String scope;
    private final String prefix;

    private ClusterStore(EtcdToolConnection dcs, String scope, String prefix) {
        this.dcs = dcs;
        this.scope = scope;
        this.prefix = prefix;
    }

    /** @param timeoutSeconds how long any one etcd operation may take before agentctl gives up */
    public static ClusterStore open(CtlSettings s, String scope, int timeoutSeconds, Clock clock) {
        try {
            EtcdToolConnection dcs = EtcdToolConnection.connect(s.etcd(), s.namespaceOrDefault(), scope,
                    "agentctl-" + ProcessHandle.current().pid(), timeoutSeconds, clock);
            return new ClusterStore(dcs, scope, DcsKeys.of(s.namespaceOrDefault(), scope).prefix());
        } catch (IllegalArgumentException e) {
            throw new CtlException("cannot use etcd (" + s.source() + "): " + e.getMessage());
        }
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
            return dcs.cluster();
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
                known = dcs.clusterNames();
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
            return dcs.leaseTimeToLive(leaseId);
        } catch (DcsUnavailableException e) {
            return null;
        }
    }

    /** CAS on the config key's revision: false when somebody changed it since it was read. */
    public boolean writeConfig(Map<String, Object> config, long expectedRevision) {
        try {
            return dcs.setConfig(config, expectedRevision);
        } catch (DcsUnavailableException e) {
            throw new CtlException(e.getMessage());
        }
    }

    public boolean writeFailover(FailoverRequest request, long expectedRevision) {
        try {
            return dcs.setFailover(request, expectedRevision);
        } catch (DcsUnavailableException e) {
            throw new CtlException(e.getMessage());
        }
    }

    public void deleteCluster() {
        try {
            dcs.deleteCluster();
        } catch (DcsUnavailableException e) {
            throw new CtlException(e.getMessage());
        }
    }

    @Override
    public void close() {
        dcs.close();
    }
}
