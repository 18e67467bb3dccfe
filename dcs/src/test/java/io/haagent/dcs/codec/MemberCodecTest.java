package io.haagent.dcs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.cluster.Tags;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The member JSON byte for byte as Patroni's {@code Ha.touch_member} builds it (field order of 3.3) and Python's
 * {@code json.dumps(data, separators=(',', ':'))} writes it. The expected strings were produced by Python 3.11.
 */
class MemberCodecTest {
    private final GarbageLog garbage = new GarbageLog();

    @Test
    void everyFieldInTouchMemberOrder() {
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("nofailover", false);
        tags.put("failover_priority", 2);
        tags.put("clonefrom", true);
        tags.put("zone", "éu-west");
        tags.put("weight", 1.5);
        tags.put("big", 1e16);
        Map<String, Map<String, String>> reason = new LinkedHashMap<>();
        reason.put("max_connections", Map.of("new_value", "101", "old_value", "100"));
        Map<String, Object> restart = new LinkedHashMap<>();
        restart.put("schedule", "2026-01-01T10:00:00+00:00");
        restart.put("postmaster_start_time", "2025-12-31 09:00:00.123456+00:00");
        restart.put("role", "master");
        // set in a different order than written, to show the order is the codec's
        Member m = Member.builder("pg1")
                .pause(true).timeline(3).xlogLocation(50331744L).replicationState("streaming")
                .scheduledRestart(restart).pendingRestartReason(reason).pendingRestart(true)
                .tags(new Tags(tags)).checkpointAfterPromote(false)
                .proxyUrl("postgres://10.0.0.9:6432/postgres")
                .version("3.3.1").role("master").state("running")
                .apiUrl("http://10.0.0.1:8008/patroni").connUrl("postgres://10.0.0.1:5432/postgres")
                .modRevision(99).lease(12345)
                .build();

        assertThat(MemberCodec.encode(m)).isEqualTo("{\"conn_url\":\"postgres://10.0.0.1:5432/postgres\","
                + "\"api_url\":\"http://10.0.0.1:8008/patroni\",\"state\":\"running\",\"role\":\"master\","
                + "\"version\":\"3.3.1\",\"proxy_url\":\"postgres://10.0.0.9:6432/postgres\","
                + "\"checkpoint_after_promote\":false,\"tags\":{\"nofailover\":false,\"failover_priority\":2,"
                + "\"clonefrom\":true,\"zone\":\"\\u00e9u-west\",\"weight\":1.5,\"big\":1e+16},"
                + "\"pending_restart\":true,\"pending_restart_reason\":{\"max_connections\":{\"old_value\":\"100\","
                + "\"new_value\":\"101\"}},\"xlog_location\":50331744,\"replication_state\":\"streaming\","
                + "\"timeline\":3,\"scheduled_restart\":{\"schedule\":\"2026-01-01T10:00:00+00:00\","
                + "\"postmaster_start_time\":\"2025-12-31 09:00:00.123456+00:00\",\"role\":\"master\"},"
                + "\"pause\":true}");
    }

    @Test
    void onlyTheAlwaysPresentFieldsWhenNothingElseIsSet() {
        Member m = Member.builder("pg2").connUrl("postgres://127.0.0.11:5432/postgres")
                .apiUrl("http://127.0.0.11:8008/patroni").state("running").role(Role.REPLICA).version("3.3.1")
                .xlogLocation(0L).timeline(1).checkpointAfterPromote(true).build();
        assertThat(MemberCodec.encode(m)).isEqualTo("{\"conn_url\":\"postgres://127.0.0.11:5432/postgres\","
                + "\"api_url\":\"http://127.0.0.11:8008/patroni\",\"state\":\"running\",\"role\":\"replica\","
                + "\"version\":\"3.3.1\",\"xlog_location\":0,\"timeline\":1}");
    }

    @Test
    void nonAsciiAndControlCharactersAreEscapedAsPythonDoes() {
        Member m = Member.builder("pg3").connUrl("postgres://[::1]:5432/postgres").apiUrl("http://h:8008/patroni")
                .state("stopped").role(Role.UNINITIALIZED).version("3.3.1")
                .tags(new Tags(Map.of("note", "Zürich \u2013 \uD83D\uDE00 \"q\" \\ \n\t\u007f/"))).build();
        assertThat(MemberCodec.encode(m)).isEqualTo("{\"conn_url\":\"postgres://[::1]:5432/postgres\","
                + "\"api_url\":\"http://h:8008/patroni\",\"state\":\"stopped\",\"role\":\"uninitialized\","
                + "\"version\":\"3.3.1\",\"tags\":{\"note\":\"Z\\u00fcrich \\u2013 \\ud83d\\ude00 \\\"q\\\" \\\\ "
                + "\\n\\t\\u007f/\"}}");
    }

    @Test
    void decodesWhatItEncodes() {
        Member m = Member.builder("pg1").connUrl("postgres://10.0.0.1:5432/postgres")
                .apiUrl("http://10.0.0.1:8008/patroni").state("running").role(Role.PRIMARY).version("3.3.1")
                .checkpointAfterPromote(false).tags(new Tags(Map.of("nofailover", true))).pendingRestart(true)
                .xlogLocation(123L).replicationState("streaming").timeline(7).pause(true).build();
        Member back = MemberCodec.decode("pg1", MemberCodec.encode(m), 5, 77, "/service/c/members/pg1", garbage);
        assertThat(back).isEqualTo(m.toBuilder().modRevision(5).lease(77).build());
        assertThat(back.roleEnum()).isEqualTo(Role.PRIMARY);
    }

    @Test
    void rolePrimaryWrittenByPatroni4IsAccepted() {
        Member m = MemberCodec.decode("pg1", "{\"conn_url\":\"postgres://h:5432/postgres\",\"role\":\"primary\"}", 1,
                0, "k", garbage);
        assertThat(m.role()).isEqualTo("primary");
        assertThat(m.roleEnum()).isEqualTo(Role.PRIMARY);
    }

    @Test
    void legacyGovernorUrlGivesConnUrlAndApiUrlWithoutThePassword() {
        Member m = MemberCodec.decode("pg1",
                "postgres://repl:secret@10.0.0.1:5432/postgres?application_name=http://10.0.0.1:8008/patroni", 3, 9,
                "k", garbage);
        assertThat(m.connUrl()).isEqualTo("postgres://repl@10.0.0.1:5432/postgres");
        assertThat(m.apiUrl()).isEqualTo("http://10.0.0.1:8008/patroni");
        assertThat(m.host()).isEqualTo("10.0.0.1");
        assertThat(m.port()).isEqualTo(5432);
        assertThat(m.toString()).doesNotContain("secret");
    }

    @Test
    void lenientFieldTypes() {
        Member m = MemberCodec.decode("pg1", "{\"xlog_location\":\"42\",\"timeline\":\"3\",\"tags\":[1],"
                + "\"pending_restart\":1,\"state\":7}", 1, 0, "k", garbage);
        assertThat(m.xlogLocation()).isEqualTo(42L);
        assertThat(m.timeline()).isEqualTo(3);
        assertThat(m.tags()).isEqualTo(Tags.NONE);
        assertThat(m.pendingRestart()).isTrue();
        assertThat(m.state()).isEqualTo("7");
    }

    @Test
    void garbageIsAMemberWithoutDataReportedOncePerRevision() {
        GarbageLog log = new GarbageLog();
        Member m = MemberCodec.decode("pg1", "{not json", 8, 4, "/service/c/members/pg1", log);
        assertThat(m.name()).isEqualTo("pg1");
        assertThat(m.connUrl()).isNull();
        assertThat(m.lease()).isEqualTo(4);
        assertThat(log.report("/service/c/members/pg1", 8, "{not json", "again")).isFalse();
        assertThat(log.report("/service/c/members/pg1", 9, "{not json", "new revision")).isTrue();
        assertThat(MemberCodec.decode("pg1", "[1,2]", 10, 4, "/service/c/members/pg1", log).apiUrl()).isNull();
        assertThat(m.isReadable()).isFalse();
        // issue 18: 1.3 MB of non-JSON under a member key; it must not pass for member data (no slot follows)
        Member junk = MemberCodec.decode("x", "\u0000garbage\n".repeat(130_000), 11, 4, "/service/c/members/x", log);
        assertThat(junk.isReadable()).isFalse();
        assertThat(MemberCodec.decode("pg2", "{\"conn_url\":\"postgres://10.0.0.2:5432/postgres\"}", 1, 4, "k", log)
                .isReadable()).isTrue();
    }
}
