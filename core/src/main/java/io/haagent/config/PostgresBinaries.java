package io.haagent.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the PostgreSQL tools are: {@code postgresql.bin_dir} when set; otherwise each tool on {@code PATH},
 * then the Debian layout {@code /usr/lib/postgresql/<major>/bin} (the data directory's major when known,
 * else the newest installed). {@code postgresql.bin_name} renames single tools.
 */
public final class PostgresBinaries {
    public static final List<String> TOOLS = List.of(
            "pg_ctl", "initdb", "pg_controldata", "pg_basebackup", "postgres", "pg_isready", "pg_rewind");
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    private final Map<String, Path> found;
    private final Map<String, String> missing;

    private PostgresBinaries(Map<String, Path> found, Map<String, String> missing) {
        this.found = found;
        this.missing = missing;
    }

    /**
     * @param binDir        {@code postgresql.bin_dir}, may be null or empty
     * @param binName       {@code postgresql.bin_name}, may be null
     * @param preferredMajor the data directory's {@code PG_VERSION} major, or null
     * @param pathEnv       the {@code PATH} to search
     */
    public static PostgresBinaries resolve(String binDir, Map<String, String> binName, Integer preferredMajor,
            String pathEnv) {
        Map<String, Path> found = new LinkedHashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        List<Path> searchDirs = new ArrayList<>();
        boolean explicit = binDir != null && !binDir.isBlank();
        if (explicit) {
            searchDirs.add(Path.of(binDir));
        } else {
            if (pathEnv != null) {
                for (String d : pathEnv.split(":")) {
                    if (!d.isBlank()) {
                        searchDirs.add(Path.of(d));
                    }
                }
            }
            searchDirs.addAll(debianBinDirs(preferredMajor));
        }
        for (String tool : TOOLS) {
            String name = binName != null && binName.get(tool) != null ? binName.get(tool) : tool;
            Path hit = null;
            if (name.contains("/")) {
                Path p = Path.of(name);
                hit = Files.isExecutable(p) ? p : null;
            } else {
                for (Path d : searchDirs) {
                    Path p = d.resolve(name);
                    if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                        hit = p;
                        break;
                    }
                }
            }
            if (hit != null) {
                found.put(tool, hit);
            } else {
                missing.put(tool, explicit ? "not found in bin_dir " + binDir
                        : "not found on PATH nor in " + DEBIAN_ROOT + "/<major>/bin");
            }
        }
        return new PostgresBinaries(found, missing);
    }

    /** Debian's per-major bin dirs, the preferred major first, then newest first. */
    static List<Path> debianBinDirs(Integer preferredMajor) {
        List<Path> out = new ArrayList<>();
        if (preferredMajor != null) {
            out.add(DEBIAN_ROOT.resolve(preferredMajor.toString()).resolve("bin"));
        }
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> s = Files.list(DEBIAN_ROOT)) {
                s.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString()))
                                .reversed())
                        .map(p -> p.resolve("bin"))
                        .filter(p -> !out.contains(p))
                        .forEach(out::add);
            } catch (java.io.IOException e) {
                // an unreadable /usr/lib/postgresql only means nothing is found there
            }
        }
        return out;
    }

    public Path path(String tool) {
        Path p = found.get(tool);
        if (p == null) {
            throw new IllegalStateException("PostgreSQL tool " + tool + " " + missing.getOrDefault(tool, "unknown"));
        }
        return p;
    }

    public Map<String, Path> found() {
        return Map.copyOf(found);
    }

    /** Tool → why it was not found. */
    public Map<String, String> missing() {
        return Map.copyOf(missing);
    }

    public boolean complete() {
        return missing.isEmpty();
    }
}
