package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static io.haagent.pg.control.PgTestSupport.START;
import static io.haagent.pg.control.PgTestSupport.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.pg.CloneReport;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.FollowResult;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.StartRequest;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** create_replica_methods (§4.5): custom commands with Patroni's parameters, falling through to basebackup. */
class ReplicaMethodsIT {
    private static PostgresFixture fixture;
    private static PostgresTestNode source;
    private static LocalPostgres primary;

    @BeforeAll
    static void sourcePrimary() {
        fixture = PostgresFixture.create();
        source = fixture.node("source");
        primary = PgTestSupport.control(fixture, source, source.config().build());
        primary.bootstrap(LONG);
        primary.postBootstrap(LONG);
    }

    @AfterAll
    static void cleanup() {
        if (primary != null) {
            primary.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static Path script(PostgresTestNode n, String name, String body) throws Exception {
        Path p = n.root().resolve(name);
        Files.writeString(p, "#!/bin/sh\nPATH=" + fixture.binDir() + ":$PATH\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void aCustomMethodGetsScopeRoleDatadirConnstringAndItsOwnKeys() throws Exception {
        PostgresTestNode n = fixture.node("custom");
        Path args = n.root().resolve("args");
        // the custom method clones with pg_basebackup itself, from the connstring it is given
        Path copy = script(n, "copy.sh", "printf '%s\\n' \"$@\" > " + args + "\n"
                + "for a in \"$@\"; do case \"$a\" in --datadir=*) D=\"${a#--datadir=}\";;"
                + " --connstring=*) C=\"${a#--connstring=}\";; esac; done\n"
                + "exec pg_basebackup -D \"$D\" -X stream -c fast -d \"$C\"");
        try (LocalPostgres pg = PgTestSupport.control(fixture, n, n.config()
                .createReplicaMethods(List.of("broken", "mycopy", "basebackup"))
                .replicaMethod("broken", Map.of("command", "/bin/false"))
                .replicaMethod("mycopy", Map.of("command", copy.toString(), "speed", "fast"))
                .build())) {
            CloneReport r = pg.createReplica(upstream(source), LONG);
            assertThat(r.method()).isEqualTo("mycopy");
            assertThat(r.attempts()).hasSize(2);
            assertThat(r.attempts().get(0).exitCode()).isEqualTo(1);
            assertThat(Files.readAllLines(args)).containsExactly("--scope=" + PgTestSupport.SCOPE, "--role=replica",
                    "--datadir=" + n.dataDir(), "--connstring=dbname=postgres user=replicator host=" + source.address()
                            + " port=" + source.port() + " sslmode=prefer application_name=custom gssencmode=prefer"
                            + " channel_binding=prefer", "--speed=fast");
            pg.start(StartRequest.asReplica(upstream(source), null, START));
            assertThat(pg.state().inRecovery()).isTrue();
            // following the same upstream again changes nothing; a primary asked to follow needs a restart
            assertThat(pg.follow(Recovery.follow(upstream(source), null))).isEqualTo(FollowResult.UNCHANGED);
            assertThat(primary.follow(Recovery.follow(upstream(n), null))).isEqualTo(FollowResult.RESTART_REQUIRED);
            primary.writeConfiguration(Recovery.primary());
        }
    }

    @Test
    void eachMethodMakesTheDirectoryAndAFailedOnesLeftoversGoUnlessKeepData() throws Exception {
        PostgresTestNode n = fixture.node("leftovers");
        String datadir = "for a in \"$@\"; do case \"$a\" in --datadir=*) D=\"${a#--datadir=}\";;"
                + " --connstring=*) C=\"${a#--connstring=}\";; esac; done\n";
        // mkdir without -p: a restore that copies a tree into a new directory fails with "File exists" otherwise
        Path first = script(n, "first.sh", datadir + "mkdir \"$D\" || exit 3; touch \"$D/junk\"; exit 1");
        Path second = script(n, "second.sh", datadir + "mkdir \"$D\" || exit 3; touch \"$D/marker\"; exit 1");
        Path third = script(n, "third.sh", datadir + "test -e \"$D/marker\" -a ! -e \"$D/junk\" || exit 9\n"
                + "rm \"$D/marker\"; exec pg_basebackup -D \"$D\" -X stream -c fast -d \"$C\"");
        try (LocalPostgres pg = PgTestSupport.control(fixture, n, n.config()
                .createReplicaMethods(List.of("first", "second", "third"))
                .replicaMethod("first", Map.of("command", first.toString()))
                .replicaMethod("second", Map.of("command", second.toString(), "keep_data", true))
                .replicaMethod("third", Map.of("command", third.toString(), "keep_data", true))
                .build())) {
            Files.createDirectories(n.dataDir());
            CloneReport r = pg.createReplica(upstream(source), LONG);
            assertThat(r.method()).isEqualTo("third");
            assertThat(r.attempts()).extracting(a -> a.exitCode()).containsExactly(1, 1, 0);
            assertThat(pg.dataDirectoryState().isValid()).isTrue();
        }
    }

    /** Patroni 4.1's reinit --from-leader: pg_basebackup, whatever create_replica_methods lists. */
    @Test
    void byBasebackupIgnoresTheConfiguredMethods() throws Exception {
        PostgresTestNode n = fixture.node("frombackup");
        Path half = script(n, "never.sh", "echo 'must not run' >&2; exit 4");
        try (LocalPostgres pg = PgTestSupport.control(fixture, n, n.config()
                .createReplicaMethods(List.of("never"))
                .replicaMethod("never", Map.of("command", half.toString()))
                .build())) {
            CloneReport r = pg.createReplicaByBasebackup(upstream(source), LONG);
            assertThat(r.method()).isEqualTo("basebackup");
            assertThat(r.attempts()).hasSize(1);
            assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.VALID);
        }
    }

    @Test
    void whenEveryMethodFailsTheDirectoryIsRemovedAndEachAttemptIsReported() throws Exception {
        PostgresTestNode n = fixture.node("allfail");
        Path half = script(n, "half.sh", "for a in \"$@\"; do case \"$a\" in --datadir=*) D=\"${a#--datadir=}\";;"
                + " esac; done\nmkdir \"$D\"; echo 15 > \"$D/PG_VERSION\"; echo 'copy failed half way' >&2; exit 4");
        try (LocalPostgres pg = PgTestSupport.control(fixture, n, n.config()
                .createReplicaMethods(List.of("half"))
                .replicaMethod("half", Map.of("command", half.toString()))
                .build())) {
            assertThatThrownBy(() -> pg.createReplica(upstream(source), LONG))
                    .isInstanceOfSatisfying(PostgresException.ReplicaCreationFailed.class, e ->
                            assertThat(e.attempts()).singleElement().satisfies(a -> {
                                assertThat(a.exitCode()).isEqualTo(4);
                                assertThat(a.lastLines()).contains("copy failed half way");
                            }));
            assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.ABSENT);
        }
    }

    @Test
    void stateAndLivenessDoNotWaitForALongActionAndActionsRunOneAtATime() throws Exception {
        PostgresTestNode n = fixture.node("slow");
        Path gate = n.root().resolve("gate");
        Path slow = script(n, "slow.sh", "while [ ! -e " + gate + " ]; do sleep 0.1; done; exit 1");
        try (LocalPostgres pg = PgTestSupport.control(fixture, n, n.config()
                .createReplicaMethods(List.of("slow"))
                .replicaMethod("slow", Map.of("command", slow.toString()))
                .build())) {
            java.util.concurrent.CompletableFuture<Void> clone = java.util.concurrent.CompletableFuture.runAsync(() ->
                    assertThatThrownBy(() -> pg.createReplica(upstream(source), LONG))
                            .isInstanceOf(PostgresException.ReplicaCreationFailed.class));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                            .map(c -> c.contains(slow.toString())).orElse(false)));
            // while the clone runs: reads answer at once
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2)).until(() ->
                    !pg.isRunning() && pg.dataDirectoryState().isEmpty() && pg.postmasterPid().isEmpty());
            // another action waits for the clone to finish
            java.util.concurrent.CompletableFuture<Void> second = java.util.concurrent.CompletableFuture.runAsync(
                    pg::removeDataDirectory);
            org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(1))
                    .atMost(java.time.Duration.ofSeconds(5)).until(() -> !second.isDone());
            Files.writeString(gate, "");
            clone.get(60, java.util.concurrent.TimeUnit.SECONDS);
            second.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aReplicaNeverRunsWithLessThanThePrimaryRecordedInPgControl() {
        PostgresTestNode n = fixture.node("lowconn");
        try (LocalPostgres pg = PgTestSupport.control(fixture, n, n.config().build())) {
            pg.createReplica(upstream(source), LONG);
            // the cluster lowered max_connections (30 -> 25) and this replica restarts before its primary did
            pg.setDynamicConfig(io.haagent.config.DynamicConfig.from(Map.of("postgresql", Map.of("parameters", Map.of(
                    "max_connections", 25, "max_wal_senders", 6, "max_replication_slots", 6,
                    "max_worker_processes", 4)))));
            pg.start(StartRequest.asReplica(upstream(source), null, START));
            assertThat(PgTestSupport.queryOne(n, "SHOW max_connections")).isEqualTo("30");
            assertThat(pg.state().pendingRestart()).containsEntry("max_connections",
                    new io.haagent.pg.ServerStatus.PendingRestart("max_connections", "30", "25"));
        }
    }

}
