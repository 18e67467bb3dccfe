package io.haagent.dcs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.TimelineHistory;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * status, failover, sync, history, failsafe and config: the encodings are Python's
 * {@code json.dumps(..., separators=(',', ':'))} of the values Patroni builds (strings produced by Python 3.11
 * and Patroni 3.0.2's {@code AbstractDCS.sync_state}); the decodings are as lenient as Patroni's
 * {@code from_node} factories.
 */
class KeyCodecsTest {
    private final GarbageLog garbage = new GarbageLog();

    // ---- status

    @Test
    void statusWithSlotsAndWithout() {
        Map<String, Long> slots = new LinkedHashMap<>();
        slots.put("b_slot", 200L);
        slots.put("a_slot", 100L);
        assertThat(StatusCodec.encode(ClusterStatus.of(67108864, slots)))
                .isEqualTo("{\"optime\":67108864,\"slots\":{\"a_slot\":100,\"b_slot\":200}}");
        assertThat(StatusCodec.encode(ClusterStatus.of(67108864, Map.of()))).isEqualTo("{\"optime\":67108864}");
    }

    @Test
    void statusAsABareIntegerIsTheLegacyForm() {
        assertThat(StatusCodec.decode("12345", 3, "k", garbage)).isEqualTo(new ClusterStatus(12345, Map.of(), 3));
        assertThat(StatusCodec.encodeLegacyOptime(12345)).isEqualTo("12345");
    }

    @Test
    void statusSlotsGivenAsAJsonString() {
        ClusterStatus s = StatusCodec.decode("{\"optime\":5,\"slots\":\"{\\\"s\\\":7}\"}", 4, "k", garbage);
        assertThat(s.optime()).isEqualTo(5);
        assertThat(s.slots()).isEqualTo(Map.of("s", 7L));
    }

    @Test
    void retainSlotsAsAListOrAJsonStringAndAnythingElseEmpty() {
        assertThat(StatusCodec.decode("{\"optime\":5,\"retain_slots\":[\"b\",\"a\",3]}", 1, "k", garbage)
                .retainSlots()).containsExactly("b", "a");
        assertThat(StatusCodec.decode("{\"optime\":5,\"retain_slots\":\"[\\\"a\\\"]\"}", 1, "k", garbage)
                .retainSlots()).containsExactly("a");
        assertThat(StatusCodec.decode("{\"optime\":5,\"retain_slots\":{\"a\":1}}", 1, "k", garbage)
                .retainSlots()).isEmpty();
        assertThat(StatusCodec.encode(ClusterStatus.of(9, Map.of(), List.of("b", "a"))))
                .isEqualTo("{\"optime\":9,\"retain_slots\":[\"a\",\"b\"]}");
    }

    @Test
    void statusLeniency() {
        assertThat(StatusCodec.decode("{\"optime\":\"nope\",\"slots\":\"{bad\"}", 1, "k", garbage))
                .isEqualTo(new ClusterStatus(0, Map.of(), 1));
        assertThat(StatusCodec.decode("{\"optime\":\"77\",\"slots\":{\"s\":\"x\",\"t\":8}}", 1, "k", garbage))
                .isEqualTo(new ClusterStatus(77, Map.of("t", 8L), 1));
        GarbageLog log = new GarbageLog();
        assertThat(StatusCodec.decode("[1]", 6, "/service/c/status", log)).isEqualTo(new ClusterStatus(0, Map.of(), 6));
        assertThat(log.report("/service/c/status", 6, "[1]", "again")).isFalse();
        assertThat(StatusCodec.decode("garbage", 7, "k", garbage).optime()).isZero();
    }

    // ---- failover

    @Test
    void failoverAsManualFailoverWritesIt() {
        OffsetDateTime at = OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 0, ZoneOffset.UTC);
        assertThat(FailoverCodec.encode(FailoverRequest.of("pg1", "pg2", at)))
                .isEqualTo("{\"leader\":\"pg1\",\"member\":\"pg2\",\"scheduled_at\":\"2026-05-01T10:00:00+00:00\"}");
        OffsetDateTime odd = OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 123456000, ZoneOffset.ofHoursMinutes(-5, -30));
        assertThat(FailoverCodec.encode(FailoverRequest.of(null, "pg2", odd)))
                .isEqualTo("{\"member\":\"pg2\",\"scheduled_at\":\"2026-05-01T10:00:00.123456-05:30\"}");
        assertThat(FailoverCodec.encode(null)).isEqualTo("{}");
        assertThat(FailoverCodec.encode(FailoverRequest.of("", " ", null))).isEqualTo("{}");
    }

    @Test
    void failoverReadBack() {
        FailoverRequest r = FailoverCodec.decode(
                "{\"leader\":\"pg1\",\"member\":\"pg2\",\"scheduled_at\":\"2026-05-01T10:00:00.123456-05:30\"}", 9, "k",
                garbage);
        assertThat(r).isEqualTo(new FailoverRequest("pg1", "pg2",
                OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 123456000, ZoneOffset.ofHoursMinutes(-5, -30)), 9));
        assertThat(FailoverCodec.decode("{\"member\":\"pg2\",\"scheduled_at\":\"2026-05-01 10:00:00+0200\"}", 1, "k",
                garbage).scheduledAt()).isEqualTo(OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 0, ZoneOffset.ofHours(2)));
    }

    @Test
    void failoverLegacyPlainString() {
        assertThat(FailoverCodec.decode("pg1:pg2", 2, "k", garbage)).isEqualTo(new FailoverRequest("pg1", "pg2", null, 2));
        assertThat(FailoverCodec.decode("pg1", 2, "k", garbage)).isEqualTo(new FailoverRequest("pg1", null, null, 2));
        assertThat(FailoverCodec.decode(":pg2", 2, "k", garbage)).isEqualTo(new FailoverRequest(null, "pg2", null, 2));
    }

    @Test
    void failoverEmptyOrUnusable() {
        assertThat(FailoverCodec.decode("{}", 1, "k", garbage)).isNull();
        assertThat(FailoverCodec.decode("", 1, "k", garbage)).isNull();
        assertThat(FailoverCodec.decode("[\"pg1\"]", 1, "k", garbage)).isNull();
        assertThat(FailoverCodec.decode("{\"leader\":\"pg1\"", 1, "k", garbage)).as("broken JSON").isNull();
        // a time Patroni cannot compare (no zone) or not a time at all: not acted on now
        assertThat(FailoverCodec.decode("{\"member\":\"pg2\",\"scheduled_at\":\"2026-05-01T10:00:00\"}", 1, "k",
                garbage)).isNull();
        assertThat(FailoverCodec.decode("{\"member\":\"pg2\",\"scheduled_at\":\"soon\"}", 1, "k", garbage)).isNull();
    }

    // ---- sync

    @Test
    void syncAsSyncStateBuildsIt() {
        assertThat(SyncCodec.encode(new SyncState("pg1", List.of("pg3", "pg2"), 0)))
                .isEqualTo("{\"leader\":\"pg1\",\"sync_standby\":\"pg2,pg3\"}");
        assertThat(SyncCodec.encode(new SyncState("pg1", List.of(), 0)))
                .isEqualTo("{\"leader\":\"pg1\",\"sync_standby\":null}");
    }

    @Test
    void syncReadBackAndLeniency() {
        assertThat(SyncCodec.decode("{\"leader\":\"pg1\",\"sync_standby\":\"pg3, pg2,\"}", 4, "k", garbage))
                .isEqualTo(new SyncState("pg1", List.of("pg2", "pg3"), 4));
        assertThat(SyncCodec.decode("{\"leader\":\"pg1\",\"sync_standby\":[\"pg2\"]}", 4, "k", garbage).syncStandbys())
                .containsExactly("pg2");
        SyncState garbageState = SyncCodec.decode("{", 5, "k", garbage);
        assertThat(garbageState.isEmpty()).isTrue();
        assertThat(garbageState.modRevision()).isEqualTo(5);
        assertThat(SyncCodec.decode("[]", 6, "k", garbage).isEmpty()).isTrue();
    }

    // ---- history

    @Test
    void historyLinesWithAndWithoutTimestampAndLeader() {
        TimelineHistory h = new TimelineHistory(List.of(
                new TimelineHistory.Line(1, 50331808, "no recovery target specified",
                        "2026-01-01T10:00:00.123456+00:00", "pg2"),
                new TimelineHistory.Line(2, 83886240, "no recovery target specified", null, null)), false, 0);
        String json = "[[1,50331808,\"no recovery target specified\",\"2026-01-01T10:00:00.123456+00:00\",\"pg2\"],"
                + "[2,83886240,\"no recovery target specified\"]]";
        assertThat(HistoryCodec.encode(h)).isEqualTo(json);
        assertThat(HistoryCodec.decode(json, 3, "k", garbage)).isEqualTo(new TimelineHistory(h.lines(), false, 3));
        assertThat(HistoryCodec.decode(json, 3, "k", garbage).clusterTimeline()).isEqualTo(3);
    }

    @Test
    void historyEmptyMeansTimelineOneAndGarbageMeansUnknown() {
        assertThat(HistoryCodec.encode(new TimelineHistory(List.of(), false, 0))).isEqualTo("[]");
        assertThat(HistoryCodec.decode("[]", 1, "k", garbage).clusterTimeline()).isEqualTo(1);
        assertThat(HistoryCodec.decode("{}", 1, "k", garbage).clusterTimeline()).isZero();
        assertThat(HistoryCodec.decode("[[\"a\"]]", 1, "k", garbage).clusterTimeline()).isZero();
        // lines as strings, as Patroni also reads them
        assertThat(HistoryCodec.decode("[[\"3\",\"2\",\"1\"]]", 1, "k", garbage).clusterTimeline()).isEqualTo(4);
    }

    // ---- failsafe and config

    @Test
    void failsafeInTheGivenOrder() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("pg2", "http://127.0.0.12:8008/patroni");
        f.put("pg1", "http://127.0.0.11:8008/patroni");
        String json = "{\"pg2\":\"http://127.0.0.12:8008/patroni\",\"pg1\":\"http://127.0.0.11:8008/patroni\"}";
        assertThat(FailsafeCodec.encode(f)).isEqualTo(json);
        assertThat(FailsafeCodec.decode(json, 1, "k", garbage)).containsExactly(
                Map.entry("pg2", "http://127.0.0.12:8008/patroni"), Map.entry("pg1", "http://127.0.0.11:8008/patroni"));
        assertThat(FailsafeCodec.decode("nope", 1, "k", garbage)).isNull();
    }

    @Test
    void configRoundTripAndGarbage() {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("ttl", 30);
        cfg.put("loop_wait", 10);
        cfg.put("postgresql", Map.of("use_pg_rewind", true));
        String json = ConfigCodec.encode(cfg);
        assertThat(json).isEqualTo("{\"ttl\":30,\"loop_wait\":10,\"postgresql\":{\"use_pg_rewind\":true}}");
        ClusterConfig back = ConfigCodec.decode(json, 12, "k", garbage);
        assertThat(back.data()).isEqualTo(cfg);
        assertThat(back.modRevision()).isEqualTo(12);
        assertThat(back.dynamic().ttl()).isEqualTo(30);
        ClusterConfig bad = ConfigCodec.decode("{\"ttl\":", 13, "k", garbage);
        assertThat(bad.isEmpty()).isTrue();
        assertThat(bad.modRevision()).isEqualTo(13);
        assertThat(ConfigCodec.decode("", 14, "k", garbage).isEmpty()).isTrue();
    }
}
