package io.haagent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the real binaries the component and cluster tests run. A missing binary fails the test with the
 * package to install: tests never skip quietly (in CI, {@code CI=true}, or anywhere else).
 */
public final class TestBinaries {
    private static final List<String> PG_BIN_DIRS = List.of("/usr/lib/postgresql/15/bin");

    private TestBinaries() {
    }

    /** True when running under CI ({@code CI=true}). */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** An executable on PATH, or fail naming the Debian package that provides it. */
    public static Path onPath(String name, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("required binary '" + name + "' is not installed: apt-get install " + debianPackage
                + (inCi() ? " (CI=true: missing binaries fail, they do not skip)" : ""));
    }

    public static Path etcd() {
        return onPath("etcd", "etcd-server");
    }

    /** The PostgreSQL 15 bin directory (Debian layout), or {@code PG_BIN_DIR} when set. */
    public static Path postgresBinDir() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("PG_BIN_DIR");
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        candidates.addAll(PG_BIN_DIRS);
        for (String dir : candidates) {
            if (Files.isExecutable(Path.of(dir, "postgres")) && Files.isExecutable(Path.of(dir, "initdb"))) {
                return Path.of(dir);
            }
        }
        throw new AssertionError("PostgreSQL 15 binaries not found in " + candidates
                + ": apt-get install postgresql-15");
    }

    /** Fails when the JVM runs as root: PostgreSQL refuses it. Run the suite through scripts/test.sh. */
    public static void assertNotRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("PostgreSQL refuses to run as root: run the tests with scripts/test.sh,"
                    + " which runs them as the postgres user");
        }
    }
}
