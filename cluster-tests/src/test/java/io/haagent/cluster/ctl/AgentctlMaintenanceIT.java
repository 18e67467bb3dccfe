package io.haagent.cluster.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that change a running cluster without moving its leader, through the real launcher: edit-config in
 * all its forms (diff, validation, CAS conflict), pause/resume, restart (now, pending, scheduled, flushed), reload,
 * reinit, and remove.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentctlMaintenanceIT {
    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster(ClusterSpec.of(3).firstOctet(47));

    @TempDir
    Path tmp;

    static TestCluster cluster() {
        return CLUSTER.get();
    }

    static Agentctl ctl() {
        return new Agentctl(cluster().node(1).config());
    }

    static Map<String, Object> config() {
        return cluster().view().config().data();
    }

    static long configRevision() {
        return cluster().view().config().modRevision();
    }

    @Test
    @Order(1)
    void editConfigSetsValuesShowsTheDiffAndWritesIt() {
        Agentctl.Result r = ctl().run("edit-config", "-s", "loop_wait=4", "-p", "work_mem=8MB", "--force");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("--- \n+++ \n@@ -1,9 +1,10 @@\n-loop_wait: 3\n+loop_wait: 4\n"
                + " maximum_lag_on_failover: 1048576\n postgresql:\n   parameters:\n     max_connections: 50\n"
                + "     wal_log_hints: 'on'\n+    work_mem: 8MB\n   use_pg_rewind: true\n   use_slots: true\n"
                + " retry_timeout: 5\nConfiguration changed\n");
        assertThat(config()).containsEntry("loop_wait", 4);
        assertThat(((Map<?, ?>) ((Map<?, ?>) config().get("postgresql")).get("parameters")).get("work_mem"))
                .isEqualTo("8MB");
        Agentctl.Result same = ctl().run("edit-config", "-s", "loop_wait=4", "--force");
        assertThat(same.out()).isEqualTo("Not changed\n");
    }

    @Test
    @Order(2)
    void applyAndReplaceFromFilesAndStdin() throws Exception {
        Path patch = tmp.resolve("patch.yaml");
        Files.writeString(patch, "postgresql:\n  parameters:\n    work_mem: null\nmaximum_lag_on_failover: 2097152\n");
        Agentctl.Result file = ctl().run("edit-config", "--apply", patch.toString(), "--force", "-q");
        assertThat(file.exit()).as(file.toString()).isZero();
        assertThat(file.out()).isEqualTo("Configuration changed\n");
        assertThat(config()).containsEntry("maximum_lag_on_failover", 2097152);
        assertThat(((Map<?, ?>) ((Map<?, ?>) config().get("postgresql")).get("parameters")).containsKey("work_mem"))
                .isFalse();

        long rev = configRevision();
        Agentctl.Result noForce = ctl().withInput("check_timeline: true\n", "edit-config", "--apply", "-");
        assertThat(noForce.exit()).as(noForce.toString()).isEqualTo(2);
        assertThat(noForce.err()).startsWith("Error: changes read from stdin are written only with --force");
        assertThat(configRevision()).isEqualTo(rev);
        Agentctl.Result stdin = ctl().withInput("check_timeline: true\n", "edit-config", "--apply", "-", "--force");
        assertThat(stdin.exit()).as(stdin.toString()).isZero();
        assertThat(stdin.out()).contains("+check_timeline: true\n").endsWith("Configuration changed\n");

        String whole = ctl().run("show-config").out().replace("check_timeline: true\n", "")
                .replace("maximum_lag_on_failover: 2097152", "maximum_lag_on_failover: 1048576");
        Path replacement = tmp.resolve("whole.yaml");
        Files.writeString(replacement, whole);
        Agentctl.Result replace = ctl().run("edit-config", "--replace", replacement.toString(), "--force");
        assertThat(replace.exit()).as(replace.toString()).isZero();
        assertThat(config()).doesNotContainKey("check_timeline").containsEntry("maximum_lag_on_failover", 1048576);
    }

    @Test
    @Order(3)
    void anEditThatMakesTheConfigurationInvalidIsRefusedWithItsKeyPath() throws Exception {
        long rev = configRevision();
        Agentctl.Result gucs = ctl().run("edit-config", "-p", "max_connections=lots", "--force");
        assertThat(gucs.exit()).as(gucs.toString()).isEqualTo(1);
        assertThat(gucs.out()).isEmpty();
        assertThat(gucs.err()).isEqualTo("Error: the edited configuration is not valid:"
                + " postgresql.parameters.max_connections: must be an integer from 25 to 262143, not 'lots';"
                + " nothing was written\n");
        Agentctl.Result ttl = ctl().run("edit-config", "-s", "ttl=0", "--force");
        assertThat(ttl.exit()).isEqualTo(1);
        assertThat(ttl.err()).startsWith("Error: the edited configuration is not valid: ttl: must be an integer from 20"
                + " to 86400 (seconds), not 0");
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "synchronous_mode: [1\n");
        Agentctl.Result yaml = ctl().run("edit-config", "--apply", bad.toString(), "--force");
        assertThat(yaml.exit()).isEqualTo(1);
        assertThat(yaml.err()).startsWith("Error: " + bad + ":2:").endsWith("; nothing was written\n");
        assertThat(configRevision()).isEqualTo(rev);
    }

    @Test
    @Order(4)
    void aConcurrentChangeAbortsTheEditAndWritesNothing() throws Exception {
        // The "editor" changes the configuration through another agentctl while the edit is open, then edits.
        Path editor = tmp.resolve("editor.sh");
        Files.writeString(editor, "#!/bin/sh\nset -e\n" + Dist.launcher("agentctl") + " -c "
                + cluster().node(2).config() + " edit-config -s maximum_lag_on_failover=3145728 --force -q\n"
                + "sed -i 's/^loop_wait: 4$/loop_wait: 5/' \"$1\"\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));
        Agentctl.Result r = ctl().env("EDITOR", editor.toString()).run("edit-config", "--force");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error: Config modification aborted due to concurrent changes:")
                .contains("nothing was written");
        assertThat(config()).containsEntry("loop_wait", 4).containsEntry("maximum_lag_on_failover", 3145728);

        Path plain = tmp.resolve("plain.sh");
        Files.writeString(plain, "#!/bin/sh\nsed -i 's/^loop_wait: 4$/loop_wait: 3/' \"$1\"\n");
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rwx------"));
        Agentctl.Result ok = ctl().env("EDITOR", plain.toString()).run("edit-config", "--force");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("-loop_wait: 4\n+loop_wait: 3\n").endsWith("Configuration changed\n");

        Path failing = tmp.resolve("failing.sh");
        Files.writeString(failing, "#!/bin/sh\nexit 3\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwx------"));
        long rev = configRevision();
        Agentctl.Result quit = ctl().env("EDITOR", failing.toString()).run("edit-config", "--force");
        assertThat(quit.exit()).isEqualTo(1);
        assertThat(quit.err()).isEqualTo("Error: the editor (" + failing + ") exited with status 3; nothing was"
                + " written\n");
        assertThat(configRevision()).isEqualTo(rev);
    }

    @Test
    @Order(5)
    void pauseAndResumeWaitUntilEveryMemberShowsIt() {
        Agentctl.Result pause = ctl().run("pause", "--wait");
        assertThat(pause.exit()).as(pause.toString()).isZero();
        assertThat(pause.out()).isEqualTo("'pause' request sent, waiting until it is recognized by all nodes\n"
                + "Success: cluster management is paused\n");
        assertThat(cluster().view().members()).allMatch(Member::pause);
        assertThat(ctl().run("list").out()).contains("\n Maintenance mode: on\n");
        Agentctl.Result again = ctl().run("pause");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("Error: Cluster batman is already paused\n");
        Agentctl.Result scheduled = ctl().run("restart", "batman", "pg2", "--scheduled", inAnHour(), "--force");
        assertThat(scheduled.exit()).isEqualTo(1);
        assertThat(scheduled.err()).startsWith("Error: Can't schedule restart in the paused state");

        Agentctl.Result resume = ctl().run("resume", "--wait");
        assertThat(resume.exit()).as(resume.toString()).isZero();
        assertThat(resume.out()).endsWith("Success: cluster management is resumed\n");
        assertThat(cluster().view().members()).noneMatch(Member::pause);
        assertThat(ctl().run("resume").err()).isEqualTo("Error: Cluster batman is not paused\n");
    }

    @Test
    @Order(6)
    void pendingRestartsAreListedAndRestartPendingClearsThem() {
        Agentctl.Result edit = ctl().run("edit-config", "-p", "max_connections=60", "--force", "-q");
        assertThat(edit.exit()).as(edit.toString()).isZero();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Agentctl.Result r = ctl().run("list", "-f", "json");
            for (JsonNode row : r.json()) {
                assertThat(row.path("Pending restart").asText()).as(r.toString()).isEqualTo("*");
                assertThat(row.path("Pending restart reason").asText()).as(r.toString())
                        .contains("max_connections: 50->60");
            }
        });
        Agentctl.Result restart = ctl().run("restart", "batman", "--pending", "--force");
        assertThat(restart.exit()).as(restart.toString()).isZero();
        assertThat(restart.out().lines().toList()).containsExactlyInAnyOrder("Success: restart on member pg1",
                "Success: restart on member pg2", "Success: restart on member pg3");
        for (ClusterNode n : cluster().nodes()) {
            assertThat(n.sql("SHOW max_connections")).containsExactly("60");
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(cluster().view().members()).noneMatch(Member::pendingRestart));
        Agentctl.Result none = ctl().run("restart", "batman", "pg2", "--pending", "--force");
        assertThat(none.exit()).as(none.toString()).isZero();
        assertThat(none.out()).isEqualTo("Skipped: member pg2 does not match the restart conditions (a pending"
                + " restart)\n");
    }

    @Test
    @Order(7)
    void restartNowScheduledAndFlushed() {
        ClusterNode pg3 = cluster().node(3);
        String before = pg3.patroni().path("postmaster_start_time").asText();
        Agentctl.Result now = ctl().run("restart", "batman", "pg3", "--force");
        assertThat(now.exit()).as(now.toString()).isZero();
        assertThat(now.out()).isEqualTo("Success: restart on member pg3\n");
        assertThat(pg3.patroni().path("postmaster_start_time").asText()).isNotEqualTo(before);

        String when = inAnHour();
        Agentctl.Result later = ctl().run("restart", "batman", "pg3", "--scheduled", when, "--force");
        assertThat(later.exit()).as(later.toString()).isZero();
        assertThat(later.out()).isEqualTo("Success: restart scheduled on member pg3\n");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(ctl().run("list", "-f", "json").json())
                .anySatisfy(row -> assertThat(row.path("Scheduled restart").asText()).isNotEmpty()));
        Agentctl.Result flush = ctl().run("flush", "batman", "pg3", "restart", "--force");
        assertThat(flush.exit()).as(flush.toString()).isZero();
        assertThat(flush.out()).isEqualTo("Success: flush scheduled restart for member pg3\n");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(cluster().view().member("pg3").orElseThrow().scheduledRestart()).isNull());

        Agentctl.Result noZone = ctl().run("restart", "batman", "pg3", "--scheduled", "2030-01-01T03:00", "--force");
        assertThat(noZone.exit()).isEqualTo(1);
        assertThat(noZone.err()).isEqualTo("Error: --scheduled '2030-01-01T03:00' has no time zone: add one, e.g."
                + " 2030-01-01T03:00+00:00 or 2030-01-01T03:00Z\n");
        Agentctl.Result version = ctl().run("restart", "batman", "pg3", "--pg-version", "15", "--force");
        assertThat(version.exit()).isEqualTo(1);
        assertThat(version.err()).startsWith("Error: --pg-version '15': Invalid PostgreSQL version format");
        Agentctl.Result unknown = ctl().run("restart", "batman", "pg7", "--force");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error: pg7 is not a member of cluster batman (members: pg1, pg2, pg3)\n");
    }

    @Test
    @Order(8)
    void reloadAndReinit() throws Exception {
        Agentctl.Result reload = ctl().run("reload", "batman", "--force");
        assertThat(reload.exit()).as(reload.toString()).isZero();
        assertThat(reload.out().lines().toList()).allMatch(l -> l.matches(
                "Reload request received for member pg\\d and will be processed within \\d+ seconds"))
                .hasSize(3);

        ClusterNode leader = cluster().awaitHealthy(Duration.ofSeconds(60));
        ClusterNode replica = cluster().nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        Agentctl.Result refused = ctl().run("reinit", "batman", leader.name(), "--force");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("Error: " + leader.name() + " is not a replica (" + leader.name()
                + " is the leader)\n");
        Agentctl.Result reinit = ctl().run("reinit", "batman", replica.name(), "--force", "--wait");
        assertThat(reinit.exit()).as(reinit.toString()).isZero();
        assertThat(reinit.out()).isEqualTo("Success: reinitialize for member " + replica.name() + "\n"
                + "Waiting for reinitialize to complete on: " + replica.name() + "\n"
                + "Reinitialize is completed on: " + replica.name() + "\n");
        assertThat(replica.state()).isEqualTo("running");
        cluster().awaitHealthy(Duration.ofSeconds(60));
        // Patroni 4.1's --from-leader: the leader by pg_basebackup (the agent logs the request as it came)
        Agentctl.Result fromLeader = ctl().run("reinit", "batman", replica.name(), "--force", "--wait", "--from-leader");
        assertThat(fromLeader.exit()).as(fromLeader.toString()).isZero();
        assertThat(fromLeader.out()).endsWith("Reinitialize is completed on: " + replica.name() + "\n");
        assertThat(Files.readString(replica.log())).contains("reinitialize requested (force=true, from_leader=true)");
        cluster().awaitHealthy(Duration.ofSeconds(60));
    }

    @Test
    @Order(9)
    void removeNeedsTheLeadersNameForARunningClusterAndDeletesEveryKey() {
        ClusterNode leader = cluster().awaitHealthy(Duration.ofSeconds(60));
        Agentctl.Result noTerminal = ctl().run("remove", "batman");
        assertThat(noTerminal.exit()).isEqualTo(2);
        assertThat(noTerminal.err()).startsWith("Error: remove asks three questions and there is no terminal to ask"
                + " them: add --force --leader " + leader.name());
        Agentctl.Result noLeader = ctl().run("remove", "batman", "--force");
        assertThat(noLeader.exit()).isEqualTo(2);
        String wrong = leader.name().equals("pg1") ? "pg2" : "pg1";
        Agentctl.Result wrongLeader = ctl().run("remove", "batman", "--force", "--leader", wrong);
        assertThat(wrongLeader.exit()).isEqualTo(1);
        assertThat(wrongLeader.err()).isEqualTo("Error: --leader " + wrong + ": the leader of cluster batman is "
                + leader.name() + "; nothing was removed\n");
        assertThat(cluster().view().leaderName()).isEqualTo(leader.name());

        // a cluster without a leader (its nodes gone): every key under its prefix is deleted
        cluster().etcd().etcdctl("put", "/service/robin/config", "{\"ttl\":30}");
        cluster().etcd().etcdctl("put", "/service/robin/members/pg9", "{\"role\":\"replica\",\"state\":\"stopped\","
                + "\"conn_url\":\"postgres://127.0.0.99:5432/postgres\",\"api_url\":\"http://127.0.0.99:8008/patroni\"}");
        Agentctl.Result removed = ctl().run("remove", "robin", "--force", "-f", "json");
        assertThat(removed.exit()).as(removed.toString()).isZero();
        List<String> lines = removed.out().lines().toList();
        assertThat(lines.get(0)).startsWith("[{\"Cluster\": \"robin\", \"Member\": \"pg9\"");
        assertThat(lines.get(1)).isEqualTo("Removed every key under /service/robin/");
        assertThat(cluster().etcd().etcdctl("get", "--prefix", "--keys-only", "/service/robin/")).isBlank();
        ClusterView v = cluster().view();
        assertThat(v.leaderName()).isEqualTo(leader.name());
    }

    static String inAnHour() {
        return OffsetDateTime.now(ZoneOffset.UTC).plusHours(1).truncatedTo(ChronoUnit.SECONDS)
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
