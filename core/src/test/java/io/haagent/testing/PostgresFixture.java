package io.haagent.testing;

import io.haagent.config.PostgresBinaries;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Temporary PostgreSQL nodes for component and cluster tests, cleaned up whatever happens: {@link #close()} (call
 * it from {@code @AfterAll}) and a JVM shutdown hook stop every postmaster found under the fixture's directory
 * ({@code pg_ctl stop -m immediate}, then SIGKILL) and delete it; a fixture created later also sweeps the
 * directories of JVMs that died without cleaning up (e.g. killed by a timeout).
 *
 * <p>Each node gets its own loopback address ({@code 127.0.<fixture>.<node>}), a free port on it, and its own
 * data, socket and pgpass paths. Missing PostgreSQL 15 binaries fail the test ({@link TestBinaries}).
 */
public final class PostgresFixture implements AutoCloseable {
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "ha-agent-pg");
    private static final Set<PostgresFixture> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQ = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(OPEN).forEach(PostgresFixture::close),
                "postgres-fixture-cleanup"));
    }

    private final Path dir;
    private final Path binDir;
    private final int subnet;
    private final AtomicInteger nodes = new AtomicInteger();
    private final List<PostgresTestNode> created = new ArrayList<>();

    private PostgresFixture(Path dir, Path binDir, int subnet) {
        this.dir = dir;
        this.binDir = binDir;
        this.subnet = subnet;
    }

    /** A fresh fixture; fails the test when PostgreSQL 15 is missing or the JVM runs as root. */
    public static PostgresFixture create() {
        TestBinaries.assertNotRoot();
        Path bin = TestBinaries.postgresBinDir();
        try {
            Files.createDirectories(ROOT);
            sweepDeadRuns();
            long pid = ProcessHandle.current().pid();
            Path d = Files.createDirectory(ROOT.resolve("run-" + pid + "-" + SEQ.incrementAndGet() + "-"
                    + Long.toHexString(System.nanoTime())));
            // a per-fixture 127.0.x.0/24 keeps parallel fixtures (and other suites' 127.0.0.x nodes) apart
            int subnet = 20 + (int) ((pid * 31 + SEQ.get()) % 200);
            PostgresFixture f = new PostgresFixture(d, bin, subnet);
            OPEN.add(f);
            return f;
        } catch (IOException e) {
            throw new AssertionError("cannot create the PostgreSQL test directory under " + ROOT, e);
        }
    }

    public Path binDir() {
        return binDir;
    }

    public Path directory() {
        return dir;
    }

    /** The PostgreSQL tools of {@link #binDir()}, as the agent resolves them. */
    public PostgresBinaries binaries() {
        return PostgresBinaries.resolve(binDir.toString(), null, null, "");
    }

    /** A new node: its directories exist (the data directory does not), its address and port are free now. */
    public synchronized PostgresTestNode node(String name) {
        int n = nodes.incrementAndGet();
        String address = "127.0." + subnet + "." + (10 + n);
        try {
            Path root = Files.createDirectory(dir.resolve(name));
            Path sock = Files.createDirectory(root.resolve("sock"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            PostgresTestNode node = new PostgresTestNode(name, address, freePort(address), root, root.resolve("data"),
                    sock, root.resolve("pgpass"), binDir);
            created.add(node);
            return node;
        } catch (IOException e) {
            throw new AssertionError("cannot create directories for node " + name, e);
        }
    }

    /** A port nobody listens on at {@code address} right now. */
    public static int freePort(String address) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port on " + address, e);
        }
    }

    /** Stops every postmaster under this fixture's directory and deletes it. Idempotent. */
    @Override
    public synchronized void close() {
        if (!OPEN.remove(this)) {
            return;
        }
        stopPostmastersUnder(dir, binDir);
        deleteQuietly(dir);
    }

    /** Stops the postmaster of one data directory, if one runs: immediate shutdown, SIGKILL if that fails. */
    public static void stopPostmaster(Path dataDir, Path binDir) {
        Optional<Long> pid = postmasterPid(dataDir);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid.get()).filter(PostgresFixture::isPostgres);
        if (h.isEmpty()) {
            return;
        }
        try {
            Process p = new ProcessBuilder(binDir.resolve("pg_ctl").toString(), "stop", "-D", dataDir.toString(),
                    "-m", "immediate", "-w", "-t", "10").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // fall through to SIGKILL
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (h.get().isAlive()) {
            List<ProcessHandle> children = h.get().descendants().toList();
            h.get().destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            h.get().onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
        }
    }

    private static boolean isPostgres(ProcessHandle h) {
        return h.info().command().map(c -> c.endsWith("/postgres") || c.endsWith("/postmaster")).orElse(true);
    }

    private static Optional<Long> postmasterPid(Path dataDir) {
        try {
            String first = Files.readString(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8).split("\n")[0];
            return Optional.of(Long.parseLong(first.trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void stopPostmastersUnder(Path root, Path binDir) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root, 4)) {
            s.filter(p -> p.getFileName().toString().equals("postmaster.pid"))
                    .map(Path::getParent)
                    .forEach(d -> stopPostmaster(d, binDir));
        } catch (IOException | java.io.UncheckedIOException e) {
            // a directory made unreadable by a test is skipped; its postmaster (if any) is found by pid file
        }
    }

    private static void sweepDeadRuns() {
        try (Stream<Path> runs = Files.list(ROOT)) {
            for (Path run : runs.toList()) {
                String[] parts = run.getFileName().toString().split("-");
                if (parts.length < 2 || !parts[0].equals("run")) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                stopPostmastersUnder(run, TestBinaries.postgresBinDir());
                deleteQuietly(run);
            }
        } catch (IOException e) {
            // nothing to sweep
        }
    }

    /** Deletes a tree, restoring permissions a test may have removed. */
    static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    try {
                        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
                    } catch (IOException | UnsupportedOperationException e) {
                        // not ours: deleting it fails below, which is reported by nothing; leave it
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: the sweep of a later run retries
        }
    }
}
