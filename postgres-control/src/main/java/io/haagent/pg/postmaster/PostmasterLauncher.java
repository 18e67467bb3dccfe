package io.haagent.pg.postmaster;

import io.haagent.pg.PostgresException;
import io.haagent.pg.PostmasterEvent;
import io.haagent.pg.process.ProcessRunner;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the postmaster and waits until it accepts connections.
 *
 * <p>Why the agent spawns {@code postgres} itself (as Patroni does) instead of {@code pg_ctl start}:
 * <ol>
 * <li>{@code pg_ctl start -o "..."} hands the options to {@code /bin/sh}; spawning {@code postgres} with an
 *     argument list means no value (a scope name, a path) is ever interpreted by a shell;</li>
 * <li>the postmaster is then this JVM's child, so its death is reported at once by {@code waitpid}
 *     ({@link PostmasterWatch}); with pg_ctl it would be a grandchild re-parented to init, which can only be
 *     polled;</li>
 * <li>the command line recorded in {@code postmaster.opts} is the one Patroni writes, so either tool reads it.</li>
 * </ol>
 * It runs under {@code setsid} (when present) so it leaves the agent's session and process group: a Ctrl-C or
 * a signal to the agent's group does not reach postgres, and stopping the agent never stops the database.
 * Its stdout/stderr go to a log file, not to a pipe, so postgres keeps logging after the agent exits.
 */
public final class PostmasterLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(PostmasterLauncher.class);
    private static final Logger PG_LOG = LoggerFactory.getLogger("io.haagent.pg.tool");
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path NICE = Path.of("/usr/bin/nice");
    private static final long MAX_LOG_BYTES = 10L * 1024 * 1024;

    private final ProcessRunner runner;
    private final Path postgres;
    private final Path pgIsReady;
    private final Duration pollInterval;

    public PostmasterLauncher(ProcessRunner runner, Path postgres, Path pgIsReady, Duration pollInterval) {
        this.runner = runner;
        this.postgres = postgres;
        this.pgIsReady = pgIsReady;
        this.pollInterval = pollInterval;
    }

    /** Where and how to reach the starting server, for the readiness check and messages. */
    public record Target(Path dataDir, Path configFile, List<String> options, Path logFile, String connectHost,
            int port, String listenAddresses, String user, String database) {
    }

    /**
     * The agent may run at a higher priority than the database it protects (the unit's {@code Nice=-5}, issue 15:
     * its health answers and lease renewals come first on a busy host). The postmaster would inherit it, and with it
     * every backend: it is started back at the default priority, {@code nice -n 5}. Nothing for an agent at 0 or
     * above (the agent never lowers its database's priority).
     */
    static List<String> niceBack(int agentNice) {
        return agentNice < 0 ? List.of(NICE.toString(), "-n", Integer.toString(-agentNice)) : List.of();
    }

    /** This process's nice value (field 19 of /proc/self/stat); 0 when it cannot be read. */
    static int ownNice() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[16]);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Spawns the postmaster; returns as soon as it is running (not yet ready). */
    public PostmasterWatch.Tracked launch(Target t, PostmasterWatch watch, Map<String, String> extraEnv) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            cmd.add(SETSID.toString());
        }
        if (Files.isExecutable(NICE)) {
            cmd.addAll(niceBack(ownNice()));
        }
        cmd.add(postgres.toString());
        cmd.add("-D");
        cmd.add(t.dataDir().toString());
        cmd.add("--config-file=" + t.configFile());
        cmd.addAll(t.options());
        rotateLog(t.logFile());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        ProcessRunner.prepareEnvironment(pb.environment(), extraEnv, false);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(t.logFile().toFile()));
        pb.redirectErrorStream(true);
        LOG.info("starting postgres: {}", cmd);
        synchronized (watch) {
            try {
                return watch.attachChild(pb.start());
            } catch (IOException e) {
                throw new PostgresException.BinaryMissing("postgres", "cannot execute " + postgres + ": "
                        + e.getMessage());
            }
        }
    }

    /**
     * Waits until the server accepts connections: {@code postmaster.pid} says {@code ready}/{@code standby}
     * and {@code pg_isready} confirms. Wakes at once when the postmaster dies, and then classifies why from
     * its log.
     */
    public void awaitReady(Target t, PostmasterWatch.Tracked tracked, PostmasterWatch watch, Duration timeout,
            long logOffset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        LogTail tail = new LogTail(t.logFile(), logOffset);
        boolean pidChecked = false;
        PostmasterWatch.Tracked current = tracked;
        while (true) {
            tail.pump();
            Optional<PostmasterPidFile> pidFile = PostmasterPidFile.read(t.dataDir());
            if (!pidChecked && pidFile.isPresent() && pidFile.get().pid() != current.pid()) {
                // setsid forked (we were a process group leader): follow the real postmaster
                current = watch.adoptFromPidFile().orElse(current);
            }
            pidChecked |= pidFile.isPresent();
            if (pidFile.isPresent() && pidFile.get().acceptingConnections() && isReady(t)) {
                tail.pump();
                LOG.info("postgres pid={} accepts connections", current.pid());
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                tail.pump();
                throw new PostgresException.StartTimedOut(current.pid(), timeout, tail.lines());
            }
            try {
                PostmasterEvent died = current.exited().get(Math.min(left, pollInterval.toNanos()),
                        TimeUnit.NANOSECONDS);
                tail.pump();
                throw classify(t, died, tail.lines());
            } catch (TimeoutException e) {
                // still running: check again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PostgresException.StartFailed("interrupted while waiting for postgres to start",
                        tail.lines(), "postgres may still be starting; check its state");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code pg_isready}: 0 accepting, 1 rejecting (starting), 2 no response, 3 bad parameters. */
    private boolean isReady(Target t) {
        ToolResult r = runner.run(ToolCommand.of("pg_isready", List.of(pgIsReady.toString(), "-h", t.connectHost(),
                "-p", Integer.toString(t.port()), "-d", t.database(), "-U", t.user(), "-t", "2"),
                Duration.ofSeconds(5)));
        return r.exitCode() != null && r.exitCode() == 0;
    }

    /** Turns a death during startup into the error that names its cause. */
    static PostgresException classify(Target t, PostmasterEvent died, List<String> log) {
        String all = String.join("\n", log);
        String status = died.exitCode() == null ? "" : " with status " + died.exitCode();
        if (all.contains("Address already in use")) {
            return new PostgresException.PortInUse(t.listenAddresses(), t.port(), log);
        }
        if (all.contains("No space left on device")) {
            return new PostgresException.StartFailed("postgres exited during startup" + status
                    + ": no space left on device", log, "free space on the file system of " + t.dataDir());
        }
        if (all.contains("wrong ownership") || all.contains("invalid permissions")) {
            return new PostgresException.StartFailed("postgres refused the data directory" + status, log,
                    "the data directory must be owned by the agent's user with mode 0700 or 0750");
        }
        if (all.contains("incompatible with server")) {
            return new PostgresException.StartFailed("postgres refused the data directory" + status, log,
                    "the data directory was made by another PostgreSQL version: set postgresql.bin_dir to"
                            + " matching binaries or upgrade it");
        }
        if (all.contains("configuration file") || all.contains("invalid value for parameter")
                || all.contains("unrecognized configuration parameter")) {
            return new PostgresException.StartFailed("postgres rejected its configuration" + status, log,
                    "fix the setting named above in postgresql.parameters (local or dynamic)");
        }
        if (all.contains("lock file") && all.contains("already exists")) {
            return new PostgresException.StartFailed("postgres found another server's lock file" + status, log,
                    "another postmaster uses this data directory or socket: stop it first");
        }
        return new PostgresException.StartFailed("postgres exited during startup" + status, log,
                "see the server log lines above");
    }

    /** Current size of the log, to read only what this start writes. */
    public static long logOffset(Path logFile) {
        try {
            return Files.exists(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void rotateLog(Path log) {
        try {
            if (Files.exists(log) && Files.size(log) > MAX_LOG_BYTES) {
                Files.move(log, log.resolveSibling(log.getFileName() + ".1"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("could not rotate {}: {}", log, e.toString());
        }
    }

    /** Streams new lines of the postmaster's log into the agent's log and keeps the last ones. */
    static final class LogTail {
        private final Path file;
        private long offset;
        private final Deque<String> last = new ArrayDeque<>();
        private String partial = "";

        LogTail(Path file, long offset) {
            this.file = file;
            this.offset = offset;
        }

        void pump() {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long len = f.length();
                if (len < offset) {
                    offset = 0; // rotated or truncated
                }
                if (len == offset) {
                    return;
                }
                byte[] buf = new byte[(int) Math.min(len - offset, 1024 * 1024)];
                f.seek(offset);
                f.readFully(buf);
                offset += buf.length;
                String text = partial + new String(buf, StandardCharsets.UTF_8);
                int nl;
                while ((nl = text.indexOf('\n')) >= 0) {
                    String line = text.substring(0, nl);
                    text = text.substring(nl + 1);
                    PG_LOG.info("postgres: {}", line);
                    last.addLast(line);
                    while (last.size() > ProcessRunner.TAIL_LINES) {
                        last.removeFirst();
                    }
                }
                partial = text;
            } catch (IOException e) {
                // no log yet
            }
        }

        List<String> lines() {
            List<String> l = new ArrayList<>(last);
            if (!partial.isEmpty()) {
                l.add(partial);
            }
            return l;
        }
    }
}
