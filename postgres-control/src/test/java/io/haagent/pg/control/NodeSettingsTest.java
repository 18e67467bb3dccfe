package io.haagent.pg.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.config.DynamicConfig;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.Recovery;
import io.haagent.pg.Upstream;
import io.haagent.testing.PostgresConfigBuilder;
import io.haagent.testing.PostgresTestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {
    private static final PostgresTestNode NODE = new PostgresTestNode("pg1", "10.0.0.1", 5432, Path.of("/n"),
            Path.of("/n/data"), Path.of("/n/sock"), Path.of("/n/pgpass"), Path.of("/usr/lib/postgresql/15/bin"));

    private static NodeSettings settings(PostgresConfigBuilder b) {
        return new NodeSettings(new PostgresNode("pg1", "batman", b.build(), null), 15, Path.of("/n/pgpass"));
    }

    @Test
    void aPrimaryHasNoRecoveryBlockAndAReadOnlyNodeNoUpstream() {
        NodeSettings s = settings(NODE.config());
        assertThat(s.recoveryParameters(Recovery.primary(), DynamicConfig.DEFAULTS)).isNull();
        Map<String, String> ro = s.recoveryParameters(Recovery.readOnly(), DynamicConfig.DEFAULTS);
        assertThat(ro).containsEntry("recovery_target_timeline", "latest").containsEntry("recovery_target", "")
                .doesNotContainKeys("primary_conninfo", "primary_slot_name");
    }

    @Test
    void aFollowerGetsConninfoWithPassfileAndItsSlot() {
        Map<String, String> f = settings(NODE.config()).recoveryParameters(
                Recovery.follow(new Upstream("pg2", "10.0.0.2", 5433), "pg1"), DynamicConfig.DEFAULTS);
        assertThat(f.get("primary_conninfo")).isEqualTo("dbname=postgres user=replicator passfile=/n/pgpass"
                + " host=10.0.0.2 port=5433 sslmode=prefer application_name=pg1 gssencmode=prefer"
                + " channel_binding=prefer");
        assertThat(f).containsEntry("primary_slot_name", "pg1");
    }

    @Test
    void rewindUsesTheRewindUserAndFallsBackToTheSuperuser() {
        Upstream up = Upstream.of("10.0.0.2", 5432);
        assertThat(settings(NODE.config()).rewindDsn(up)).contains("user=rewinder").doesNotContain("application_name");
        assertThat(settings(NODE.config().rewind(null)).rewindDsn(up)).contains("user=postgres");
    }

    @Test
    void toolsUseTheSocketDirectoryOnlyWithUseUnixSocket() {
        NodeSettings tcp = settings(NODE.config());
        NodeSettings sock = settings(NODE.config().useUnixSocket(true));
        EffectiveParameters p = tcp.effective(DynamicConfig.DEFAULTS, null, w -> { });
        assertThat(tcp.toolHost(p)).isEqualTo("10.0.0.1");
        assertThat(sock.toolHost(sock.effective(DynamicConfig.DEFAULTS, null, w -> { }))).isEqualTo("/n/sock");
        assertThat(tcp.connectHost()).as("JDBC is TCP only").isEqualTo("10.0.0.1");
    }

    @Test
    void localAndDynamicSwitchesCombine() {
        DynamicConfig dyn = DynamicConfig.from(Map.of("postgresql", Map.of("use_pg_rewind", true,
                "remove_data_directory_on_rewind_failure", true, "pg_ctl_timeout", 90)));
        NodeSettings off = settings(NODE.config().usePgRewind(false).pgCtlTimeout(0));
        assertThat(off.usePgRewind(DynamicConfig.DEFAULTS)).isFalse();
        assertThat(off.usePgRewind(dyn)).isTrue();
        assertThat(off.removeDataDirectoryOnRewindFailure(dyn)).isTrue();
        assertThat(off.removeDataDirectoryOnDivergedTimelines(dyn)).isFalse();
        assertThat(off.pgCtlTimeout(dyn)).isEqualTo(Duration.ofSeconds(90));
        assertThat(off.pgCtlTimeout(DynamicConfig.DEFAULTS)).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings(NODE.config().pgCtlTimeout(30)).pgCtlTimeout(dyn)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void synchronousStandbyNamesOverridesWhatTheParametersSay() {
        NodeSettings s = settings(NODE.config().parameter("synchronous_standby_names", "old"));
        assertThat(s.effective(DynamicConfig.DEFAULTS, null, w -> { }).get("synchronous_standby_names"))
                .isEqualTo("old");
        assertThat(s.effective(DynamicConfig.DEFAULTS, "2 (pg2,pg3)", w -> { }).get("synchronous_standby_names"))
                .isEqualTo("2 (pg2,pg3)");
    }
}
