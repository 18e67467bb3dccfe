package io.haagent.api;

import io.haagent.api.PostgresStatus.ReplicationConnection;
import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.cluster.TimelineHistory;
import io.haagent.config.DynamicConfig;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ready-made snapshots of a three-member cluster {@code batman} ({@code pg1} leader on 127.0.0.11,
 * {@code pg2}/{@code pg3} replicas on .12/.13) for REST API and agent tests.
 */
public final class SnapshotFixtures {
    public static final String SCOPE = "batman";
    public static final long LEADER_LSN = 0x3000060L;
    public static final OffsetDateTime PG_START = OffsetDateTime.parse("2026-01-01T00:00:00.123456Z");
    public static final int SERVER_VERSION = 150004;

    private SnapshotFixtures() {
    }

    public static Map<String, Object> dynamicConfigJson() {
        Map<String, Object> pg = new LinkedHashMap<>();
        pg.put("use_pg_rewind", true);
        pg.put("use_slots", true);
        pg.put("parameters", new LinkedHashMap<>(Map.of("max_connections", 100)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ttl", 30);
        m.put("loop_wait", 10);
        m.put("retry_timeout", 10);
        m.put("maximum_lag_on_failover", 1048576);
        m.put("postgresql", pg);
        return m;
    }

    public static Member member(String name, String role, String state, Long xlog) {
        String ip = switch (name) {
            case "pg1" -> "127.0.0.11";
            case "pg2" -> "127.0.0.12";
            case "pg3" -> "127.0.0.13";
            default -> "127.0.0.99";
        };
        return Member.builder(name)
                .connUrl("postgres://" + ip + ":5432/postgres")
                .apiUrl("http://" + ip + ":8008/patroni")
                .state(state)
                .role(role)
                .version("3.3.1")
                .xlogLocation(xlog)
                .timeline(1)
                .replicationState("replica".equals(role) ? "streaming" : null)
                .build();
    }

    /** pg1 leads with the lock, pg2 and pg3 stream from it; history has one switch. */
    public static ClusterView threeMembers(Map<String, Object> configJson) {
        Map<String, Object> cfg = configJson == null ? dynamicConfigJson() : configJson;
        return new ClusterView(
                "7300000000000000001",
                ClusterConfig.of(cfg, 11),
                new Leader("pg1", 12, 7),
                ClusterStatus.of(LEADER_LSN, Map.of()),
                List.of(member("pg1", "master", PostgresState.RUNNING, LEADER_LSN),
                        member("pg2", "replica", PostgresState.RUNNING, LEADER_LSN - 100),
                        member("pg3", "replica", PostgresState.RUNNING, null)),
                null,
                SyncState.EMPTY,
                new TimelineHistory(List.of(new TimelineHistory.Line(1, 0x2000000L, "no recovery target specified",
                        "2026-01-01T00:00:00+00:00", "pg1")), false, 13),
                null,
                20);
    }

    public static ClusterView threeMembers() {
        return threeMembers(null);
    }

    /** pg1 as the primary holding the lock until {@code nowNanos + ttl}. */
    public static NodeSnapshot primary(long nowNanos) {
        ClusterView c = threeMembers();
        return base("pg1", c, nowNanos)
                .connectAddress("127.0.0.11:5432")
                .postgres(PostgresStatus.primary(PostgresState.RUNNING, PG_START, SERVER_VERSION, LEADER_LSN, 2,
                        List.of(new ReplicationConnection("replicator", "pg2", "127.0.0.12", "streaming", "async", 0),
                                new ReplicationConnection("replicator", "pg3", "127.0.0.13", "streaming", "async", 0))))
                .leaderLockUntil(nowNanos + Duration.ofSeconds(c.dynamic().ttl()).toNanos())
                .lastDecision(DecisionRecord.of(PG_START.toInstant().plusSeconds(60),
                        "no action. I am (pg1), the leader with the lock"))
                .build();
    }

    /** pg2 as a streaming replica of pg1. */
    public static NodeSnapshot replica(long nowNanos) {
        return base("pg2", threeMembers(), nowNanos)
                .connectAddress("127.0.0.12:5432")
                .postgres(PostgresStatus.standby(PostgresState.RUNNING, "replica", PG_START, SERVER_VERSION,
                        LEADER_LSN - 100, LEADER_LSN - 100, PG_START.plusSeconds(30), false, 2, "streaming",
                        List.of()))
                .lastDecision(DecisionRecord.of(PG_START.toInstant().plusSeconds(60),
                        "no action. I am (pg2), a secondary, and following a leader (pg1)"))
                .build();
    }

    private static NodeSnapshot.Builder base(String name, ClusterView c, long nowNanos) {
        return NodeSnapshot.builder(SCOPE, name)
                .apiUrl(c.member(name).map(Member::apiUrl).orElse(null))
                .sysid(c.initialize())
                .tags(Tags.NONE)
                .cluster(c, nowNanos)
                .dynamic(DynamicConfig.from(c.config().data()))
                .dcsLastSeen(PG_START.toEpochSecond() + 60)
                .nextRunNanos(nowNanos + Duration.ofSeconds(10).toNanos());
    }
}
