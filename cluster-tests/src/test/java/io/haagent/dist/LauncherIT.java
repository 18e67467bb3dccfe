package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bin/ha-agent and bin/agentctl launchers of packaging/target/dist, run as operators and systemd run them. */
class LauncherIT {
    /** The launcher's exit status when there is no usable Java runtime. */
    private static final int NO_USABLE_JAVA = 127;

    @TempDir
    Path tmp;

    @Test
    void bothProgramsPrintTheirVersion() throws Exception {
        Cmd.Result agent = Cmd.of(Dist.launcher("ha-agent"), "--version").run();
        assertThat(agent.exit()).as(agent.toString()).isZero();
        assertThat(agent.out()).as(agent.toString()).matches("ha-agent \\d+\\.\\d+\\.\\d+\\S*( .*)?\\R");

        Cmd.Result ctl = Cmd.of(Dist.launcher("agentctl"), "--version").run();
        assertThat(ctl.exit()).as(ctl.toString()).isZero();
        assertThat(ctl.out()).as(ctl.toString()).matches("agentctl \\d+\\.\\d+\\.\\d+\\S*( .*)?\\R");
    }

    @Test
    void findsItsLibraryThroughSymlinks() throws Exception {
        // As the .deb installs it: /usr/bin/agentctl -> /usr/share/ha-agent/bin/agentctl (absolute),
        // here behind a second, relative link.
        Path usrBin = Files.createDirectories(tmp.resolve("usr/bin"));
        Files.createSymbolicLink(usrBin.resolve("agentctl"), Dist.launcher("agentctl"));
        Path other = Files.createDirectories(tmp.resolve("opt/tools"));
        Files.createSymbolicLink(other.resolve("ctl"), Path.of("../../usr/bin/agentctl"));

        for (Path link : new Path[] {usrBin.resolve("agentctl"), other.resolve("ctl")}) {
            Cmd.Result r = Cmd.of(link, "--version").in(tmp).run();
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).as(r.toString()).startsWith("agentctl ");
        }
    }

    @Test
    void exitStatusIsTheProgramsOwn() throws Exception {
        // picocli answers an unknown option with usage and status 2; the launcher must not mask it.
        Cmd.Result r = Cmd.of(Dist.launcher("agentctl"), "--no-such-option").run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).as(r.toString()).contains("Unknown option: '--no-such-option'");
    }

    @Test
    void javaIsExecedSoSignalsReachTheJvm() throws Exception {
        // The JVM tags its log lines with its pid: it is the very process we started, so the shell
        // replaced itself (exec) and systemd's SIGTERM/SIGHUP go straight to the JVM.
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version")
                .env("HA_AGENT_JAVA_OPTS", "-Xlog:gc:stderr:pid")
                .run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).contains("[" + r.pid() + "] Using ");
    }

    @Test
    void defaultJvmOptionsGiveASmallSerialHeap() throws Exception {
        // JDK_JAVA_OPTIONS is read by the java launcher itself, on top of what our launcher passes.
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version")
                .unset("HA_AGENT_JAVA_OPTS")
                .env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal")
                .run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(flag(r.out(), "InitialHeapSize")).isEqualTo("33554432 {command line}");
        assertThat(flag(r.out(), "MaxHeapSize")).isEqualTo("100663296 {command line}");
        assertThat(flag(r.out(), "UseSerialGC")).isEqualTo("true {command line}");
        assertThat(flag(r.out(), "TieredStopAtLevel")).isEqualTo("1 {command line}");
        assertThat(flag(r.out(), "UsePerfData")).isEqualTo("false {command line}");
        assertThat(flag(r.out(), "CompileThresholdScaling")).isEqualTo("0.100000 {command line}");
        assertThat(flag(r.out(), "MaxNewSize")).isEqualTo("4194304 {command line}");
        // agentctl, a run of a second, keeps the usual compile thresholds
        Cmd.Result ctl = Cmd.of(Dist.launcher("agentctl"), "--version")
                .unset("HA_AGENT_JAVA_OPTS")
                .env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal")
                .run();
        assertThat(ctl.exit()).as(ctl.toString()).isZero();
        assertThat(flag(ctl.out(), "TieredStopAtLevel")).isEqualTo("1 {command line}");
        assertThat(flag(ctl.out(), "CompileThresholdScaling")).isEqualTo("1.000000 {default}");
        assertThat(flag(ctl.out(), "MaxNewSize")).isEqualTo("8388608 {command line}");
    }

    @Test
    void haAgentJavaOptsReplaceTheDefaultsVerbatim() throws Exception {
        // A file in the working directory that `-Dha.agent.glob=*` would match if the launcher let the
        // shell expand globs in the options.
        Files.writeString(tmp.resolve("-Dha.agent.glob=EXPANDED"), "");
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version")
                .env("HA_AGENT_JAVA_OPTS", "-Xmx64m -XX:+PrintFlagsFinal -XshowSettings:properties -Dha.agent.glob=*")
                .in(tmp)
                .run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(flag(r.out(), "MaxHeapSize")).isEqualTo("67108864 {command line}");
        assertThat(flag(r.out(), "UseSerialGC")).as("default options must be replaced, not added to")
                .doesNotEndWith("{command line}");
        assertThat(flag(r.out(), "InitialHeapSize")).doesNotEndWith("{command line}");
        assertThat(r.err()).as(r.toString()).contains("ha.agent.glob = *");
    }

    @Test
    void haAgentExtraJavaOptsComeOnTopOfTheDefaults() throws Exception {
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version")
                .unset("HA_AGENT_JAVA_OPTS")
                .env("HA_AGENT_EXTRA_JAVA_OPTS", "-XX:+PrintFlagsFinal -Xmx80m")
                .run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(flag(r.out(), "UseSerialGC")).isEqualTo("true {command line}");
        assertThat(flag(r.out(), "MaxHeapSize")).as("the later option wins").isEqualTo("83886080 {command line}");
    }

    @Test
    void emptyHaAgentJavaOptsMeansJvmDefaults() throws Exception {
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version")
                .env("HA_AGENT_JAVA_OPTS", "")
                .env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal")
                .run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(flag(r.out(), "MaxHeapSize")).doesNotEndWith("{command line}");
    }

    @Test
    void bogusJavaHomeIsAClearError() throws Exception {
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version")
                .env("JAVA_HOME", "/nonexistent/jdk")
                .run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(NO_USABLE_JAVA);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).as(r.toString()).isEqualTo("ha-agent: JAVA_HOME is set to '/nonexistent/jdk', but"
                + " '/nonexistent/jdk/bin/java' is not an executable file. Point JAVA_HOME at a Java 17 or newer"
                + " runtime, or unset it to use java from PATH.\n");
    }

    @Test
    void noJavaOnPathIsAClearError() throws Exception {
        Path emptyDir = Files.createDirectories(tmp.resolve("empty-path"));
        Cmd.Result r = Cmd.of(Dist.launcher("agentctl"), "--version")
                .unset("JAVA_HOME")
                .env("PATH", emptyDir.toString())
                .run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(NO_USABLE_JAVA);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).as(r.toString())
                .startsWith("agentctl: no Java runtime found: JAVA_HOME is not set and there is no 'java' on PATH ("
                        + emptyDir + ")")
                .contains("Install Java 17 or newer");
    }

    @Test
    void javaHomeIsUsedWithoutPath() throws Exception {
        Path emptyDir = Files.createDirectories(tmp.resolve("empty-path"));
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version")
                .env("JAVA_HOME", System.getProperty("java.home"))
                .env("PATH", emptyDir.toString())
                .run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("ha-agent ");
    }

    // No Java 8 or 11 runtime is installed here, so the version gate is shown with stand-in runtimes:
    // a JAVA_HOME whose `release` file or `java -version` banner names the old version, and whose `java`
    // leaves a mark if the launcher ever runs a program with it.

    @Test
    void javaOlderThan17IsRefusedFromItsReleaseFile() throws Exception {
        Path jdk = standInRuntime("jdk-11", "exit 99");
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"11.0.22\"\n");
        Cmd.Result r = Cmd.of(Dist.launcher("ha-agent"), "--version").env("JAVA_HOME", jdk.toString()).run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(NO_USABLE_JAVA);
        assertThat(r.err()).as(r.toString()).contains("'" + jdk + "/bin/java' is Java 11; Java 17 or newer is required");
        assertThat(jdk.resolve("ran")).as("the old runtime must not be started").doesNotExist();
    }

    @Test
    void javaOlderThan17IsRefusedFromItsVersionBanner() throws Exception {
        Path jdk = standInRuntime("jre-8",
                "if [ \"$1\" = -version ]; then echo 'java version \"1.8.0_392\"' >&2; exit 0; fi");
        Cmd.Result r = Cmd.of(Dist.launcher("agentctl"), "--version").env("JAVA_HOME", jdk.toString()).run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(NO_USABLE_JAVA);
        assertThat(r.err()).as(r.toString()).contains("is Java 8; Java 17 or newer is required");
        assertThat(jdk.resolve("ran")).as("the old runtime must only be asked its version").doesNotExist();
    }

    // ------------------------------------------------------------------ class-data archive

    private Cmd withCache(String program, String... args) {
        Object[] argv = new Object[args.length + 1];
        argv[0] = Dist.launcher(program);
        System.arraycopy(args, 0, argv, 1, args.length);
        return Cmd.of(argv).env("HOME", tmp.resolve("home").toString()).unset("XDG_CACHE_HOME")
                .unset("CACHE_DIRECTORY").unset("HA_AGENT_CDS").unset("JDK_JAVA_OPTIONS");
    }

    /** The archive a training run would write in the test's cache directory (asked of the launcher itself). */
    private Path cacheDir() {
        return tmp.resolve("home/.cache/ha-agent");
    }

    /** The archives in the cache directory. */
    private java.util.List<Path> archives() throws IOException {
        if (!Files.isDirectory(cacheDir())) {
            return java.util.List.of();
        }
        try (var files = Files.list(cacheDir())) {
            return files.filter(f -> f.getFileName().toString().matches("ha-agent-\\d+\\.jsa")).toList();
        }
    }

    /** True while a training JVM writes into this test's cache directory. */
    private boolean trainingRuns() {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(c -> c.contains("ArchiveClassesAtExit=" + cacheDir())).orElse(false));
    }

    @Test
    void theTrainingRunWritesAnArchiveThatHaAgentAndAgentctlMap() throws Exception {
        Cmd.Result train = withCache("ha-agent", "--write-class-data-archive").run();
        assertThat(train.exit()).as(train.toString()).isZero();
        Path archive = Path.of(train.out().strip());
        assertThat(archive.getParent()).isEqualTo(cacheDir());
        assertThat(archive.getFileName().toString()).matches("ha-agent-\\d+\\.jsa");
        assertThat(archive).isRegularFile();
        assertThat(archives()).as("written through a temporary file, renamed").containsExactly(archive);
        assertThat(Files.getPosixFilePermissions(cacheDir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));

        Cmd.Result flags = withCache("ha-agent", "--version").env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(flag(flags.out(), "SharedArchiveFile")).isEqualTo(archive + " {command line}");
        assertThat(flag(flags.out(), "RecordDynamicDumpInfo")).isEqualTo("false {default}");
        Cmd.Result loads = withCache("ha-agent", "--version").env("JDK_JAVA_OPTIONS", "-Xlog:class+load:stderr").run();
        assertThat(loads.err()).as("the program's classes come from the archive")
                .containsPattern("io\\.haagent\\.agent\\.Main source: shared objects file \\(top\\)")
                .containsPattern("io\\.haagent\\.config\\.loader\\.HostEnvironment source: shared objects file \\(top\\)");
        // agentctl starts from the agent's archive too, its etcd reads (over the JSON gateway) included
        Cmd.Result ctl = withCache("agentctl", "--dcs-url", "etcd3://127.0.0.1:" + closedPort(), "--dcs-timeout",
                "1", "list", "batman").env("JDK_JAVA_OPTIONS", "-Xlog:class+load:file=" + tmp.resolve("ctl.txt")).run();
        assertThat(ctl.exit()).as(ctl.toString()).isEqualTo(1);
        assertThat(Files.readString(tmp.resolve("ctl.txt")))
                .containsPattern("io\\.haagent\\.ctl\\.AgentCtl source: shared objects file \\(top\\)")
                .containsPattern("io\\.haagent\\.dcs\\.etcd\\.EtcdGatewayReader source: shared objects file \\(top\\)");

        // a damaged archive (or one of another JVM build): the program runs, stdout says only what it says
        Files.writeString(archive, "not an archive");
        Cmd.Result r = withCache("ha-agent", "--version").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).matches("ha-agent \\d+\\.\\d+\\.\\d+\\S*( .*)?\\R");
        assertThat(r.err()).as(r.toString()).isEmpty();
    }

    @Test
    void aNodeRunWithoutAnArchiveTrainsOneInTheBackgroundAndNeverDumpsItself() throws Exception {
        // the start of a node (here one that stops at once: its configuration does not exist)
        Cmd.Result node = withCache("ha-agent", tmp.resolve("no-such.yml").toString())
                .env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(node.exit()).as(node.toString()).isEqualTo(1);
        // the node's own JVM can neither dump at run time nor at exit
        assertThat(flag(node.out(), "RecordDynamicDumpInfo")).isEqualTo("false {default}");
        assertThat(node.out()).containsPattern("(?m)^\\s*ccstr ArchiveClassesAtExit\\s+=\\s+\\{product\\} \\{default\\}$");
        // the training, started by the launcher and detached from it, writes the archive soon after
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
                .pollInterval(java.time.Duration.ofMillis(500))
                .until(() -> archives().size() == 1 && !trainingRuns());
        Cmd.Result flags = withCache("ha-agent", "--version").env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(flag(flags.out(), "SharedArchiveFile")).isEqualTo(archives().get(0) + " {command line}");
        // options are not node runs: they never start a training
        Files.delete(archives().get(0));
        withCache("ha-agent", "--version").run();
        withCache("ha-agent", "--validate-config", tmp.resolve("no-such.yml").toString()).run();
        withCache("agentctl", "--version").run();
        assertThat(trainingRuns()).isFalse();
        assertThat(archives()).isEmpty();
    }

    @Test
    void haAgentCdsOffMapsAndTrainsNothing() throws Exception {
        Cmd.Result r = withCache("ha-agent", "--version").env("HA_AGENT_CDS", "off")
                .env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContainPattern("SharedArchiveFile\\s+=.*\\{command line\\}");
        Cmd.Result node = withCache("ha-agent", tmp.resolve("no-such.yml").toString()).env("HA_AGENT_CDS", "off").run();
        assertThat(node.exit()).as(node.toString()).isEqualTo(1);
        Cmd.Result train = withCache("ha-agent", "--write-class-data-archive").env("HA_AGENT_CDS", "off").run();
        assertThat(train.exit()).as(train.toString()).isEqualTo(1);
        assertThat(train.err()).isEqualTo("ha-agent: no class-data archive: HA_AGENT_CDS=off, or no usable cache"
                + " directory\n");
        assertThat(trainingRuns()).isFalse();
        assertThat(tmp.resolve("home/.cache")).doesNotExist();
    }

    private static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A JAVA_HOME whose bin/java runs {@code script}, then records that it ran a program. */
    private Path standInRuntime(String name, String script) throws IOException {
        Path home = Files.createDirectories(tmp.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n" + script + "\ntouch '" + home.resolve("ran") + "'\nexit 99\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    /** "value {origin}" of a -XX:+PrintFlagsFinal line. */
    private static String flag(String printFlagsFinal, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+=\\s+(\\S+)\\s+\\{product\\}\\s+(\\{[^}]*\\})")
                .matcher(printFlagsFinal);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in -XX:+PrintFlagsFinal output:\n" + printFlagsFinal);
        }
        return m.group(1) + " " + m.group(2);
    }
}
