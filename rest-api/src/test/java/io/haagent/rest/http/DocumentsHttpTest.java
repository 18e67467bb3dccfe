package io.haagent.rest.http;

import static io.haagent.rest.RestApiHarness.json;
import static io.haagent.rest.RestApiHarness.jsonValue;
import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.CandidateCheck;
import io.haagent.api.DecisionRecord;
import io.haagent.api.FakeNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.PostgresStatus;
import io.haagent.api.RestartRequest;
import io.haagent.api.RoleChange;
import io.haagent.api.RoleChangeKind;
import io.haagent.api.SnapshotFixtures;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.time.FakeClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read documents over real HTTP, their field sets pinned against Patroni's (§2.4, §2.5), plus our additions
 * ({@code host}, {@code port}, {@code primary_change}, {@code last_decision}, {@code last_role_change}).
 */
class DocumentsHttpTest {
    static final List<String> OURS = List.of("host", "port", "last_decision", "last_role_change");

    private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T12:00:00Z"));
    private RestApiHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private RestApiHarness start(NodeSnapshot s, ClusterView etcd) {
        h = new RestApiHarness(RestApiHarness.config(), s, new FakeNodeActions(etcd), clock, RestApiOptions.DEFAULTS);
        return h;
    }

    /** A replica with every optional field of §2.4 set, in a paused synchronous cluster without a leader. */
    private NodeSnapshot everythingReplica() {
        ClusterView base = SnapshotFixtures.threeMembers(Map.of("synchronous_mode", true, "pause", true,
                "failsafe_mode", true, "ttl", 30));
        ClusterView c = new ClusterView(base.initialize(), base.config(), null, base.status(), base.members(), null,
                new SyncState("pg1", List.of("pg2"), 4), base.history(), Map.of("pg1", "http://127.0.0.11:8008/patroni"),
                40);
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("nofailover", true);
        tags.put("zone", "east");
        return SnapshotFixtures.replica(clock.nanoTime()).toBuilder()
                .cluster(c, clock.nanoTime())
                .dynamic(c.dynamic())
                .tags(Tags.effective(tags))
                .failsafeActive(true)
                .pendingRestart(true)
                .pendingRestartReason(Map.of("max_connections", Map.of("old_value", "100", "new_value", "101")))
                .scheduledRestart(new RestartRequest(OffsetDateTime.parse("2026-03-01T13:00:00Z"), "replica", null,
                        true, 60))
                .watchdogFailed(true)
                .postgres(PostgresStatus.standby("running", "replica", SnapshotFixtures.PG_START, 150004, 5000L, 4000L,
                        OffsetDateTime.parse("2026-03-01T11:59:59.5Z"), true, 2, "streaming",
                        List.of(new PostgresStatus.ReplicationConnection("replicator", "pg3", null, "streaming", "async",
                                0))))
                .lastDecision(new DecisionRecord(Instant.parse("2026-03-01T11:59:50Z"),
                        "following a different leader because i am not the healthiest node",
                        List.of("follow"), Map.of("leader", "none"),
                        List.of(CandidateCheck.rejected("pg2", "not allowed to promote"))))
                .lastRoleChange(new RoleChange(RoleChangeKind.SWITCHOVER, "master", "replica", "switchover to pg1",
                        Instant.parse("2026-03-01T11:00:00Z"), Instant.parse("2026-03-01T11:00:02.5Z"),
                        Map.of("demote", Duration.ofMillis(1500))))
                .build();
    }

    @Test
    void patroniDocumentOfAPrimaryHasPatronisFieldsAndHostPort() {
        start(SnapshotFixtures.primary(clock.nanoTime()), SnapshotFixtures.threeMembers());
        HttpResponse<String> r = h.get("/patroni");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        Map<String, Object> doc = json(r);
        assertThat(doc.keySet()).containsExactly("state", "postmaster_start_time", "role", "server_version", "xlog",
                "timeline", "replication", "dcs_last_seen", "database_system_identifier", "patroni", "host", "port",
                "last_decision");
        assertThat(doc).containsEntry("state", "running").containsEntry("role", "primary")
                .containsEntry("server_version", 150004).containsEntry("timeline", 2)
                .containsEntry("postmaster_start_time", "2026-01-01 00:00:00.123456+00:00")
                .containsEntry("host", "127.0.0.11").containsEntry("port", 5432);
        assertThat(doc.get("xlog")).isEqualTo(Map.of("location", (int) SnapshotFixtures.LEADER_LSN));
        assertThat(doc.get("patroni")).isEqualTo(Map.of("version", "3.3.1", "scope", "batman", "name", "pg1"));
        @SuppressWarnings("unchecked")
        Map<String, Object> row = ((List<Map<String, Object>>) doc.get("replication")).get(0);
        assertThat(row.keySet()).containsExactly("usename", "application_name", "client_addr", "state", "sync_state",
                "sync_priority");
    }

    @Test
    void patroniDocumentWithEveryOptionalField() {
        start(everythingReplica(), SnapshotFixtures.threeMembers());
        Map<String, Object> doc = json(h.get("/patroni"));
        assertThat(doc.keySet()).containsExactly("state", "postmaster_start_time", "role", "server_version", "xlog",
                "sync_standby", "timeline", "replication_state", "replication", "pause", "cluster_unlocked",
                "failsafe_mode_is_active", "dcs_last_seen", "tags", "database_system_identifier", "pending_restart",
                "pending_restart_reason", "patroni", "scheduled_restart", "watchdog_failed", "host", "port",
                "last_decision", "last_role_change");
        assertThat(doc.get("xlog")).isEqualTo(Map.of("received_location", 5000, "replayed_location", 4000,
                "replayed_timestamp", "2026-03-01 11:59:59.500000+00:00", "paused", true));
        assertThat(doc.get("tags")).isEqualTo(Map.of("nofailover", true, "zone", "east"));
        assertThat(doc.get("scheduled_restart")).isEqualTo(Map.of("schedule", "2026-03-01T13:00:00+00:00",
                "role", "replica", "restart_pending", true, "timeout", 60));
        assertThat(doc.get("pending_restart_reason"))
                .isEqualTo(Map.of("max_connections", Map.of("old_value", "100", "new_value", "101")));
        assertThat(doc.get("last_decision")).isEqualTo(Map.of("at", "2026-03-01T11:59:50+00:00",
                "summary", "following a different leader because i am not the healthiest node",
                "actions", List.of("follow"), "inputs", Map.of("leader", "none"),
                "candidates", List.of(Map.of("member", "pg2", "eligible", false, "reason", "not allowed to promote"))));
        assertThat(doc.get("last_role_change")).isEqualTo(Map.of("kind", "switchover", "from", "master",
                "to", "replica", "reason", "switchover to pg1", "started_at", "2026-03-01T11:00:00+00:00",
                "completed_at", "2026-03-01T11:00:02.500000+00:00", "duration_seconds", 2.5,
                "phases_seconds", Map.of("demote", 1.5)));
    }

    @Test
    void aNodeWhosePostgresIsDownReportsStateAndRoleOnly() {
        NodeSnapshot s = SnapshotFixtures.replica(clock.nanoTime()).toBuilder()
                .postgres(PostgresStatus.notQueried("stopped", "replica")).lastDecision(null).build();
        start(s, SnapshotFixtures.threeMembers());
        Map<String, Object> doc = json(h.get("/patroni"));
        assertThat(doc.keySet()).containsExactly("state", "role", "dcs_last_seen", "database_system_identifier",
                "patroni", "host", "port");
        assertThat(doc).containsEntry("state", "stopped").containsEntry("role", "replica");
        // A running postgres whose status query failed is "unknown", as Patroni reports it.
        h.board.publish(s.toBuilder().postgres(PostgresStatus.notQueried("running", "replica")).build());
        assertThat(json(h.get("/patroni"))).containsEntry("state", "unknown");
    }

    @Test
    void healthChecksCarryTheStatusDocumentWhateverTheirCode() {
        start(SnapshotFixtures.replica(clock.nanoTime()), SnapshotFixtures.threeMembers());
        HttpResponse<String> primary = h.get("/primary");
        assertThat(primary.statusCode()).isEqualTo(503);
        assertThat(json(primary)).containsEntry("role", "replica").containsEntry("host", "127.0.0.12")
                .containsEntry("port", 5432);
        HttpResponse<String> replica = h.get("/replica?lag=1MB");
        assertThat(replica.statusCode()).isEqualTo(200);
        assertThat(replica.body()).isEqualTo(h.get("/patroni").body());
        assertThat(h.get("/no-such-check").statusCode()).isEqualTo(503);
        assertThat(h.get("/").statusCode()).isEqualTo(503);
    }

    @Test
    void aPrimaryThatDecidedToStepDownAnswers503AndNamesTheMemberTakingOver() {
        NodeSnapshot primary = SnapshotFixtures.primary(clock.nanoTime());
        start(primary, SnapshotFixtures.threeMembers());
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
        assertThat(json(h.get("/primary"))).doesNotContainKey("primary_change");

        h.board.publish(primary.toBuilder().steppingDown(true, "pg2").build());
        HttpResponse<String> r = h.get("/primary");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(h.get("/leader").statusCode()).as("it still holds the lock").isEqualTo(200);
        assertThat(json(r).get("primary_change")).isEqualTo(Map.of("step", "demoting",
                "to", Map.of("name", "pg2", "host", "127.0.0.12", "port", 5432,
                        "api_url", "http://127.0.0.12:8008/patroni")));

        // a demotion without a named successor says so, without a member
        h.board.publish(primary.toBuilder().steppingDown(true, null).build());
        assertThat(json(h.get("/primary")).get("primary_change")).isEqualTo(Map.of("step", "demoting"));
    }

    @Test
    void aLeaderStillBeingPromotedAnswers503AndSaysToWaitOnItself() {
        NodeSnapshot promoting = SnapshotFixtures.replica(clock.nanoTime()).toBuilder()
                .apiUrl("http://127.0.0.12:8008/patroni")
                .leaderLockUntil(clock.nanoTime() + Duration.ofSeconds(30).toNanos()).build();
        start(promoting, SnapshotFixtures.threeMembers());
        HttpResponse<String> r = h.get("/primary");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).get("primary_change")).isEqualTo(Map.of("step", "promoting",
                "to", Map.of("name", "pg2", "host", "127.0.0.12", "port", 5432,
                        "api_url", "http://127.0.0.12:8008/patroni")));
        // once postgres takes writes: 200, and nothing is changing any more
        h.board.publish(SnapshotFixtures.primary(clock.nanoTime()));
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
        assertThat(json(h.get("/primary"))).doesNotContainKey("primary_change");
    }

    @Test
    void headAndOptionsAnswerWithTheStatusOnly() {
        start(SnapshotFixtures.primary(clock.nanoTime()), SnapshotFixtures.threeMembers());
        HttpResponse<String> head = h.send(HttpRequest.newBuilder(h.uri("/primary"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        HttpResponse<String> options = h.request("OPTIONS", "/replica", null);
        assertThat(options.statusCode()).isEqualTo(503);
        assertThat(options.body()).isEmpty();
        // Patroni routes HEAD/OPTIONS of any path to the health check, even /patroni.
        assertThat(h.request("OPTIONS", "/patroni", null).statusCode()).isEqualTo(503);
    }

    /**
     * Issue 18 item 7 reported 503 for unknown GET paths and OPTIONS on a healthy primary. That is Patroni's answer
     * for a path no rule matches (4.1.4 api.py {@code do_GET}: the code starts at 503, rules match by substring, the
     * body is the status document; {@code do_OPTIONS}/{@code do_HEAD} send the code only), and HAProxy's default
     * {@code OPTIONS /} check is the primary check. Pinned here so that neither drifts.
     */
    @Test
    void pathsThatAreNoEndpointAnswerAsPatroniDoesOnAHealthyPrimary() {
        start(SnapshotFixtures.primary(clock.nanoTime()), SnapshotFixtures.threeMembers());
        assertThat(h.get("/").statusCode()).isEqualTo(200);
        assertThat(h.request("OPTIONS", "/", null).statusCode()).isEqualTo(200);
        assertThat(h.send(HttpRequest.newBuilder(h.uri("/")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build()).statusCode()).isEqualTo(200);
        HttpResponse<String> unknown = h.get("/no-such-endpoint");
        assertThat(unknown.statusCode()).isEqualTo(503);
        assertThat(json(unknown)).containsEntry("role", "primary").containsEntry("state", "running");
        assertThat(h.request("OPTIONS", "/no-such-endpoint", null).statusCode()).isEqualTo(503);
        assertThat(h.request("OPTIONS", "/no-such-endpoint", null).body()).isEmpty();
        assertThat(h.get("/anything/primary").statusCode()).isEqualTo(200);
        assertThat(h.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(h.get("/read-write").statusCode()).isEqualTo(200);
        assertThat(h.get("/replica").statusCode()).isEqualTo(503);
    }

    @Test
    void clusterDocumentAsPatroni33BuildsIt() {
        ClusterView base = SnapshotFixtures.threeMembers(Map.of("synchronous_mode", true, "pause", true));
        Map<String, Object> tags = Map.of("zone", "east");
        List<Member> members = List.of(base.members().get(0),
                base.members().get(1).toBuilder().pendingRestart(true)
                        .pendingRestartReason(Map.of("max_connections", Map.of("old_value", "100", "new_value", "101")))
                        .scheduledRestart(Map.of("schedule", "2026-03-01T13:00:00+00:00")).tags(new Tags(tags)).build(),
                base.members().get(2));
        members = List.of(members.get(0), members.get(1).toBuilder().receiveLsn(0x3000000L).replayLsn(0x2F00000L)
                .build(), members.get(2));
        ClusterView etcd = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(), members,
                FailoverRequest.of("pg1", "pg2", OffsetDateTime.parse("2026-03-01T13:00:00Z")),
                new SyncState("pg1", List.of("pg2"), 3), base.history(), null, 50);
        start(SnapshotFixtures.primary(clock.nanoTime()), etcd);
        HttpResponse<String> r = h.get("/cluster");
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> doc = json(r);
        assertThat(doc.keySet()).containsExactly("members", "scope", "pause", "scheduled_switchover");
        assertThat(doc.get("scheduled_switchover")).isEqualTo(Map.of("at", "2026-03-01T13:00:00+00:00", "from", "pg1",
                "to", "pg2"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> m = (List<Map<String, Object>>) doc.get("members");
        assertThat(m).extracting(x -> x.get("name")).containsExactly("pg1", "pg2", "pg3");
        assertThat(m.get(0).keySet()).containsExactly("name", "role", "state", "api_url", "host", "port", "timeline");
        assertThat(m.get(0)).containsEntry("role", "leader").containsEntry("state", "running");
        assertThat(m.get(1).keySet()).containsExactly("name", "role", "state", "api_url", "host", "port", "timeline",
                "pending_restart", "pending_restart_reason", "scheduled_restart", "tags", "receive_lag", "receive_lsn",
                "replay_lag", "replay_lsn", "lag", "lsn");
        assertThat(m.get(1)).containsEntry("role", "sync_standby").containsEntry("state", "streaming")
                .containsEntry("lag", 100).containsEntry("host", "127.0.0.12").containsEntry("port", 5432);
        // Patroni 4.1: receive and replay positions and their lag in bytes behind the status key's optime
        long optime = base.lastLsn();
        assertThat(m.get(1)).containsEntry("receive_lsn", "0/3000000").containsEntry("replay_lsn", "0/2F00000")
                .containsEntry("receive_lag", (int) Math.max(0, optime - 0x3000000L))
                .containsEntry("replay_lag", (int) (optime - 0x2F00000L));
        assertThat(m.get(2)).containsEntry("role", "replica").containsEntry("lag", "unknown")
                .containsEntry("receive_lag", "unknown").containsEntry("replay_lsn", "unknown");
        assertThat(m.get(2).keySet()).endsWith("receive_lsn", "receive_lag", "replay_lsn", "replay_lag", "lsn", "lag");
        assertThat(h.actions.clusterReads()).isEqualTo(1);
    }

    @Test
    void historyAndConfigComeFromTheFreshViewWithoutReadingEtcd() {
        start(SnapshotFixtures.primary(clock.nanoTime()), SnapshotFixtures.threeMembers());
        assertThat(jsonValue(h.get("/history"))).isEqualTo(List.of(List.of(1, 0x2000000, "no recovery target specified",
                "2026-01-01T00:00:00+00:00", "pg1")));
        assertThat(json(h.get("/config"))).isEqualTo(SnapshotFixtures.dynamicConfigJson());
        assertThat(h.actions.clusterReads()).isZero();
        // Once the snapshot's view is older than ttl, both read etcd.
        clock.advance(Duration.ofSeconds(31));
        assertThat(h.get("/config").statusCode()).isEqualTo(200);
        assertThat(h.get("/history").statusCode()).isEqualTo(200);
        assertThat(h.actions.clusterReads()).isEqualTo(2);
    }

    @Test
    void configIs502WithoutAConfigKeyAndFailsafeWithoutAFailsafeKey() {
        ClusterView base = SnapshotFixtures.threeMembers();
        ClusterView noConfig = new ClusterView(base.initialize(), null, base.leader(), base.status(), base.members(),
                null, null, null, null, 9);
        start(SnapshotFixtures.primary(clock.nanoTime()).toBuilder().cluster(noConfig, clock.nanoTime()).build(),
                noConfig);
        assertThat(h.get("/config").statusCode()).isEqualTo(502);
        assertThat(h.get("/history").body()).isEqualTo("[]");
        assertThat(h.get("/failsafe").statusCode()).isEqualTo(502);
        h.board.publish(everythingReplica());
        HttpResponse<String> f = h.get("/failsafe");
        assertThat(f.statusCode()).isEqualTo(200);
        assertThat(json(f)).isEqualTo(Map.of("pg1", "http://127.0.0.11:8008/patroni"));
    }

    @Test
    void clusterIs503WhenEtcdIsUnreachable() {
        start(SnapshotFixtures.primary(clock.nanoTime()), SnapshotFixtures.threeMembers());
        h.actions.etcdReachable(false);
        HttpResponse<String> r = h.get("/cluster");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).startsWith("DCS is not accessible");
        // Health checks do not care: they answer from the snapshot.
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
    }

    @Test
    void livenessFollowsTheHaLoopsSchedule() {
        NodeSnapshot s = SnapshotFixtures.replica(clock.nanoTime());
        start(s, SnapshotFixtures.threeMembers());
        assertThat(h.get("/liveness").statusCode()).isEqualTo(200);
        assertThat(h.get("/liveness").body()).isEmpty();
        // A replica tolerates 2*ttl past its next scheduled run (10 s ahead here).
        clock.advance(Duration.ofSeconds(69));
        assertThat(h.get("/liveness").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(h.get("/liveness").statusCode()).isEqualTo(503);
        // A running primary only ttl.
        h.board.publish(SnapshotFixtures.primary(clock.nanoTime()));
        clock.advance(Duration.ofSeconds(39));
        assertThat(h.get("/liveness").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(h.get("/liveness").statusCode()).isEqualTo(503);
        // Paused: always alive.
        h.board.publish(SnapshotFixtures.primary(0).toBuilder()
                .dynamic(io.haagent.config.DynamicConfig.from(Map.of("pause", true))).nextRunNanos(0).build());
        assertThat(h.get("/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void readinessNeedsTheLockOrARunningPostgresWithAFreshView() {
        start(SnapshotFixtures.replica(clock.nanoTime()), SnapshotFixtures.threeMembers());
        assertThat(h.get("/readiness").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(30));
        assertThat(h.get("/readiness").statusCode()).isEqualTo(503);
        h.board.publish(SnapshotFixtures.primary(clock.nanoTime()).toBuilder()
                .postgres(PostgresStatus.notQueried("stopped", "master")).build());
        assertThat(h.get("/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void aNewSnapshotIsServedAsSoonAsItIsPublished() {
        start(SnapshotFixtures.replica(clock.nanoTime()), SnapshotFixtures.threeMembers());
        assertThat(h.get("/primary").statusCode()).isEqualTo(503);
        h.board.publish(SnapshotFixtures.primary(clock.nanoTime()));
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
        assertThat(json(h.get("/patroni"))).containsEntry("role", "primary");
    }

    @Test
    void aPrimarySpelledMasterIsServedAsMasterAndIsAPrimaryForEveryCheck() {
        NodeSnapshot s = SnapshotFixtures.primary(clock.nanoTime());
        PostgresStatus pg = s.postgres();
        start(s.toBuilder().postgres(PostgresStatus.primary("master", pg.state(), pg.postmasterStartTime(),
                pg.serverVersion(), pg.xlogLocation(), pg.timeline(), pg.replication())).build(),
                SnapshotFixtures.threeMembers());
        assertThat(json(h.get("/patroni"))).containsEntry("role", "master");
        for (String path : List.of("/primary", "/master", "/read-write", "/leader", "/health")) {
            assertThat(h.get(path).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(h.get("/replica").statusCode()).isEqualTo(503);
        assertThat(h.get("/metrics").body()).contains("patroni_role{cluster=\"batman\",name=\"pg1\",role=\"master\"} 1",
                "patroni_role{cluster=\"batman\",name=\"pg1\",role=\"primary\"} 1", "patroni_primary{", "patroni_master{");
    }

    @Test
    void aVoterOfQuorumCommitIsAQuorumStandbyNotASyncStandby() {
        ClusterView base = SnapshotFixtures.threeMembers(Map.of("synchronous_mode", "quorum"));
        ClusterView c = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(), base.members(),
                null, new SyncState("pg1", List.of("pg2", "pg3"), 1, 4), base.history(), null, 40);
        NodeSnapshot voter = SnapshotFixtures.replica(clock.nanoTime()).toBuilder().cluster(c, clock.nanoTime())
                .dynamic(c.dynamic()).build();
        start(voter, c);
        Map<String, Object> doc = json(h.get("/patroni"));
        assertThat(doc).containsEntry("quorum_standby", true).doesNotContainKey("sync_standby");
        assertThat(h.get("/quorum").statusCode()).isEqualTo(200);
        assertThat(h.get("/read-only-quorum").statusCode()).isEqualTo(200);
        assertThat(h.get("/sync").statusCode()).isEqualTo(503);
        assertThat(h.get("/async").statusCode()).isEqualTo(503);
        assertThat(h.get("/metrics").body()).contains("patroni_quorum_standby{scope=\"batman\",name=\"pg2\"} 1",
                "patroni_sync_standby{scope=\"batman\",name=\"pg2\"} 0");

        // the primary answers /read-only-quorum, not /quorum; a replica outside the voters answers neither
        h.board.publish(SnapshotFixtures.primary(clock.nanoTime()).toBuilder().cluster(c, clock.nanoTime())
                .dynamic(c.dynamic()).build());
        assertThat(h.get("/read-only-quorum").statusCode()).isEqualTo(200);
        assertThat(h.get("/quorum").statusCode()).isEqualTo(503);
        ClusterView notVoter = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(),
                base.members(), null, new SyncState("pg1", List.of("pg3"), 0, 4), base.history(), null, 40);
        h.board.publish(voter.toBuilder().cluster(notVoter, clock.nanoTime()).build());
        assertThat(h.get("/quorum").statusCode()).isEqualTo(503);
        assertThat(h.get("/read-only-quorum").statusCode()).isEqualTo(503);
        assertThat(h.get("/async").statusCode()).isEqualTo(200);
    }

    @Test
    void readinessOfAReplicaFollowsItsLagAsPatroni41s() {
        // the fixture replica has replayed and received 100 bytes less than the leader's last position
        start(SnapshotFixtures.replica(clock.nanoTime()), SnapshotFixtures.threeMembers());
        assertThat(h.get("/readiness").statusCode()).as("default: maximum_lag_on_failover").isEqualTo(200);
        assertThat(h.get("/readiness?lag=100").statusCode()).isEqualTo(200);
        assertThat(h.get("/readiness?lag=99").statusCode()).isEqualTo(503);
        assertThat(h.get("/readiness?lag=1kB&mode=write").statusCode()).isEqualTo(200);
        assertThat(h.get("/readiness?lag=50&mode=write").statusCode()).isEqualTo(503);
        // not streaming: not ready, whatever the lag
        NodeSnapshot s = SnapshotFixtures.replica(clock.nanoTime());
        PostgresStatus pg = s.postgres();
        h.board.publish(s.toBuilder().postgres(PostgresStatus.standby(pg.state(), "replica", pg.postmasterStartTime(),
                pg.serverVersion(), pg.receivedLocation(), pg.replayedLocation(), pg.replayedTimestamp(), false,
                pg.timeline(), "in archive recovery", List.of())).build());
        assertThat(h.get("/readiness?lag=1GB").statusCode()).isEqualTo(503);
    }
}
