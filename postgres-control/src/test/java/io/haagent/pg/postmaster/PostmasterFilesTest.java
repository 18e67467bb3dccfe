package io.haagent.pg.postmaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.pg.golden.Golden;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** postmaster.pid and postmaster.opts as a real PostgreSQL 15 postmaster wrote them (golden files). */
class PostmasterFilesTest {

    @Test
    void pidFile() {
        PostmasterPidFile f = PostmasterPidFile.parse(Golden.read("postmaster.pid")).orElseThrow();
        assertThat(f.pid()).isEqualTo(3145);
        assertThat(f.dataDirectory()).endsWith("/pg1/data");
        assertThat(f.startTime()).isEqualTo(Instant.ofEpochSecond(1795689759));
        assertThat(f.port()).isEqualTo(39925);
        assertThat(f.socketDirectory()).endsWith("/pg1/sock");
        assertThat(f.listenAddress()).isEqualTo("127.0.95.11");
        assertThat(f.status()).isEqualTo(PostmasterPidFile.READY);
        assertThat(f.acceptingConnections()).isTrue();
    }

    @Test
    void halfWrittenOrGarbagePidFiles() {
        assertThat(PostmasterPidFile.parse("")).isEmpty();
        assertThat(PostmasterPidFile.parse("not a pid\n")).isEmpty();
        PostmasterPidFile starting = PostmasterPidFile.parse("1234\n/data\n").orElseThrow();
        assertThat(starting.pid()).isEqualTo(1234);
        assertThat(starting.startTime()).isNull();
        assertThat(starting.acceptingConnections()).isFalse();
    }

    @Test
    void optsFileGivesTheCommandLineSettings() {
        String opts = Golden.read("postmaster.opts");
        assertThat(PostmasterOpts.arguments(opts)).startsWith("-D").contains("--max_connections=30");
        assertThat(PostmasterOpts.settings(opts)).containsEntry("max_connections", "30")
                .containsEntry("cluster_name", "batman").containsEntry("listen_addresses", "127.0.95.11")
                .containsEntry("port", "39925").containsEntry("wal_level", "replica").containsKey("config_file");
        assertThat(PostmasterOpts.settings("/usr/bin/postgres \"-D\" \"/d\" \"-c\" \"work_mem=4MB\""))
                .containsEntry("work_mem", "4MB");
    }

    @Test
    void startupFailuresAreClassifiedFromThePostmastersOwnWords() {
        PostmasterLauncher.Target t = new PostmasterLauncher.Target(java.nio.file.Path.of("/d"),
                java.nio.file.Path.of("/d/postgresql.conf"), java.util.List.of(), java.nio.file.Path.of("/d/log"),
                "10.0.0.1", 5432, "10.0.0.1", "postgres", "postgres");
        io.haagent.pg.PostmasterEvent died = new io.haagent.pg.PostmasterEvent(1, Instant.now(), false, 1);
        assertThat(PostmasterLauncher.classify(t, died, java.util.List.of(
                "LOG:  could not bind IPv4 address \"10.0.0.1\": Address already in use",
                "FATAL:  could not create any TCP/IP sockets")))
                .isInstanceOf(io.haagent.pg.PostgresException.PortInUse.class);
        assertThat(PostmasterLauncher.classify(t, died, java.util.List.of(
                "FATAL:  data directory \"/d\" has invalid permissions")).whatToDo()).contains("0700");
        assertThat(PostmasterLauncher.classify(t, died, java.util.List.of(
                "FATAL:  database files are incompatible with server")).whatToDo()).contains("bin_dir");
        assertThat(PostmasterLauncher.classify(t, died, java.util.List.of("something new")))
                .isInstanceOf(io.haagent.pg.PostgresException.StartFailed.class)
                .hasMessageContaining("with status 1").hasMessageContaining("something new");
    }
}
