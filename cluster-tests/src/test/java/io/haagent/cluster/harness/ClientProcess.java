package io.haagent.cluster.harness;

import io.haagent.testing.TestBinaries;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A client application as a process: a Python writer on psycopg2 (libpq) that inserts one row per interval and
 * prints one line per attempt, {@code ok <monotonic ns> <id> <server>} or {@code fail <monotonic ns> <id> <error>}
 * (examples/python/ha_client.py's write loop). The times are CLOCK_MONOTONIC, the clock of
 * {@link System#nanoTime()} on Linux, so they compare with the test's own. Stopped by closing its stdin.
 */
public final class ClientProcess implements RecordingClient, AutoCloseable {
    private static volatile Path python;

    private final String name;
    private final String table;
    private final Process process;
    private final Path log;
    private final List<Ack> acks = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final Thread reader;

    private ClientProcess(String name, String table, Process process, Path log) {
        this.name = name;
        this.table = table;
        this.process = process;
        this.log = log;
        this.reader = new Thread(this::read, "client-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts {@code python3 <script> <args>} with {@code env} added to the environment; its stderr goes to
     * {@code dir/<name>.log}.
     */
    public static ClientProcess start(String name, String table, Path script, List<String> args,
            Map<String, String> env, Path dir) {
        // -u: every line at once; -B: no __pycache__ left in examples/ (the distribution copies that directory)
        List<String> cmd = new ArrayList<>(List.of(python().toString(), "-u", "-B", script.toString()));
        cmd.addAll(args);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        try {
            return new ClientProcess(name, table, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start client " + name + ": " + cmd, e);
        }
    }

    /**
     * Debian's python3 with psycopg2, or fail naming the package (python3-psycopg2). /usr/bin/python3 comes first:
     * a python3 of a user's own installation on PATH may not see Debian's packages.
     */
    public static Path python() {
        Path p = python;
        if (p != null) {
            return p;
        }
        Path candidate = Files.isExecutable(Path.of("/usr/bin/python3")) ? Path.of("/usr/bin/python3")
                : TestBinaries.onPath("python3", "python3");
        try {
            Process check = new ProcessBuilder(candidate.toString(), "-c", "import psycopg2").redirectErrorStream(true)
                    .start();
            String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
                throw new AssertionError(candidate + " cannot import psycopg2: apt-get install python3-psycopg2"
                        + (TestBinaries.inCi() ? " (CI=true: missing binaries fail, they do not skip)" : "") + "\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        python = candidate;
        return candidate;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(" ", 4);
                if (f.length >= 3 && f[0].equals("ok")) {
                    Ack a = new Ack(Long.parseLong(f[1]), Long.parseLong(f[2]), f.length > 3 ? f[3] : "?");
                    synchronized (this) {
                        acks.add(a);
                        notifyAll();
                    }
                } else if (f.length >= 3 && f[0].equals("fail")) {
                    Failure x = new Failure(Long.parseLong(f[1]), Long.parseLong(f[2]), f.length > 3 ? f[3] : "");
                    synchronized (this) {
                        failures.add(x);
                        notifyAll();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process ended; what was read stays
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String table() {
        return table;
    }

    @Override
    public synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }

    @Override
    public synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    /**
     * Waits until a commit after {@code nanos} was acknowledged (true), the timeout passes or the process ends
     * (false).
     */
    @Override
    public boolean awaitAckAfter(long nanos, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (acks.isEmpty() || acks.get(acks.size() - 1).nanos() <= nanos) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The client's stderr, for failure messages. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Closes its stdin (the client finishes its attempt and exits); @return its exit code, or -1 if killed. */
    public int stop(Duration timeout) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // gone already
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return -1;
            }
            reader.join(5000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(10));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
