package io.haagent.ctl.members;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.cluster.TimelineHistory;
import io.haagent.ctl.output.Format;
import io.haagent.dcs.etcd.LeaseTtl;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rows of agentctl list: Patroni 3.3's roles, states and lag, plus what the APIs and leases tell. */
class MemberRowsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOW = Instant.parse("2024-05-01T10:00:10Z");

    static Member member(String name, int octet, String role, String state, Long xlog) {
        return Member.builder(name).connUrl("postgres://127.0.0." + octet + ":5432/postgres")
                .apiUrl("http://127.0.0." + octet + ":8008/patroni").role(role).state(state).xlogLocation(xlog)
                .timeline(2).lease(100 + octet).build();
    }

    static ClusterView view(String leader, List<Member> members, Map<String, Object> config, SyncState sync) {
        return new ClusterView("7312345678901234567", ClusterConfig.of(config, 5), leader == null ? null
                : new Leader(leader, 7, 1), ClusterStatus.of(50_000_000L, Map.of()), members, null, sync,
                new TimelineHistory(List.of(), false, 3), null, 10);
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void rolesStatesAndLagAsPatroni33() {
        Member pg1 = member("pg1", 11, "master", "running", 50_000_000L);
        Member pg2 = member("pg2", 12, "replica", "running", 50_000_000L - 3 * 1024 * 1024).toBuilder()
                .replicationState("streaming").build();
        Member pg3 = member("pg3", 13, "replica", "running", null);
        ClusterView v = view("pg1", List.of(pg3, pg1, pg2), Map.of("synchronous_mode", true),
                new SyncState("pg1", List.of("pg2"), 4));
        List<MemberRow> rows = MemberRows.rows(v, Map.of(), NOW);
        assertThat(rows).extracting(MemberRow::name).containsExactly("pg1", "pg2", "pg3");
        assertThat(rows).extracting(MemberRow::role).containsExactly("leader", "sync_standby", "replica");
        assertThat(rows).extracting(MemberRow::state).containsExactly("running", "streaming", "running");
        assertThat(rows).extracting(MemberRow::lagBytes).containsExactly(null, 3L * 1024 * 1024, -1L);
        assertThat(rows).noneMatch(MemberRow::problem);

        // without synchronous_mode a member listed in /sync is a plain replica (3.3)
        ClusterView async = view("pg1", List.of(pg1, pg2), Map.of(), new SyncState("pg1", List.of("pg2"), 4));
        assertThat(MemberRows.rows(async, Map.of(), NOW)).extracting(MemberRow::role).containsExactly("leader",
                "replica");
    }

    @Test
    void aSilentApiAndAKeyNoLongerRenewedAreShownNotRunning() {
        Member pg1 = member("pg1", 11, "master", "running", 50_000_000L);
        Member pg2 = member("pg2", 12, "replica", "running", 50_000_000L).toBuilder().replicationState("streaming")
                .build();
        Member pg3 = member("pg3", 13, "replica", "running", 50_000_000L);
        ClusterView v = view("pg1", List.of(pg1, pg2, pg3), Map.of("ttl", 30, "loop_wait", 10, "retry_timeout", 10),
                SyncState.EMPTY);
        Map<String, Liveness> live = new HashMap<>();
        live.put("pg1", new Liveness(json("{\"role\":\"master\"}"), null, new LeaseTtl(111, 30, 28)));
        // pg2: API silent, and its lease was last kept alive 22 s ago (a live agent renews every cycle)
        live.put("pg2", new Liveness(null, "no answer within 2 s", new LeaseTtl(112, 30, 8)));
        // pg3: renewed 21 s ago: within max(2*loop_wait, loop_wait+retry_timeout)+1, so still fine
        live.put("pg3", new Liveness(json("{}"), null, new LeaseTtl(113, 30, 9)));
        List<MemberRow> rows = MemberRows.rows(v, live, NOW);
        assertThat(rows.get(1).state()).isEqualTo("API not answering, key not renewed for 22 s (last: streaming)");
        assertThat(rows.get(1).problem()).isTrue();
        assertThat(rows.get(2).state()).isEqualTo("running");
        assertThat(rows.get(0).state()).isEqualTo("running");
    }

    @Test
    void keysThatStillNameAMemberWhoseKeyExpiredGiveARow() {
        Member pg2 = member("pg2", 12, "replica", "running", 1L);
        ClusterView v = view("pg1", List.of(pg2), Map.of("synchronous_mode", true),
                new SyncState("pg1", List.of("pg3"), 4));
        List<MemberRow> rows = MemberRows.rows(v, Map.of(), NOW);
        assertThat(rows).extracting(MemberRow::name).containsExactly("pg1", "pg2", "pg3");
        assertThat(rows.get(0).state()).isEqualTo(MemberRows.KEY_EXPIRED);
        assertThat(rows.get(0).role()).isEqualTo("leader");
        assertThat(rows.get(2).role()).isEqualTo("sync_standby");
        assertThat(rows.get(2).state()).isEqualTo(MemberRows.KEY_EXPIRED);
    }

    @Test
    void aWalsenderWithoutAMemberKeyIsAReplicaWhoseKeyExpired() {
        Member pg1 = member("pg1", 11, "master", "running", 5L);
        ClusterView v = view("pg1", List.of(pg1), Map.of(), SyncState.EMPTY);
        JsonNode leader = json("{\"xlog\":{\"location\":5},\"replication\":["
                + "{\"application_name\":\"pg2\",\"client_addr\":\"127.0.0.12\",\"state\":\"streaming\"},"
                + "{\"application_name\":\"pg_basebackup\",\"client_addr\":\"127.0.0.13\",\"state\":\"streaming\"},"
                + "{\"application_name\":\"pg4\",\"client_addr\":\"127.0.0.14\",\"state\":\"backup\"}]}");
        List<MemberRow> rows = MemberRows.rows(v, Map.of("pg1", new Liveness(leader, null, null)), NOW);
        assertThat(rows).extracting(MemberRow::name).containsExactly("pg1", "pg2");
        assertThat(rows.get(1).state()).isEqualTo("member key expired (still streaming from the leader)");
        assertThat(rows.get(1).host()).isEqualTo("127.0.0.12");
    }

    @Test
    void replayLagInSecondsIsZeroWhenCaughtUpElseTheAgeOfTheLastReplayedTransaction() {
        JsonNode leader = json("{\"xlog\":{\"location\":1000}}");
        assertThat(MemberRows.replayLagSeconds(leader, json("{\"xlog\":{\"replayed_location\":1000,"
                + "\"replayed_timestamp\":\"2024-05-01 09:00:00+00:00\"}}"), NOW)).isEqualTo(0.0);
        assertThat(MemberRows.replayLagSeconds(leader, json("{\"xlog\":{\"replayed_location\":900,"
                + "\"replayed_timestamp\":\"2024-05-01 10:00:06.750000+00:00\"}}"), NOW)).isEqualTo(3.3);
        assertThat(MemberRows.replayLagSeconds(leader, json("{\"xlog\":{\"replayed_location\":900,"
                + "\"replayed_timestamp\":null}}"), NOW)).isNull();
        assertThat(MemberRows.replayLagSeconds(leader, null, NOW)).isNull();
    }

    @Test
    void tableColumnsHostsAndTopology() {
        Member pg1 = member("pg1", 11, "master", "running", 50_000_000L);
        Member pg2 = member("pg2", 12, "replica", "running", 50_000_000L).toBuilder()
                .tags(new Tags(Map.of("replicatefrom", "pg3"))).build();
        Member pg3 = member("pg3", 13, "replica", "running", 49_000_000L).toBuilder().pendingRestart(true).build();
        ClusterView v = view("pg1", List.of(pg1, pg2, pg3), Map.of(), SyncState.EMPTY);
        List<MemberRow> rows = MemberRows.rows(v, Map.of(), NOW);

        var table = MemberTable.table("batman", v, rows, false, Format.PRETTY, false);
        // every member on 5432 on its own host: no port; pending restart and tags appear because someone has them
        assertThat(table.columns()).containsExactly("Cluster", "Member", "Host", "Role", "State", "TL", "Receive LSN",
                "Lag", "Replay LSN", "Lag", "Lag in bytes", "Lag in s", "Pending restart", "Tags");
        assertThat(table.rows().get(0).subList(0, 4)).containsExactly("batman", "pg1", "127.0.0.11", "Leader");
        assertThat(table.rows().get(0).subList(6, 12)).containsOnly("");
        // pg3 publishes one position and does not stream: patronictl 4.1 shows it as replayed
        assertThat(table.rows().get(2).subList(6, 13)).containsExactly("unknown", "", "0/2EBAE40", 1L, 1_000_000L, "",
                "*");
        assertThat(MemberTable.table("batman", v, rows, false, Format.TSV, false).columns())
                .containsSequence("Receive LSN", "Receive Lag", "Replay LSN", "Replay Lag", "Lag in bytes", "Lag in s");
        assertThat(table.render(Format.PRETTY, "\t", null)).startsWith("+ Cluster: batman (7312345678901234567) ");

        var topo = MemberTable.table("batman", v, rows, false, Format.PRETTY, true);
        assertThat(topo.rows()).extracting(r -> r.get(1)).containsExactly("pg1", "+ pg3", "  + pg2");

        var extended = MemberTable.table("batman", v, rows, true, Format.JSON, false);
        assertThat(extended.columns()).contains("Pending restart reason", "Scheduled restart");
        assertThat(extended.render(Format.JSON, "\t", null)).contains("\"Tags\": {\"replicatefrom\": \"pg3\"}");
    }

    /**
     * The 4.1 columns of agentctl's json for the keys Patroni 4.1.4 wrote (its member-primary/replica and status
     * samples) hold what patronictl 4.1.4 printed for them (its patronictl-list.json sample).
     */
    @Test
    void receiveAndReplayColumnsAsPatronictl414PrintsThem() throws Exception {
        var garbage = new io.haagent.dcs.codec.GarbageLog();
        Member pg1 = io.haagent.dcs.codec.MemberCodec.decode("pg1", io.haagent.testing.Samples.read("patroni-4.1.4",
                "member-replica.json"), 1, 1, "k", garbage);
        Member pg2 = io.haagent.dcs.codec.MemberCodec.decode("pg2", io.haagent.testing.Samples.read("patroni-4.1.4",
                "member-primary.json"), 1, 1, "k", garbage);
        ClusterStatus status = io.haagent.dcs.codec.StatusCodec.decode(io.haagent.testing.Samples.read(
                "patroni-4.1.4", "status.json"), 1, "k", garbage);
        ClusterView v = new ClusterView("7312345678901234567", ClusterConfig.of(Map.of(), 5), new Leader("pg2", 7, 1),
                status, List.of(pg1, pg2), null, SyncState.EMPTY, new TimelineHistory(List.of(), false, 3), null, 10);
        JsonNode ours = json(MemberTable.table("batman", v, MemberRows.rows(v, Map.of(), NOW), false, Format.JSON,
                false).render(Format.JSON, "\t", null));
        JsonNode theirs = json(io.haagent.testing.Samples.read("patroni-4.1.4", "patronictl-list.json"));
        for (int i = 0; i < 2; i++) {
            for (String c : List.of("Member", "Role", "State", "TL", "Receive LSN", "Receive Lag", "Replay LSN",
                    "Replay Lag")) {
                assertThat(ours.get(i).get(c)).as(c).isEqualTo(theirs.get(i).get(c));
            }
        }
        assertThat(ours.get(1).has("Receive LSN")).as("the leader has none").isFalse();
    }

    @Test
    void footerShowsMaintenanceModeAndTheScheduledSwitchover() {
        ClusterView v = new ClusterView("1", ClusterConfig.of(Map.of("pause", true), 5), new Leader("pg1", 1, 1),
                ClusterStatus.EMPTY, List.of(), io.haagent.cluster.FailoverRequest.of("pg1", "pg2",
                        java.time.OffsetDateTime.parse("2030-01-01T00:00:00+02:00")), SyncState.EMPTY,
                TimelineHistory.ABSENT, null, 1);
        assertThat(MemberTable.serviceInfo(v)).containsExactly("Maintenance mode: on",
                "Switchover scheduled at: 2030-01-01T00:00:00+02:00\n                    from: pg1\n"
                        + "                      to: pg2");
    }

    @Test
    void footerSaysWhenTheConfigKeyIsNotApplied() {
        ClusterView v = new ClusterView("1", ClusterConfig.of(Map.of("ttl", -1, "loop_wait", 5), 7),
                new Leader("pg1", 1, 1), ClusterStatus.EMPTY, List.of(), null, SyncState.EMPTY, TimelineHistory.ABSENT,
                null, 1);
        assertThat(MemberTable.serviceInfo(v)).containsExactly("Configuration not applied: the config key (revision 7)"
                + " is not valid, so the nodes keep their last good configuration: ttl: must be an integer from 20 to"
                + " 86400 (seconds), not -1 (fix it with edit-config)");
    }
}
