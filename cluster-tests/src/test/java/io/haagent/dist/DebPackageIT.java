package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.testing.TestBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** packaging/target/ha-agent_VERSION_all.deb, inspected and unpacked with the real dpkg-deb. */
class DebPackageIT {
    private static Path deb;
    private static Path dpkgDeb;
    /** Control fields, as `dpkg-deb -f` prints them. */
    private static Map<String, String> control;
    /** Path (without the leading ".") to its `dpkg-deb -c` line. */
    private static Map<String, DebEntry> contents;

    record DebEntry(String mode, String owner, String path, String linkTarget, String line) {
    }

    /**
     * The documented Debian version of a Maven version: Debian versions cannot hold "-SNAPSHOT" as Maven
     * means it, so jdeb writes "~snapshot", which sorts before the release ("0.1.0~snapshot" &lt; "0.1.0").
     */
    static String debianVersion(String mavenVersion) {
        return mavenVersion.endsWith("-SNAPSHOT")
                ? mavenVersion.substring(0, mavenVersion.length() - "-SNAPSHOT".length()) + "~snapshot"
                : mavenVersion;
    }

    @BeforeAll
    static void inspect() throws Exception {
        dpkgDeb = TestBinaries.onPath("dpkg-deb", "dpkg");
        deb = Dist.packagingTarget().resolve("ha-agent_" + Dist.projectVersion() + "_all.deb");
        assertThat(deb).isRegularFile();

        Cmd.Result f = Cmd.of(dpkgDeb, "-f", deb).run();
        assertThat(f.exit()).as(f.toString()).isZero();
        control = new LinkedHashMap<>();
        String last = null;
        for (String line : f.out().split("\n")) {
            if (line.startsWith(" ") && last != null) {
                control.merge(last, "\n" + line, String::concat);
            } else if (line.contains(":")) {
                last = line.substring(0, line.indexOf(':'));
                control.put(last, line.substring(line.indexOf(':') + 1).trim());
            }
        }

        Cmd.Result c = Cmd.of(dpkgDeb, "-c", deb).env("TZ", "UTC").run();
        assertThat(c.exit()).as(c.toString()).isZero();
        contents = new TreeMap<>();
        for (String line : c.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            // lrw-r--r-- root/root 0 2026-11-26 10:19 ./usr/bin/ha-agent -> /usr/share/ha-agent/bin/ha-agent
            String[] fields = line.trim().split("\\s+", 6);
            String[] nameAndTarget = fields[5].split(" -> ", 2);
            String path = nameAndTarget[0].substring(1);   // "./usr/..." -> "/usr/..."
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            contents.put(path, new DebEntry(fields[0], fields[1], path,
                    nameAndTarget.length > 1 ? nameAndTarget[1] : null, line));
        }
    }

    @Test
    void controlFields() {
        assertThat(control).containsEntry("Package", "ha-agent")
                .containsEntry("Version", debianVersion(Dist.projectVersion()))
                .containsEntry("Architecture", "all")
                .containsEntry("Depends", "default-jre-headless (>= 2:1.17) | java17-runtime-headless")
                .containsEntry("Recommends", "postgresql-15, etcd-client")
                .containsKeys("Maintainer", "Description", "Installed-Size");
    }

    @Test
    void snapshotVersionSortsBeforeTheRelease() throws Exception {
        Path dpkg = TestBinaries.onPath("dpkg", "dpkg");
        Cmd.Result r = Cmd.of(dpkg, "--compare-versions", debianVersion("0.1.0-SNAPSHOT"), "lt", "0.1.0").run();
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void programsInstallUnderUsrShareWithLinksInUsrBin() {
        for (String name : List.of("ha-agent", "agentctl")) {
            DebEntry launcher = contents.get("/usr/share/ha-agent/bin/" + name);
            assertThat(launcher).as(name).isNotNull();
            assertThat(launcher.mode()).isEqualTo("-rwxr-xr-x");
            assertThat(launcher.owner()).isEqualTo("root/root");

            DebEntry link = contents.get("/usr/bin/" + name);
            assertThat(link).as("/usr/bin/" + name).isNotNull();
            assertThat(link.mode()).startsWith("l");
            assertThat(link.linkTarget()).isEqualTo("/usr/share/ha-agent/bin/" + name);
        }
    }

    @Test
    void libIsTheDistLib() throws Exception {
        List<String> jars = Dist.filesUnder(Dist.home().resolve("lib"));
        assertThat(contents.keySet().stream().filter(p -> p.startsWith("/usr/share/ha-agent/lib/"))
                .map(p -> p.substring("/usr/share/ha-agent/lib/".length())))
                .containsExactlyInAnyOrderElementsOf(jars);
        assertThat(contents.values()).filteredOn(e -> e.path().startsWith("/usr/share/ha-agent/lib/"))
                .allSatisfy(e -> assertThat(e.mode()).as(e.line()).isEqualTo("-rw-r--r--"));
    }

    @Test
    void unitEnvironmentFileAndExamples() throws Exception {
        assertThat(contents.get("/lib/systemd/system/ha-agent.service")).isNotNull()
                .extracting(DebEntry::mode).isEqualTo("-rw-r--r--");
        // Operators put PATRONI_* passwords into it: only root (systemd) reads it.
        assertThat(contents.get("/etc/default/ha-agent")).isNotNull()
                .satisfies(e -> assertThat(e.mode()).isEqualTo("-rw-------"))
                .satisfies(e -> assertThat(e.owner()).isEqualTo("root/root"));
        for (String example : Dist.filesUnder(Dist.examples())) {
            assertThat(contents).containsKey("/usr/share/doc/ha-agent/examples/" + example);
        }
    }

    @Test
    void environmentFileIsAConffileAndMaintainerScriptsAreValid(@TempDir Path tmp) throws Exception {
        Path controlDir = tmp.resolve("DEBIAN");
        Cmd.Result e = Cmd.of(dpkgDeb, "-e", deb, controlDir).run();
        assertThat(e.exit()).as(e.toString()).isZero();
        assertThat(Files.readString(controlDir.resolve("conffiles"))).isEqualTo("/etc/default/ha-agent\n");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path p = controlDir.resolve(script);
            assertThat(Files.getPosixFilePermissions(p)).as(script).contains(PosixFilePermission.OWNER_EXECUTE);
            Cmd.Result syntax = Cmd.of("/bin/sh", "-n", p).run();
            assertThat(syntax.exit()).as(syntax.toString()).isZero();
        }
    }

    @Test
    void unpackedPackageRunsAndShipsTheRepositoryFiles(@TempDir Path tmp) throws Exception {
        Cmd.Result x = Cmd.of(dpkgDeb, "-x", deb, tmp).run();
        assertThat(x.exit()).as(x.toString()).isZero();

        Cmd.Result r = Cmd.of(tmp.resolve("usr/share/ha-agent/bin/agentctl"), "--version").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("agentctl ");

        assertThat(tmp.resolve("lib/systemd/system/ha-agent.service"))
                .hasSameBinaryContentAs(Dist.repoRoot().resolve("systemd/ha-agent.service"));
        assertThat(tmp.resolve("etc/default/ha-agent"))
                .hasSameBinaryContentAs(Dist.repoRoot().resolve("systemd/ha-agent.default"));
        assertThat(tmp.resolve("usr/share/doc/ha-agent/examples/haproxy.cfg"))
                .hasSameBinaryContentAs(Dist.examples().resolve("haproxy.cfg"));
    }

    @Test
    void postinstWritesTheClassDataArchiveThatTheInstalledProgramsMap(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("root");
        Cmd.Result x = Cmd.of(dpkgDeb, "-x", deb, root).run();
        assertThat(x.exit()).as(x.toString()).isZero();
        Cmd.Result e = Cmd.of(dpkgDeb, "-e", deb, tmp.resolve("DEBIAN")).run();
        assertThat(e.exit()).as(e.toString()).isZero();

        // dpkg's alternate root: the script works on the unpacked tree instead of /
        Cmd.Result post = Cmd.of("/bin/sh", tmp.resolve("DEBIAN/postinst"), "configure")
                .env("DPKG_ROOT", root.toString()).timeout(java.time.Duration.ofMinutes(3)).run();
        assertThat(post.exit()).as(post.toString()).isZero();
        Path cache = root.resolve("var/cache/ha-agent");
        List<Path> archives;
        try (var files = Files.list(cache)) {
            archives = files.filter(f -> f.getFileName().toString().matches("ha-agent-\\d+\\.jsa")).toList();
        }
        assertThat(archives).as("postinst's training run wrote one archive").hasSize(1);
        assertThat(Files.getPosixFilePermissions(cache)).isEqualTo(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        // what the service (CacheDirectory=ha-agent) starts with
        Cmd.Result flags = Cmd.of(root.resolve("usr/share/ha-agent/bin/agentctl"), "--version")
                .env("CACHE_DIRECTORY", cache.toString()).env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(flags.exit()).as(flags.toString()).isZero();
        assertThat(flags.out()).containsPattern("SharedArchiveFile\\s+= " + java.util.regex.Pattern.quote(
                archives.get(0).toString()) + "\\s+\\{product\\} \\{command line\\}");
    }
}
