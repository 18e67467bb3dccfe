package io.haagent.pg.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Making a new data directory durable with one {@code syncfs(2)} (coreutils' {@code sync -f}) instead of the fsync
 * of each of its ~1,000 files that initdb and pg_basebackup do by default (issue 17: a bootstrap's time). This is
 * what PostgreSQL 17 offers as {@code --sync-method=syncfs} for both tools; on 15 they run with {@code --no-sync}
 * and the agent syncs the file system afterwards, before the directory is used. When {@code sync -f} fails, the
 * caller falls back to the tool's own per-file sync ({@code initdb --sync-only}).
 */
public final class FilesystemSync {
    private static final Logger LOG = LoggerFactory.getLogger(FilesystemSync.class);

    private FilesystemSync() {
    }

    /** @return true when the file system holding {@code dir} was synced */
    public static boolean syncfs(ProcessRunner runner, Path dir, Duration timeout) {
        ToolResult r = runner.run(ToolCommand.of("sync", List.of("sync", "-f", dir.toString()), timeout));
        if (!r.succeeded()) {
            LOG.warn("sync -f {} failed: {}", dir, r.report().summary());
        }
        return r.succeeded();
    }
}
