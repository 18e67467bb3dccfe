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

class PostgresSettingsTest {
    private static final PostgresTestNode NODE = new PostgresTestNode("pg1", "10.0.0.1", 5432, Path.of("/n"),
            Path.of("/n/data"), Path.of("/n/sock"), Path.of("/n/pgpass"), Path.of("/usr/lib/postgresql/15/bin"));

    private static PostgresSettings settings(PostgresConfigBuilder b) {
        return new PostgresSettings(new PostgresNode("pg1", "batman", b.build(), null), 15, Path.of("/n/pgpass"));
    }

    @Test
    void aPrimaryHasNoRecoveryBlockAndAReadOnlyNodeNoUpstream() {
        PostgresSettings s = settings(NODE.config());
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

    /** Patroni's build_recovery_params for a standby cluster (§4.3, §7.3). */
    @Test
    void inAStandbyClusterFollowersFetchFromTheRemoteArchiveAndOnlyTheStandbyLeaderDelays() {
        DynamicConfig standby = DynamicConfig.from(Map.of("standby_cluster", Map.of("host", "10.1.0.1,10.1.0.2",
                "port", 5432, "primary_slot_name", "dr", "restore_command", "cp /arch/%f %p",
                "archive_cleanup_command", "pg_archivecleanup /arch %r", "recovery_min_apply_delay", "5min")));
        PostgresSettings s = settings(NODE.config().recoveryConf("restore_command", "local-restore %f %p")
                .recoveryConf("recovery_min_apply_delay", "1s"));

        Map<String, String> leader = s.recoveryParameters(
                Recovery.followRemote(new Upstream(null, "10.1.0.1,10.1.0.2", 5432), "dr"), standby);
        assertThat(leader).containsEntry("restore_command", "cp /arch/%f %p")
                .containsEntry("archive_cleanup_command", "pg_archivecleanup /arch %r")
                .containsEntry("recovery_min_apply_delay", "5min").containsEntry("primary_slot_name", "dr");
        assertThat(leader.get("primary_conninfo")).as("several hosts and a slot: the primary only")
                .contains("host=10.1.0.1,10.1.0.2").endsWith(" target_session_attrs=read-write");

        Map<String, String> replica = s.recoveryParameters(
                Recovery.follow(new Upstream("pg2", "10.0.0.2", 5432), "pg1"), standby);
        assertThat(replica).containsEntry("restore_command", "cp /arch/%f %p")
                .containsEntry("archive_cleanup_command", "pg_archivecleanup /arch %r")
                .as("recovery_conf's own delay, not the standby leader's").containsEntry("recovery_min_apply_delay", "1s");
        assertThat(replica.get("primary_conninfo")).doesNotContain("target_session_attrs");

        Map<String, String> archiveOnly = s.recoveryParameters(Recovery.archiveOfRemote(), standby);
        assertThat(archiveOnly).containsEntry("restore_command", "cp /arch/%f %p")
                .doesNotContainKeys("primary_conninfo", "primary_slot_name");
        assertThat(s.recoveryParameters(Recovery.readOnly(), standby))
                .as("no upstream at all: recovery_conf only").containsEntry("restore_command", "local-restore %f %p");

        assertThat(s.recoveryParameters(Recovery.follow(new Upstream("pg2", "10.0.0.2", 5432), "pg1"),
                DynamicConfig.DEFAULTS)).as("no standby cluster: recovery_conf only")
                .containsEntry("restore_command", "local-restore %f %p").doesNotContainKey("archive_cleanup_command");
    }

    @Test
    void rewindUsesTheRewindUserAndFallsBackToTheSuperuser() {
        Upstream up = Upstream.of("10.0.0.2", 5432);
        assertThat(settings(NODE.config()).rewindDsn(up)).contains("user=rewinder").doesNotContain("application_name");
        assertThat(settings(NODE.config().rewind(null)).rewindDsn(up)).contains("user=postgres");
    }

    @Test
    void toolsUseTheSocketDirectoryOnlyWithUseUnixSocket() {
        PostgresSettings tcp = settings(NODE.config());
        PostgresSettings sock = settings(NODE.config().useUnixSocket(true));
        EffectiveParameters p = tcp.effective(DynamicConfig.DEFAULTS, null, w -> { });
        assertThat(tcp.toolHost(p)).isEqualTo("10.0.0.1");
        assertThat(sock.toolHost(sock.effective(DynamicConfig.DEFAULTS, null, w -> { }))).isEqualTo("/n/sock");
        assertThat(tcp.connectHost()).as("JDBC is TCP only").isEqualTo("10.0.0.1");
    }

    @Test
    void localAndDynamicSwitchesCombine() {
        DynamicConfig dyn = DynamicConfig.from(Map.of("postgresql", Map.of("use_pg_rewind", true,
                "remove_data_directory_on_rewind_failure", true, "pg_ctl_timeout", 90)));
        PostgresSettings off = settings(NODE.config().usePgRewind(false).pgCtlTimeout(0));
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
        PostgresSettings s = settings(NODE.config().parameter("synchronous_standby_names", "old"));
        assertThat(s.effective(DynamicConfig.DEFAULTS, null, w -> { }).get("synchronous_standby_names"))
                .isEqualTo("old");
        assertThat(s.effective(DynamicConfig.DEFAULTS, "2 (pg2,pg3)", w -> { }).get("synchronous_standby_names"))
                .isEqualTo("2 (pg2,pg3)");
    }
}
