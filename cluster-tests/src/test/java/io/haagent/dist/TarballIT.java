package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.testing.TestBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** packaging/target/ha-agent-VERSION.tar.gz: the dist tree under one top directory, read with the real tar. */
class TarballIT {
    private static String top;
    private static Path tarball;
    /** Entry name (without the top directory) to its `tar -tv` line. */
    private static Map<String, TarEntry> entries;

    record TarEntry(String mode, String owner, String name, String line) {
    }

    @BeforeAll
    static void list() throws Exception {
        top = "ha-agent-" + Dist.projectVersion();
        tarball = Dist.packagingTarget().resolve(top + ".tar.gz");
        assertThat(tarball).isRegularFile();
        Cmd.Result r = Cmd.of(TestBinaries.onPath("tar", "tar"), "-tvzf", tarball).env("TZ", "UTC").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        entries = new TreeMap<>();
        for (String line : r.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            // -rwxr-xr-x root/root      4777 2026-11-26 10:16 ha-agent-0.1.0-SNAPSHOT/bin/ha-agent
            String[] f = line.trim().split("\\s+", 6);
            assertThat(f).as(line).hasSize(6);
            String name = f[5];
            assertThat(name).as("every entry sits under the top directory").startsWith(top + "/");
            entries.put(name.substring(top.length() + 1), new TarEntry(f[0], f[1], name, line));
        }
    }

    @Test
    void holdsExactlyTheDistTree() throws IOException {
        List<String> files = new ArrayList<>();
        entries.forEach((name, e) -> {
            if (e.mode().startsWith("-")) {
                files.add(name);
            }
        });
        assertThat(files).containsExactlyInAnyOrderElementsOf(Dist.filesUnder(Dist.home()));
    }

    @Test
    void launchersAreExecutableAndEverythingBelongsToRoot() {
        assertThat(entries.get("bin/ha-agent").mode()).isEqualTo("-rwxr-xr-x");
        assertThat(entries.get("bin/agentctl").mode()).isEqualTo("-rwxr-xr-x");
        assertThat(entries.values()).allSatisfy(e -> assertThat(e.owner()).as(e.line()).isEqualTo("root/root"));
        assertThat(entries.values()).filteredOn(e -> e.mode().startsWith("-") && !e.name().contains("/bin/"))
                .allSatisfy(e -> assertThat(e.mode()).as(e.line()).isEqualTo("-rw-r--r--"));
    }

    @Test
    void unpackedItRuns(@TempDir Path tmp) throws Exception {
        Cmd.Result x = Cmd.of(TestBinaries.onPath("tar", "tar"), "-xzf", tarball, "-C", tmp).run();
        assertThat(x.exit()).as(x.toString()).isZero();
        try (var list = Files.list(tmp)) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly(top);
        }
        Cmd.Result r = Cmd.of(tmp.resolve(top).resolve("bin/ha-agent"), "--version").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("ha-agent ");
    }
}
