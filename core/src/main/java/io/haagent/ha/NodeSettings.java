package io.haagent.ha;

import io.haagent.cluster.Tags;
import java.util.Map;

/**
 * The parts of this node's local configuration the decision depends on.
 *
 * @param tags                    effective tags (§1.3.1), as written to the member key
 * @param bootstrapConfigured     the local config has a {@code bootstrap} section (needed to race for initialize)
 * @param bootstrapMethod         how this node would create a new cluster: {@code initdb}, or the name of the custom
 *                                method {@code bootstrap.method} names (one with a {@code command}, §4.6)
 * @param dynamicConfiguration    the dynamic configuration this node runs with (the {@code config} key as last
 *                                seen, else {@code bootstrap.dcs}): written when we create the cluster or the key is lost
 * @param removeDataDirectoryOnDivergedTimelines reinitialize when diverged and pg_rewind cannot be used
 * @param replicaWithoutLeader    a {@code create_replica_methods} entry works without a leader ({@code no_leader})
 * @param watchdogRequired        {@code watchdog.mode: required}
 * @param watchdogUsable          a watchdog device could be opened and configured
 * @param watchdogEnabled         {@code watchdog.mode} is automatic or required: the leader keeps it alive, every
 *                                other cycle disarms it (§7.1)
 */
public record NodeSettings(
        String name,
        String scope,
        Tags tags,
        boolean bootstrapConfigured,
        String bootstrapMethod,
        Map<String, Object> dynamicConfiguration,
        boolean replicaWithoutLeader,
        boolean watchdogRequired,
        boolean watchdogUsable,
        boolean removeDataDirectoryOnDivergedTimelines,
        boolean watchdogEnabled) {

    public NodeSettings {
        tags = tags == null ? Tags.NONE : tags;
        dynamicConfiguration = dynamicConfiguration == null ? Map.of() : dynamicConfiguration;
        bootstrapMethod = bootstrapMethod == null ? "initdb" : bootstrapMethod;
    }

    public boolean nofailover() {
        return tags.nofailover();
    }

    public int failoverPriority() {
        return tags.failoverPriority();
    }

    /** Watchdog is fine unless it is required and cannot be used (§7.1). */
    public boolean watchdogHealthy() {
        return !watchdogRequired || watchdogUsable;
    }
}
