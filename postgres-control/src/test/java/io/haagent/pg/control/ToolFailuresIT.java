package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static io.haagent.pg.control.PgTestSupport.START;
import static io.haagent.pg.control.PgTestSupport.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.config.BootstrapConfig;
import io.haagent.config.PostgresBinaries;
import io.haagent.config.PostgresqlConfig;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.PostgresException;
import io.haagent.pg.StartRequest;
import io.haagent.pg.Upstream;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every fault the issue lists ends in its typed error, within its timeout, with nothing half-made left that
 * looks like a valid data directory. Each test says what it really exercises.
 */
class ToolFailuresIT {
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

    private static LocalPostgres control(PostgresTestNode n, PostgresqlConfig cfg, PostgresBinaries bins,
            BootstrapConfig bootstrap) {
        LocalPostgres pg = new LocalPostgres(new PostgresNode(n.name(), PgTestSupport.SCOPE, cfg, bootstrap), bins,
                Tuning.DEFAULT.withBasebackupRetryDelay(Duration.ofMillis(200)));
        pg.setDynamicConfig(PgTestSupport.dynamic());
        return pg;
    }

    private static LocalPostgres control(PostgresTestNode n, PostgresqlConfig cfg) {
        return control(n, cfg, fixture.binaries(), null);
    }

    // ---------------------------------------------------------------------------------------- binaries

    @Test
    void aMissingBinaryFailsWithTheToolAndWhereItWasLookedFor() throws IOException {
        PostgresTestNode n = fixture.node("nobin");
        Path emptyBin = Files.createDirectory(n.root().resolve("empty-bin"));
        try (LocalPostgres pg = control(n, n.config().binDir(emptyBin.toString()).build(),
                PostgresBinaries.resolve(emptyBin.toString(), null, null, ""), null)) {
            assertThatThrownBy(() -> pg.bootstrap(LONG))
                    .isInstanceOfSatisfying(PostgresException.BinaryMissing.class, e ->
                            assertThat(e.tool()).isEqualTo("postgres"))
                    .hasMessageContaining(emptyBin.toString()).hasMessageContaining("postgresql.bin_dir");
        }
        assertThat(n.dataDir()).doesNotExist();
    }

    @Test
    void aMissingRenamedToolFailsWhenItIsNeeded() {
        PostgresTestNode n = fixture.node("nobasebackup");
        PostgresBinaries bins = PostgresBinaries.resolve(fixture.binDir().toString(),
                Map.of("pg_basebackup", "/nonexistent/pg_basebackup"), null, "");
        try (LocalPostgres pg = control(n, n.config().build(), bins, null)) {
            assertThatThrownBy(() -> pg.createReplica(upstream(source), LONG))
                    .isInstanceOfSatisfying(PostgresException.BinaryMissing.class, e ->
                            assertThat(e.tool()).isEqualTo("pg_basebackup"))
                    .hasMessageContaining("postgresql.bin_name.pg_basebackup");
            assertThat(pg.dataDirectoryState().isEmpty()).isTrue();
        }
    }

    // ---------------------------------------------------------------------------------------- data directory

    @Test
    void anInaccessibleDataDirectoryIsRefusedBeforeAnythingRuns() throws IOException {
        // really exercised: a directory this user owns but cannot read (chmod 000)
        PostgresTestNode n = fixture.node("noaccess");
        Files.createDirectory(n.dataDir());
        Files.setPosixFilePermissions(n.dataDir(), PosixFilePermissions.fromString("---------"));
        try (LocalPostgres pg = control(n, n.config().build())) {
            assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.NOT_ACCESSIBLE);
            assertThatThrownBy(() -> pg.start(StartRequest.asPrimary(START)))
                    .isInstanceOf(PostgresException.DataDirectoryProblem.class)
                    .hasMessageContaining("not accessible").hasMessageContaining("0700");
            assertThatThrownBy(() -> pg.bootstrap(LONG)).isInstanceOf(PostgresException.DataDirectoryProblem.class);
            assertThatThrownBy(() -> pg.createReplica(upstream(source), LONG))
                    .isInstanceOf(PostgresException.DataDirectoryProblem.class);
        } finally {
            Files.setPosixFilePermissions(n.dataDir(), PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aDataDirectoryOwnedBySomeoneElseIsRefused() throws IOException {
        // really exercised: an existing directory owned by root (the tests run as postgres and cannot write it)
        Path rootOwned = fixture.binDir().getParent();
        assertThat(Files.getOwner(rootOwned).getName()).as("precondition: %s is owned by root", rootOwned)
                .isEqualTo("root");
        PostgresTestNode n = fixture.node("foreignowner");
        try (LocalPostgres pg = control(n, n.config().dataDir(rootOwned.toString()).build())) {
            DataDirectoryState s = pg.dataDirectoryState();
            assertThat(s.kind()).isEqualTo(DataDirectoryState.Kind.WRONG_OWNER);
            assertThatThrownBy(() -> pg.start(StartRequest.asPrimary(START)))
                    .isInstanceOf(PostgresException.DataDirectoryProblem.class)
                    .hasMessageContaining("owned by root").hasMessageContaining("chown");
            assertThatThrownBy(() -> pg.bootstrap(LONG)).isInstanceOf(PostgresException.DataDirectoryProblem.class);
        }
    }

    @Test
    void aDataDirectoryOfAnotherMajorVersionIsRefused() throws IOException {
        // really exercised: the PG_VERSION check (what PostgreSQL itself reads first); the directory is made by hand
        PostgresTestNode n = fixture.node("pg14");
        Files.createDirectories(n.dataDir().resolve("global"));
        Files.setPosixFilePermissions(n.dataDir(), PosixFilePermissions.fromString("rwx------"));
        Files.writeString(n.dataDir().resolve("PG_VERSION"), "14\n");
        try (LocalPostgres pg = control(n, n.config().build())) {
            DataDirectoryState s = pg.dataDirectoryState();
            assertThat(s.kind()).isEqualTo(DataDirectoryState.Kind.FOREIGN_VERSION);
            assertThat(s.majorVersion()).isEqualTo(14);
            assertThatThrownBy(() -> pg.start(StartRequest.asPrimary(START)))
                    .isInstanceOf(PostgresException.DataDirectoryProblem.class)
                    .hasMessageContaining("PostgreSQL 14").hasMessageContaining("pg_upgrade");
            assertThatThrownBy(() -> pg.createReplica(upstream(source), LONG))
                    .isInstanceOf(PostgresException.DataDirectoryProblem.class);
        }
        assertThat(n.dataDir().resolve("PG_VERSION")).hasContent("14");
    }

    // ---------------------------------------------------------------------------------------- start

    @Test
    void aPortInUseIsReportedWithTheAddressAndPort() throws IOException {
        PostgresTestNode n = fixture.node("busy");
        try (LocalPostgres pg = control(n, n.config().build())) {
            pg.createReplica(upstream(source), LONG);
            try (ServerSocket squatter = new ServerSocket()) {
                squatter.bind(new InetSocketAddress(InetAddress.getByName(n.address()), n.port()));
                assertThatThrownBy(() -> pg.start(StartRequest.asReplica(upstream(source), null, START)))
                        .isInstanceOfSatisfying(PostgresException.PortInUse.class, e -> {
                            assertThat(e.address()).isEqualTo(n.address());
                            assertThat(e.port()).isEqualTo(n.port());
                        })
                        .hasMessageContaining("Address already in use");
                assertThat(pg.isRunning()).isFalse();
            }
            pg.start(StartRequest.asReplica(upstream(source), null, START));
            assertThat(pg.isRunning()).isTrue();
        }
    }

    @Test
    void aParameterPostgresRejectsEndsInStartFailedWithItsWords() {
        PostgresTestNode n = fixture.node("badconf");
        try (LocalPostgres pg = control(n, n.config().parameter("shared_buffers", "lots").build())) {
            pg.createReplica(upstream(source), LONG);
            assertThatThrownBy(() -> pg.start(StartRequest.asReplica(upstream(source), null, START)))
                    .isInstanceOfSatisfying(PostgresException.StartFailed.class, e ->
                            assertThat(e.logTail()).anyMatch(l -> l.contains("shared_buffers")))
                    .hasMessageContaining("rejected its configuration")
                    .hasMessageContaining("postgresql.parameters");
            assertThat(pg.isRunning()).isFalse();
        }
    }

    // ---------------------------------------------------------------------------------------- replicas

    @Test
    void anUnreachableSourceFailsBothBasebackupAttemptsAndLeavesNoDirectory() {
        PostgresTestNode n = fixture.node("nosource");
        Upstream nobody = Upstream.of(n.address(), PostgresFixture.freePort(n.address()));
        try (LocalPostgres pg = control(n, n.config().build())) {
            assertThatThrownBy(() -> pg.createReplica(nobody, LONG))
                    .isInstanceOfSatisfying(PostgresException.ReplicaCreationFailed.class, e -> {
                        assertThat(e.attempts()).hasSize(2);
                        assertThat(e.attempts().get(1).outputContains("Connection refused")).isTrue();
                    })
                    .hasMessageContaining("pg_hba.conf");
            assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.ABSENT);
        }
    }

    @Test
    void aHangingToolIsKilledAtItsTimeout() throws Exception {
        // really exercised: pg_basebackup connecting to a server that accepts TCP and never answers
        PostgresTestNode n = fixture.node("hang");
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getByName(n.address()), 0));
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (LocalPostgres pg = control(n, n.config().build())) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> pg.createReplica(Upstream.of(n.address(), silent.getLocalPort()),
                        Duration.ofSeconds(3)))
                        .isInstanceOfSatisfying(PostgresException.ToolTimedOut.class, e -> {
                            assertThat(e.report().timedOut()).isTrue();
                            assertThat(e.report().tool()).isEqualTo("pg_basebackup");
                        })
                        .hasMessageContaining("did not finish within 3 s and was killed");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
                assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.ABSENT);
                assertThat(ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a)
                        .contains(n.dataDir().toString())).orElse(false))).as("no pg_basebackup left").isEmpty();
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aFullDiskDuringBasebackupIsDiskFullAndLeavesNoDirectory() throws Exception {
        // really exercised: the real pg_basebackup writing into a 4 MB tmpfs mounted over the data directory in
        // a private user+mount namespace (unshare -Urm; no root needed), so it gets a genuine ENOSPC
        Process probe = new ProcessBuilder("unshare", "-Urm", "true").redirectErrorStream(true).start();
        assertThat(probe.waitFor()).as("precondition: unprivileged user namespaces (unshare -Urm) are available;"
                + " sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0").isZero();
        PostgresTestNode n = fixture.node("full");
        Path wrapper = n.root().resolve("pg_basebackup_on_tiny_fs");
        Files.writeString(wrapper, "#!/bin/sh\n"
                + "for a in \"$@\"; do case \"$a\" in --pgdata=*) D=\"${a#--pgdata=}\";; esac; done\n"
                + "exec unshare -Urm sh -c 'mount -t tmpfs -o size=4m none \"$0\" && exec \"$@\"' \"$D\" "
                + fixture.binDir().resolve("pg_basebackup") + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        PostgresBinaries bins = PostgresBinaries.resolve(fixture.binDir().toString(),
                Map.of("pg_basebackup", wrapper.toString()), null, "");
        try (LocalPostgres pg = control(n, n.config().build(), bins, null)) {
            assertThatThrownBy(() -> pg.createReplica(upstream(source), LONG))
                    .isInstanceOfSatisfying(PostgresException.DiskFull.class, e -> {
                        assertThat(e.report().outputContains("No space left on device")).isTrue();
                        assertThat(e.path()).isEqualTo(n.dataDir());
                    })
                    .hasMessageContaining("df -h");
            assertThat(pg.dataDirectoryState().kind()).isEqualTo(DataDirectoryState.Kind.ABSENT);
        }
    }

    // ---------------------------------------------------------------------------------------- bootstrap, hooks

    @Test
    void aForbiddenInitdbOptionIsRefusedBeforeInitdbRuns() {
        PostgresTestNode n = fixture.node("forbidden");
        BootstrapConfig bc = new BootstrapConfig(Map.of(), "initdb", List.of("data-checksums", "nosync"), Map.of(),
                null, List.of(), Map.of());
        try (LocalPostgres pg = control(n, n.config().build(), fixture.binaries(), bc)) {
            assertThatThrownBy(() -> pg.bootstrap(LONG))
                    .isInstanceOfSatisfying(PostgresException.InvalidOption.class, e ->
                            assertThat(e.keyPath()).isEqualTo("bootstrap.initdb[1]"))
                    .hasMessageContaining("nosync");
        }
        assertThat(n.dataDir()).doesNotExist();
    }

    @Test
    void aFailingInitdbLeavesAnEmptyDataDirectoryAndQuotesInitdb() {
        PostgresTestNode n = fixture.node("badinitdb");
        BootstrapConfig bc = new BootstrapConfig(Map.of(), "initdb", List.of(Map.of("encoding", "NO_SUCH_ENCODING")),
                Map.of(), null, List.of(), Map.of());
        try (LocalPostgres pg = control(n, n.config().build(), fixture.binaries(), bc)) {
            assertThatThrownBy(() -> pg.bootstrap(LONG))
                    .isInstanceOfSatisfying(PostgresException.ToolFailed.class, e ->
                            assertThat(e.report().tool()).isEqualTo("initdb"))
                    .hasMessageContaining("NO_SUCH_ENCODING");
            assertThat(pg.dataDirectoryState().isEmpty()).isTrue();
        }
    }

    @Test
    void aFailingPostBootstrapStopsPostgresAndSetsTheDirectoryAside() {
        PostgresTestNode n = fixture.node("badpost");
        BootstrapConfig bc = new BootstrapConfig(Map.of(), "initdb", List.of(), Map.of(), "/bin/false", List.of(),
                Map.of());
        try (LocalPostgres pg = control(n, n.config().build(), fixture.binaries(), bc)) {
            pg.bootstrap(LONG);
            assertThatThrownBy(() -> pg.postBootstrap(LONG))
                    .isInstanceOfSatisfying(PostgresException.BootstrapFailed.class, e ->
                            assertThat(e.movedTo()).isEqualTo(n.root().resolve("data.failed")))
                    .hasMessageContaining("post_bootstrap");
            assertThat(pg.isRunning()).isFalse();
            assertThat(pg.dataDirectoryState().isEmpty()).isTrue();
            assertThat(n.root().resolve("data.failed").resolve("PG_VERSION")).exists();
        }
    }

    @Test
    void aRefusingPrePromoteKeepsTheReplicaAReplica() {
        PostgresTestNode n = fixture.node("noprom");
        try (LocalPostgres pg = control(n, n.config().prePromote("/bin/false").build())) {
            pg.createReplica(upstream(source), LONG);
            pg.start(StartRequest.asReplica(upstream(source), null, START));
            assertThatThrownBy(() -> pg.promote(Duration.ofSeconds(30)))
                    .isInstanceOf(PostgresException.HookFailed.class)
                    .hasMessageContaining("pre_promote").hasMessageContaining("not promoted");
            assertThat(pg.state().inRecovery()).isTrue();
        }
    }
}
