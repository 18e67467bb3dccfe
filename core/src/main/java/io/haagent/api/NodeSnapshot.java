package io.haagent.api;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Tags;
import io.haagent.config.DynamicConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the REST API needs to answer health checks, {@code /patroni} and {@code /metrics} without I/O
 * (§2.3-2.5). The agent builds a new one each HA cycle (and on events) and publishes it on a
 * {@link StatusBoard}; it is immutable, so one request sees one consistent state.
 *
 * <p>Two facts are beliefs on the monotonic clock, evaluated per request against an injected
 * {@link io.haagent.time.Clock}: whether this node holds the leader lock ({@link #holdsLeaderLock}) and whether
 * the cluster view is still fresh ({@link #freshCluster}).
 *
 * @param patroniVersion          the Patroni version we are compatible with, as published (e.g. {@code 3.3.1})
 * @param connectHost             host of {@code postgresql.connect_address}, served as {@code host}
 * @param connectPort             port of {@code postgresql.connect_address}, served as {@code port}
 * @param apiUrl                  this node's {@code api_url}
 * @param sysid                   the database system identifier, null when unknown
 * @param tags                    the effective tags (§1.3.1), as in the member key
 * @param configuredTags          the tags {@code tag_<k>=<v>} health-check filters match: the configured ones,
 *                                effective as in Patroni (a predefined boolean that is false is absent)
 * @param leaderLockHeld          the last acquire or renew of the leader lock succeeded
 * @param leaderLockDeadlineNanos monotonic time until which we believe we hold the lock (last successful
 *                                acquire/renew + ttl, minus a margin); meaningless unless {@code leaderLockHeld}
 * @param cluster                 the last cluster view read from etcd (null before the first read)
 * @param clusterReadNanos        monotonic time of that read; the view counts as stale after {@code ttl}
 * @param dynamic                 the dynamic configuration last seen (stays in force while etcd is unreachable)
 * @param failsafeActive          the primary is running on failsafe (etcd unreachable, all members answered)
 * @param dcsLastSeen             epoch seconds of the last successful etcd read
 * @param pendingRestart          a postmaster-context setting differs from the running value
 * @param pendingRestartReason    {@code {guc: {old_value, new_value}}}, may be empty
 * @param scheduledRestart        the scheduled restart, null when none
 * @param watchdogFailed          the watchdog is required but not usable
 * @param nextRunNanos            monotonic time the HA loop is next due to run (for {@code /liveness})
 * @param lastDecision            the last decision record of the HA loop, null before the first cycle
 * @param lastRoleChange          the timings of the last role change, null when none happened
 * @param roleChangeStats         counts and durations of role changes since start
 * @param steppingDown            this primary is stepping down (a switchover, a demotion) and stops taking writes,
 *                                though it may still hold the lock while postgres stops
 * @param steppingDownTo          the member a switchover hands over to, when one was named; else null
 * @param configRejection         the config key in etcd is not applied because it is not valid; null when it is
 */
public record NodeSnapshot(
        String scope,
        String name,
        String patroniVersion,
        String connectHost,
        int connectPort,
        String apiUrl,
        PostgresStatus postgres,
        String sysid,
        Tags tags,
        Tags configuredTags,
        boolean leaderLockHeld,
        long leaderLockDeadlineNanos,
        ClusterView cluster,
        long clusterReadNanos,
        DynamicConfig dynamic,
        boolean failsafeActive,
        long dcsLastSeen,
        boolean pendingRestart,
        Map<String, Map<String, String>> pendingRestartReason,
        RestartRequest scheduledRestart,
        boolean watchdogFailed,
        long nextRunNanos,
        DecisionRecord lastDecision,
        RoleChange lastRoleChange,
        RoleChangeStats roleChangeStats,
        boolean steppingDown,
        String steppingDownTo,
        ConfigRejection configRejection) {

    public NodeSnapshot {
        postgres = postgres == null ? PostgresStatus.notQueried(null, null) : postgres;
        tags = tags == null ? Tags.NONE : tags;
        configuredTags = configuredTags == null ? tags : configuredTags;
        dynamic = dynamic == null ? DynamicConfig.DEFAULTS : dynamic;
        pendingRestartReason = pendingRestartReason == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(pendingRestartReason));
        roleChangeStats = roleChangeStats == null ? RoleChangeStats.EMPTY : roleChangeStats;
    }

    /**
     * Whether we believe we hold the leader lock at {@code nowNanos}. Safety rule 1: the belief runs on the
     * monotonic clock and the agent sets the deadline no later than the etcd lease can expire, so when in doubt
     * {@code /primary} already answers 503 before another node can take the lock.
     */
    public boolean holdsLeaderLock(long nowNanos) {
        return leaderLockHeld && nowNanos - leaderLockDeadlineNanos < 0;
    }

    /**
     * The cluster view if it was read less than {@code ttl} ago, else null (Patroni's {@code dcs.cluster}: the
     * cache is valid for ttl seconds after the last successful read).
     */
    public ClusterView freshCluster(long nowNanos) {
        if (cluster == null) {
            return null;
        }
        long ttlNanos = dynamic.ttl() * 1_000_000_000L;
        return nowNanos - clusterReadNanos < ttlNanos ? cluster : null;
    }

    public boolean paused() {
        return dynamic.pause();
    }

    public boolean standbyCluster() {
        return dynamic.isStandbyCluster();
    }

    public static Builder builder(String scope, String name) {
        return new Builder(scope, name);
    }

    public Builder toBuilder() {
        Builder b = new Builder(scope, name);
        b.patroniVersion = patroniVersion;
        b.connectHost = connectHost;
        b.connectPort = connectPort;
        b.apiUrl = apiUrl;
        b.postgres = postgres;
        b.sysid = sysid;
        b.tags = tags;
        b.configuredTags = configuredTags;
        b.leaderLockHeld = leaderLockHeld;
        b.leaderLockDeadlineNanos = leaderLockDeadlineNanos;
        b.cluster = cluster;
        b.clusterReadNanos = clusterReadNanos;
        b.dynamic = dynamic;
        b.failsafeActive = failsafeActive;
        b.dcsLastSeen = dcsLastSeen;
        b.pendingRestart = pendingRestart;
        b.pendingRestartReason = pendingRestartReason;
        b.scheduledRestart = scheduledRestart;
        b.watchdogFailed = watchdogFailed;
        b.nextRunNanos = nextRunNanos;
        b.lastDecision = lastDecision;
        b.lastRoleChange = lastRoleChange;
        b.roleChangeStats = roleChangeStats;
        b.steppingDown = steppingDown;
        b.steppingDownTo = steppingDownTo;
        b.configRejection = configRejection;
        return b;
    }

    /** Mutable builder; unset fields take the values of a node that knows nothing yet. */
    public static final class Builder {
        private final String scope;
        private final String name;
        private String patroniVersion = "3.3.1";
        private String connectHost;
        private int connectPort;
        private String apiUrl;
        private PostgresStatus postgres;
        private String sysid;
        private Tags tags;
        private Tags configuredTags;
        private boolean leaderLockHeld;
        private long leaderLockDeadlineNanos;
        private ClusterView cluster;
        private long clusterReadNanos;
        private DynamicConfig dynamic;
        private boolean failsafeActive;
        private long dcsLastSeen;
        private boolean pendingRestart;
        private Map<String, Map<String, String>> pendingRestartReason;
        private RestartRequest scheduledRestart;
        private boolean watchdogFailed;
        private long nextRunNanos;
        private DecisionRecord lastDecision;
        private RoleChange lastRoleChange;
        private RoleChangeStats roleChangeStats;
        private boolean steppingDown;
        private String steppingDownTo;
        private ConfigRejection configRejection;

        private Builder(String scope, String name) {
            this.scope = scope;
            this.name = name;
        }

        public Builder patroniVersion(String v) { patroniVersion = v; return this; }
        public Builder connectHost(String v) { connectHost = v; return this; }
        public Builder connectPort(int v) { connectPort = v; return this; }

        /** Host and port from {@code postgresql.connect_address} ({@code host:port} or {@code [v6]:port}). */
        public Builder connectAddress(String hostPort) {
            if (hostPort == null || hostPort.isBlank()) {
                return this;
            }
            String s = hostPort.trim();
            int colon = s.lastIndexOf(':');
            String host = colon < 0 ? s : s.substring(0, colon);
            int port = 5432;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("postgresql.connect_address: expected host:port, got '"
                            + hostPort + "'");
                }
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            connectHost = host;
            connectPort = port;
            return this;
        }

        public Builder apiUrl(String v) { apiUrl = v; return this; }
        public Builder postgres(PostgresStatus v) { postgres = v; return this; }
        public Builder sysid(String v) { sysid = v; return this; }
        public Builder tags(Tags v) { tags = v; return this; }
        public Builder configuredTags(Tags v) { configuredTags = v; return this; }

        /** We hold the lock until {@code deadlineNanos} on the monotonic clock. */
        public Builder leaderLockUntil(long deadlineNanos) {
            leaderLockHeld = true;
            leaderLockDeadlineNanos = deadlineNanos;
            return this;
        }

        public Builder noLeaderLock() {
            leaderLockHeld = false;
            leaderLockDeadlineNanos = 0;
            return this;
        }

        public Builder cluster(ClusterView v, long readNanos) {
            cluster = v;
            clusterReadNanos = readNanos;
            return this;
        }

        public Builder dynamic(DynamicConfig v) { dynamic = v; return this; }
        public Builder failsafeActive(boolean v) { failsafeActive = v; return this; }
        public Builder dcsLastSeen(long epochSeconds) { dcsLastSeen = epochSeconds; return this; }
        public Builder pendingRestart(boolean v) { pendingRestart = v; return this; }
        public Builder pendingRestartReason(Map<String, Map<String, String>> v) { pendingRestartReason = v; return this; }
        public Builder scheduledRestart(RestartRequest v) { scheduledRestart = v; return this; }
        public Builder watchdogFailed(boolean v) { watchdogFailed = v; return this; }
        public Builder nextRunNanos(long v) { nextRunNanos = v; return this; }
        public Builder lastDecision(DecisionRecord v) { lastDecision = v; return this; }
        public Builder lastRoleChange(RoleChange v) { lastRoleChange = v; return this; }
        public Builder roleChangeStats(RoleChangeStats v) { roleChangeStats = v; return this; }
        public Builder configRejection(ConfigRejection v) { configRejection = v; return this; }

        /** Stepping down (handing over to {@code to}, when named), or not ({@code false, null}). */
        public Builder steppingDown(boolean v, String to) {
            steppingDown = v;
            steppingDownTo = v ? to : null;
            return this;
        }

        public NodeSnapshot build() {
            return new NodeSnapshot(scope, name, patroniVersion, connectHost, connectPort, apiUrl, postgres, sysid,
                    tags, configuredTags, leaderLockHeld, leaderLockDeadlineNanos, cluster, clusterReadNanos, dynamic,
                    failsafeActive, dcsLastSeen, pendingRestart, pendingRestartReason, scheduledRestart,
                    watchdogFailed, nextRunNanos, lastDecision, lastRoleChange, roleChangeStats, steppingDown,
                    steppingDownTo, configRejection);
        }
    }
}
