package io.haagent.pg.process;

import io.haagent.pg.PostgresException;
import io.haagent.pg.ToolReport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every PostgreSQL tool and hook the agent uses (STYLE 8): an argument list, never a shell; a timeout
 * that kills the child and all its descendants; stdout and stderr streamed line by line into the log, tagged
 * with the tool's name; and a {@link ToolReport} (status, duration, last lines) for every outcome.
 *
 * <p>The environment is the agent's own minus {@code PATRONI_*}, {@code KUBERNETES_*} and
 * {@code NOTIFY_SOCKET} (a tool must not talk to systemd in the agent's name), plus the command's additions.
 */
public final class ProcessRunner {
    /** Lines kept for reports. */
    public static final int TAIL_LINES = 20;
    private static final Logger LOG = LoggerFactory.getLogger("io.haagent.pg.tool");
    private static final int MAX_CAPTURE_CHARS = 4 * 1024 * 1024;
    /** After a kill, how long to wait for the output pipes to close (an escaped grandchild may hold them). */
    private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);

    /** Runs the command to completion or timeout. Never throws for a non-zero exit: look at the report. */
    public ToolResult run(ToolCommand cmd) {
        Process p = launch(cmd);
        long start = System.nanoTime();
        Output out = new Output(cmd, p);
        boolean exited;
        try {
            exited = p.waitFor(cmd.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            ProcessTrees.killTree(p.toHandle());
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + cmd.tool() + " ran; it was killed", e);
        }
        if (!exited) {
            LOG.warn("{}: still running after its timeout of {} ms: killing it and its children", cmd.tool(),
                    cmd.timeout().toMillis());
            ProcessTrees.killTree(p.toHandle());
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.drain();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        ToolReport report = new ToolReport(cmd.tool(), cmd.command(), exited ? p.exitValue() : null, !exited, took,
                out.tail());
        if (exited) {
            if (p.exitValue() == 0 && isProbe(cmd)) {
                LOG.debug("{}: exited with status 0 after {} ms", cmd.tool(), took.toMillis());
            } else {
                LOG.info("{}: exited with status {} after {} ms", cmd.tool(), p.exitValue(), took.toMillis());
            }
        }
        return new ToolResult(report, out.captured());
    }

    /** Starts the command in the background; its output is streamed to the log as it comes. */
    public RunningTool start(ToolCommand cmd) {
        Process p = launch(cmd);
        long start = System.nanoTime();
        Output out = new Output(cmd, p);
        CompletableFuture<ToolResult> result = new CompletableFuture<>();
        RunningTool running = new RunningTool(cmd, p, result);
        p.onExit().thenRun(() -> {
            out.drain();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            boolean killed = running.wasKilled();
            result.complete(new ToolResult(new ToolReport(cmd.tool(), cmd.command(), killed ? null : p.exitValue(),
                    killed, took, out.tail()), out.captured()));
            LOG.info("{}: {} after {} ms", cmd.tool(), killed ? "killed" : "exited with status " + p.exitValue(),
                    took.toMillis());
        });
        Thread timer = new Thread(() -> {
            try {
                if (!p.waitFor(cmd.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    LOG.warn("{}: still running after its timeout of {} ms: killing it", cmd.tool(),
                            cmd.timeout().toMillis());
                    running.kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "timeout-" + cmd.tool());
        timer.setDaemon(true);
        timer.start();
        return running;
    }

    private Process launch(ToolCommand cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd.command());
        prepareEnvironment(pb.environment(), cmd.environment(), cmd.cLocale());
        if (cmd.workingDirectory() != null) {
            pb.directory(cmd.workingDirectory().toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (isProbe(cmd)) {
            LOG.debug("{}: running {}", cmd.tool(), cmd.command());
        } else {
            LOG.info("{}: running {}", cmd.tool(), cmd.command());
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw new PostgresException.BinaryMissing(cmd.tool(), "cannot execute " + cmd.command().get(0) + ": "
                    + rootMessage(e));
        }
    }

    /**
     * Tools run to look, not to change anything (readiness polls, pg_controldata each cycle while postgres is
     * down): their routine runs are logged at DEBUG so that the log shows what the agent did, not how often it
     * looked. A failure is still logged at INFO with its output (kept in the exit report).
     */
    static boolean isProbe(ToolCommand cmd) {
        return PROBES.contains(cmd.tool());
    }

    private static final java.util.Set<String> PROBES = java.util.Set.of("pg_isready", "pg_controldata");

    /** The agent's environment cleaned for a child, plus {@code extra}. */
    public static void prepareEnvironment(Map<String, String> env, Map<String, String> extra, boolean cLocale) {
        env.keySet().removeIf(k -> k.startsWith("PATRONI_") || k.startsWith("KUBERNETES_")
                || k.equals("NOTIFY_SOCKET"));
        if (cLocale) {
            env.put("LANG", "C");
            env.put("LC_ALL", "C");
            env.remove("LANGUAGE");
        }
        env.putAll(extra);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private record Line(long seq, boolean stdout, String text) {
    }

    /** Reads stdout and stderr of one process on two daemon threads. */
    private static final class Output {
        private final Deque<Line> outTail = new ArrayDeque<>();
        private final Deque<Line> errTail = new ArrayDeque<>();
        private long seq;
        private final StringBuilder captured = new StringBuilder();
        private final List<Thread> readers = new ArrayList<>();
        private final ToolCommand cmd;

        Output(ToolCommand cmd, Process p) {
            this.cmd = cmd;
            readers.add(reader(p.getInputStream(), true));
            readers.add(reader(p.getErrorStream(), false));
            readers.forEach(Thread::start);
        }

        private Thread reader(InputStream in, boolean stdout) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        line(line, stdout);
                    }
                } catch (IOException e) {
                    // the stream closes when the process is killed: nothing more to read
                }
            }, cmd.tool() + (stdout ? "-stdout" : "-stderr"));
            t.setDaemon(true);
            return t;
        }

        private void line(String line, boolean stdout) {
            if (stdout && cmd.captureStdout()) {
                LOG.debug("{}: {}", cmd.tool(), line);
            } else {
                if (isProbe(cmd)) {
                    LOG.debug("{}: {}", cmd.tool(), line);
                } else {
                    LOG.info("{}: {}", cmd.tool(), line);
                }
            }
            synchronized (this) {
                if (stdout && cmd.captureStdout() && captured.length() < MAX_CAPTURE_CHARS) {
                    captured.append(line).append('\n');
                }
                Deque<Line> t = stdout ? outTail : errTail;
                t.addLast(new Line(seq++, stdout, line));
                while (t.size() > TAIL_LINES) {
                    t.removeFirst();
                }
            }
        }

        void drain() {
            long deadline = System.nanoTime() + DRAIN_AFTER_EXIT.toNanos();
            for (Thread t : readers) {
                try {
                    t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /**
         * The last lines in arrival order. The two pipes are read by two threads, so a chatty stdout can arrive
         * after the error that matters: stderr lines are kept in preference, the oldest stdout lines go first.
         */
        synchronized List<String> tail() {
            List<Line> all = new ArrayList<>(outTail);
            all.addAll(errTail);
            all.sort(java.util.Comparator.comparingLong(Line::seq));
            long stdoutLines = all.stream().filter(Line::stdout).count();
            while (all.size() > TAIL_LINES) {
                if (stdoutLines > 0) {
                    for (int i = 0; i < all.size(); i++) {
                        if (all.get(i).stdout()) {
                            all.remove(i);
                            stdoutLines--;
                            break;
                        }
                    }
                } else {
                    all.remove(0);
                }
            }
            return all.stream().map(Line::text).toList();
        }

        synchronized String captured() {
            return captured.toString();
        }
    }
}
