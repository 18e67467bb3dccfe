package io.haagent.pg.postmaster;

import io.haagent.pg.PostmasterEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows which process is this data directory's postmaster and tells listeners the moment it dies (safety
 * rule 4: react to events, not ticks).
 *
 * <p>Two cases. A postmaster this agent started is its child: the JDK's reaper thread is blocked in
 * {@code waitpid} on it, so its death is reported at once. A postmaster found running (the agent restarted, or
 * an operator started it) is adopted after checking its identity: the pid from {@code postmaster.pid} must be a
 * live {@code postgres} process whose start time is within {@link #START_TIME_TOLERANCE} of the time in that
 * file (a recycled pid of an unrelated process fails this). An adopted postmaster is not our child, so a daemon thread checks
 * the process table for it every {@code adoptedPollInterval} (a {@code /proc} read, no SQL; the JDK's own
 * {@code onExit()} for non-children backs off to 5 s, too slow for the one-second rule).
 */
public final class PostmasterWatch implements AutoCloseable {
    /** Patroni's tolerance between the pid file's start time and the process's. */
    public static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(3);
    private static final Logger LOG = LoggerFactory.getLogger(PostmasterWatch.class);

    private final Path dataDir;
    private final Duration adoptedPollInterval;
    private final List<PostmasterEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Tracked tracked;
    private volatile boolean closed;

    /** One postmaster being watched. {@code exited} completes when it is gone. */
    public static final class Tracked {
        private final long pid;
        private final ProcessHandle handle;
        private final Process child;
        private final CompletableFuture<PostmasterEvent> exited = new CompletableFuture<>();
        private volatile boolean stopRequested;

        private Tracked(long pid, ProcessHandle handle, Process child) {
            this.pid = pid;
            this.handle = handle;
            this.child = child;
        }

        public long pid() {
            return pid;
        }

        public ProcessHandle handle() {
            return handle;
        }

        public boolean isChild() {
            return child != null;
        }

        public boolean alive() {
            return !exited.isDone();
        }

        public CompletableFuture<PostmasterEvent> exited() {
            return exited;
        }

        /** The next exit is the agent's doing (a stop), not a crash. */
        public void stopRequested() {
            stopRequested = true;
        }
    }

    public PostmasterWatch(Path dataDir, Duration adoptedPollInterval) {
        this.dataDir = dataDir;
        this.adoptedPollInterval = adoptedPollInterval;
    }

    public void addListener(PostmasterEvent.Listener l) {
        listeners.add(l);
    }

    /** Watches a postmaster this agent just spawned. */
    public synchronized Tracked attachChild(Process p) {
        Tracked t = new Tracked(p.pid(), p.toHandle(), p);
        tracked = t;
        p.onExit().thenAccept(proc -> exited(t, proc.exitValue()));
        LOG.info("postmaster pid={} started by the agent", t.pid);
        return t;
    }

    /**
     * The live postmaster of the data directory, adopting one found through {@code postmaster.pid} when none
     * is tracked. Cheap: no process is spawned and no SQL runs.
     */
    public synchronized Optional<Tracked> current() {
        Tracked t = tracked;
        if (t != null && t.alive()) {
            return Optional.of(t);
        }
        Optional<ProcessHandle> found = PostmasterPidFile.read(dataDir).flatMap(PostmasterWatch::verify);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(adopt(found.get()));
    }

    /** Re-targets the watch at the pid in {@code postmaster.pid} when it differs from the spawned child's. */
    public synchronized Optional<Tracked> adoptFromPidFile() {
        Optional<ProcessHandle> found = PostmasterPidFile.read(dataDir).flatMap(PostmasterWatch::verify);
        Tracked t = tracked;
        if (found.isPresent() && (t == null || t.pid != found.get().pid())) {
            return Optional.of(adopt(found.get()));
        }
        return Optional.ofNullable(t).filter(Tracked::alive);
    }

    private Tracked adopt(ProcessHandle h) {
        Tracked t = new Tracked(h.pid(), h, null);
        tracked = t;
        Instant start = h.info().startInstant().orElse(null);
        Thread watcher = new Thread(() -> {
            // Safety: a process-table check, not SQL: a postmaster that hangs still counts as alive here, one
            // that is gone is noticed within one interval, and a recycled pid is caught by its start time.
            while (!closed) {
                Optional<Instant> now = h.isAlive() ? h.info().startInstant() : Optional.empty();
                if (!h.isAlive() || (start != null && now.isPresent() && !now.get().equals(start))) {
                    break;
                }
                try {
                    Thread.sleep(adoptedPollInterval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!closed) {
                exited(t, null);
            }
        }, "postmaster-watch-" + h.pid());
        watcher.setDaemon(true);
        watcher.start();
        LOG.info("adopted running postmaster pid={} of {}", h.pid(), dataDir);
        return t;
    }

    private void exited(Tracked t, Integer exitCode) {
        PostmasterEvent ev = new PostmasterEvent(t.pid, Instant.now(), t.stopRequested, exitCode);
        if (!t.exited.complete(ev) || closed) {
            return;
        }
        if (t.stopRequested) {
            LOG.info("postmaster pid={} exited{}", t.pid, exitCode == null ? "" : " with status " + exitCode);
        } else {
            LOG.warn("postmaster pid={} died unexpectedly{}", t.pid, exitCode == null ? ""
                    : " with status " + exitCode);
        }
        for (PostmasterEvent.Listener l : listeners) {
            try {
                l.postmasterExited(ev);
            } catch (RuntimeException e) {
                LOG.warn("postmaster listener failed", e);
            }
        }
    }

    /**
     * The process named by a pid file, when it is alive, is not this JVM, runs a {@code postgres} executable and
     * started within the tolerance of the file's start time (when the OS reports these).
     */
    static Optional<ProcessHandle> verify(PostmasterPidFile f) {
        Optional<ProcessHandle> h = ProcessHandle.of(f.pid());
        if (h.isEmpty() || !h.get().isAlive() || f.pid() == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        Optional<String> command = h.get().info().command();
        if (command.isPresent() && !(command.get().endsWith("/postgres") || command.get().endsWith("/postmaster")
                || command.get().equals("postgres") || command.get().equals("postmaster"))) {
            return Optional.empty(); // a recycled pid now running some other program
        }
        Optional<Instant> started = h.get().info().startInstant();
        if (f.startTime() != null && started.isPresent()) {
            long diff = Math.abs(Duration.between(f.startTime(), started.get()).toMillis());
            if (diff > START_TIME_TOLERANCE.toMillis()) {
                return Optional.empty();
            }
        }
        return h;
    }

    /**
     * A pid file naming a live process that is not its postmaster (pid reuse after a crash). PostgreSQL would
     * refuse to start over it unless told through {@code PG_GRANDPARENT_PID} that the process is unrelated.
     */
    public Optional<Long> stalePidHeldByOtherProcess() {
        Optional<PostmasterPidFile> f = PostmasterPidFile.read(dataDir);
        if (f.isEmpty()) {
            return Optional.empty();
        }
        Optional<ProcessHandle> h = ProcessHandle.of(f.get().pid());
        if (h.isPresent() && h.get().isAlive() && verify(f.get()).isEmpty()) {
            return Optional.of(f.get().pid());
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        closed = true;
    }
}
