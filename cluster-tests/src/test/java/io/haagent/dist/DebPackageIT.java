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
                // postgresql-common creates the postgres user the units run as (issue 16: postgresql-15 was only
                // recommended, so the user might not exist)
                .containsEntry("Depends", "default-jre-headless (>= 2:1.17) | java17-runtime-headless,"
                        + " postgresql-common")
                .containsEntry("Recommends", "postgresql-15, etcd-client")
                .containsEntry("Suggests", "etcd-server, haproxy, prometheus")
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
            // relative (Debian policy 10.5; issue 16: they were absolute)
            assertThat(link.linkTarget()).isEqualTo("../share/ha-agent/bin/" + name);
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
        for (String unit : List.of("ha-agent.service", "ha-agent@.service")) {
            assertThat(contents.get("/lib/systemd/system/" + unit)).as(unit).isNotNull()
                    .extracting(DebEntry::mode).isEqualTo("-rw-r--r--");
        }
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

        // through the relative link, as /usr/bin/agentctl runs: the launcher finds lib/ beside its real location;
        // the version is the package's (issue 16: --version said 0.1.0 where the package said 0.1.0~snapshot)
        for (String name : List.of("agentctl", "ha-agent")) {
            Cmd.Result r = Cmd.of(tmp.resolve("usr/bin/" + name), "--version").env("HA_AGENT_CDS", "off").run();
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).startsWith(name + " " + control.get("Version") + " (");
        }

        assertThat(tmp.resolve("lib/systemd/system/ha-agent.service"))
                .hasSameBinaryContentAs(Dist.repoRoot().resolve("systemd/ha-agent.service"));
        assertThat(tmp.resolve("lib/systemd/system/ha-agent@.service"))
                .hasSameBinaryContentAs(Dist.repoRoot().resolve("systemd/ha-agent@.service"));
        assertThat(tmp.resolve("usr/share/doc/ha-agent/copyright"))
                .hasSameBinaryContentAs(Dist.repoRoot().resolve("packaging/src/deb/doc/copyright"));
        assertThat(tmp.resolve("etc/default/ha-agent"))
                .hasSameBinaryContentAs(Dist.repoRoot().resolve("systemd/ha-agent.default"));
        assertThat(tmp.resolve("usr/share/doc/ha-agent/examples/haproxy.cfg"))
                .hasSameBinaryContentAs(Dist.examples().resolve("haproxy.cfg"));
    }

    // ---- issue 16: a policy-clean package ----

    /** lintian reports no error and no warning (the one override, the 0600 environment file, says why). */
    @Test
    void lintianHasNothingToSay() throws Exception {
        Path lintian = TestBinaries.onPath("lintian", "lintian");
        Cmd.Result r = Cmd.of(lintian, "--fail-on", "error,warning", "--tag-display-limit", "0", deb)
                .timeout(java.time.Duration.ofMinutes(5)).run();
        List<String> tags = r.out().lines().filter(l -> l.matches("[EW]: .*")).toList();
        assertThat(tags).as(r.toString()).isEmpty();
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void manPagesCompletionCopyrightAndChangelog(@TempDir Path tmp) throws Exception {
        Cmd.Result x = Cmd.of(dpkgDeb, "-x", deb, tmp).run();
        assertThat(x.exit()).as(x.toString()).isZero();
        // the man pages render without a groff warning, and name every option the programs have
        Path man = TestBinaries.onPath("man", "man-db");
        for (String page : List.of("ha-agent", "agentctl")) {
            Path gz = tmp.resolve("usr/share/man/man1/" + page + ".1.gz");
            assertThat(gz).isRegularFile();
            Cmd.Result m = Cmd.of(man, "--warnings", "-l", "-Tutf8", gz).env("MANWIDTH", "100").run();
            assertThat(m.exit()).as(m.toString()).isZero();
            assertThat(m.err()).as(m.toString()).isEmpty();
            String text = roff(gz);
            Cmd.Result help = Cmd.of(tmp.resolve("usr/bin/" + page), "--help").env("HA_AGENT_CDS", "off").run();
            for (String option : optionsIn(help.out())) {
                assertThat(text).as(page + "(1) names " + option).contains(option);
            }
        }
        Cmd.Result subHelp = Cmd.of(tmp.resolve("usr/bin/agentctl"), "switchover", "--help")
                .env("HA_AGENT_CDS", "off").run();
        String agentctlPage = roff(tmp.resolve("usr/share/man/man1/agentctl.1.gz"));
        for (String option : optionsIn(subHelp.out())) {
            assertThat(agentctlPage).as("agentctl(1) names switchover's " + option).contains(option);
        }

        // bash completion is installed where bash-completion looks, and defines agentctl's completion
        Path completion = tmp.resolve("usr/share/bash-completion/completions/agentctl");
        assertThat(Files.readString(completion)).doesNotStartWith("#!");
        Cmd.Result c = Cmd.of("/bin/bash", "-c", "source \"$0\" && complete -p agentctl", completion).run();
        assertThat(c.exit()).as(c.toString()).isZero();
        assertThat(c.out()).contains("agentctl");

        // the changelog's newest entry is this version
        Path changelog = tmp.resolve("usr/share/doc/ha-agent/changelog.gz");
        String first;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(changelog))) {
            first = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("");
        }
        assertThat(first).startsWith("ha-agent (" + control.get("Version") + ") ");

        // the copyright file covers every jar in lib/, and each of its Files: patterns covers one
        String copyright = Files.readString(tmp.resolve("usr/share/doc/ha-agent/copyright"));
        List<String> patterns = new java.util.ArrayList<>();
        boolean inFiles = false;
        for (String line : copyright.lines().toList()) {
            if (line.startsWith("Files: ")) {
                patterns.add(line.substring(7).strip());
                inFiles = true;
            } else if (inFiles && line.startsWith(" ")) {
                patterns.add(line.strip());
            } else {
                inFiles = false;
            }
        }
        List<String> jars = Dist.filesUnder(tmp.resolve("usr/share/ha-agent/lib")).stream()
                .map(j -> "usr/share/ha-agent/lib/" + j).toList();
        List<String> libPatterns = patterns.stream().filter(p -> p.startsWith("usr/share/ha-agent/lib/")).toList();
        for (String jar : jars) {
            if (jar.contains("/io.haagent.")) {
                continue; // our own, under Files: *
            }
            assertThat(libPatterns).as(jar + " is covered by a Files: paragraph of the copyright file")
                    .anyMatch(p -> jar.matches(p.replace(".", "\\.").replace("*", ".*")));
        }
        for (String p : libPatterns) {
            assertThat(jars).as("the copyright file's " + p + " covers a jar in lib/")
                    .anyMatch(j -> j.matches(p.replace(".", "\\.").replace("*", ".*")));
        }
    }

    /** A man page's source with its minus signs as plain dashes. */
    private static String roff(Path gz) throws java.io.IOException {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("\\-", "-");
        }
    }

    /** Long options named in a --help text ("--dcs-url", ...). */
    private static java.util.Set<String> optionsIn(String help) {
        java.util.Set<String> options = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![\\w-])--[a-z][a-z-]*").matcher(help);
        while (m.find()) {
            options.add(m.group());
        }
        assertThat(options).isNotEmpty();
        return options;
    }

    /**
     * The maintainer scripts do what dh_installsystemd --no-enable would, with the real deb-systemd-helper on an
     * unpacked tree (dpkg's DPKG_ROOT, which the scripts honour): configure records the unit without enabling it,
     * an upgrade keeps an operator's enablement, purge removes it; nothing calls systemctl but daemon-reload
     * (issue 16: prerm called systemctl stop).
     */
    @Test
    void maintainerScriptsHandleTheUnitsAsDebhelperDoes(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("root");
        Path ctl = tmp.resolve("DEBIAN");
        assertThat(Cmd.of(dpkgDeb, "-x", deb, root).run().exit()).isZero();
        assertThat(Cmd.of(dpkgDeb, "-e", deb, ctl).run().exit()).isZero();
        TestBinaries.onPath("deb-systemd-helper", "init-system-helpers");
        Path state = root.resolve("var/lib/systemd/deb-systemd-helper-enabled");
        Path wants = root.resolve("etc/systemd/system/multi-user.target.wants/ha-agent.service");

        Cmd.Result install = script(ctl, root, "postinst", "configure");
        assertThat(install.exit()).as(install.toString()).isZero();
        assertThat(state.resolve("ha-agent.service.dsh-also")).isRegularFile();
        assertThat(Files.isSymbolicLink(wants)).as("installing does not enable the unit").isFalse();

        // the operator enables it (what systemctl enable does, recorded as deb-systemd-helper does)
        Files.createDirectories(wants.getParent());
        Files.createSymbolicLink(wants, Path.of("/lib/systemd/system/ha-agent.service"));
        Cmd.Result enable = Cmd.of("deb-systemd-helper", "enable", "ha-agent.service").env("DPKG_ROOT", root.toString())
                .env("DPKG_MAINTSCRIPT_PACKAGE", "ha-agent").env("DPKG_MAINTSCRIPT_NAME", "postinst").run();
        assertThat(enable.exit()).as(enable.toString()).isZero();

        Cmd.Result upgrade = script(ctl, root, "postinst", "configure", "0.0.9");
        assertThat(upgrade.exit()).as(upgrade.toString()).isZero();
        assertThat(Files.isSymbolicLink(wants)).as("an upgrade keeps the operator's enablement").isTrue();

        assertThat(script(ctl, root, "prerm", "remove").exit()).isZero();
        assertThat(script(ctl, root, "postrm", "remove").exit()).isZero();
        assertThat(Files.isSymbolicLink(wants)).as("removal keeps the enablement until purge").isTrue();
        Cmd.Result purge = script(ctl, root, "postrm", "purge");
        assertThat(purge.exit()).as(purge.toString()).isZero();
        assertThat(Files.isSymbolicLink(wants)).as("purge removes the enablement").isFalse();
        assertThat(state.resolve("ha-agent.service.dsh-also")).doesNotExist();

        for (String script : List.of("postinst", "prerm", "postrm")) {
            for (String line : Files.readAllLines(ctl.resolve(script))) {
                if (line.strip().startsWith("#")) {
                    continue;
                }
                assertThat(line).as(script).satisfiesAnyOf(l -> assertThat(l).doesNotContain("systemctl"),
                        l -> assertThat(l).contains("systemctl --system daemon-reload"));
            }
        }
    }

    private static Cmd.Result script(Path ctl, Path root, String name, String... args) throws Exception {
        List<Object> argv = new java.util.ArrayList<>(List.of("/bin/sh", ctl.resolve(name)));
        argv.addAll(List.of(args));
        return Cmd.of(argv.toArray()).env("DPKG_ROOT", root.toString()).env("DPKG_MAINTSCRIPT_PACKAGE", "ha-agent")
                .env("DPKG_MAINTSCRIPT_NAME", name).env("HA_AGENT_CDS", "off").run();
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
