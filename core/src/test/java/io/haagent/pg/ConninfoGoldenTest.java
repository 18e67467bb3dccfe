package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What PostgreSQL 15 shows back of a primary_conninfo the agent wrote (golden files). */
class ConninfoGoldenTest {

    @Test
    void theWalReceiverShowsTheExpandedConnectionWithoutPassword() {
        Map<String, String> c = Conninfo.parse(GoldenFiles.read("wal_receiver_conninfo.txt").strip());
        assertThat(c).containsEntry("user", "replicator").containsEntry("application_name", "pg-2")
                .containsEntry("host", "127.0.95.11").containsEntry("port", "39925")
                .containsEntry("sslmode", "prefer").containsEntry("gssencmode", "prefer")
                .containsEntry("channel_binding", "prefer").containsKey("passfile").doesNotContainKey("password");
        assertThat(c.get("passfile")).endsWith("/pg-2/pgpass");
    }

    @Test
    void theSettingIsExactlyWhatTheBuilderRenders() {
        String shown = GoldenFiles.read("primary_conninfo_setting.txt").strip();
        Map<String, String> parsed = Conninfo.parse(shown);
        assertThat(Conninfo.build(new LinkedHashMap<>(parsed))).isEqualTo(shown);
        assertThat(parsed.keySet()).containsExactly("dbname", "user", "passfile", "host", "port", "sslmode",
                "application_name", "gssencmode", "channel_binding");
    }

    @Test
    void timelineHistoryFromTheReplicationProtocol() {
        assertThat(PgTimelineHistory.parse(GoldenFiles.read("timeline_history_2.txt"))).containsExactly(
                new PgTimelineHistory.Entry(1, io.haagent.cluster.Lsn.parse("0/3000150"),
                        "no recovery target specified"));
    }
}
