package io.haagent.pg.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemSyncTest {
    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void syncsTheFileSystemOfAnExistingDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("PG_VERSION"), "15\n");
        assertThat(FilesystemSync.syncfs(runner, dir, Duration.ofSeconds(30))).isTrue();
    }

    /** A failed sync is reported, so the caller falls back to the tool's own per-file sync. */
    @Test
    void reportsAFailureForADirectoryThatIsNotThere(@TempDir Path dir) {
        assertThat(FilesystemSync.syncfs(runner, dir.resolve("missing"), Duration.ofSeconds(30))).isFalse();
    }
}
