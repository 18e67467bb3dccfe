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
        assertThat(flag(r.out(), "MaxHeapSize")).isEqualTo("268435456 {command line}");
        assertThat(flag(r.out(), "UseSerialGC")).isEqualTo("true {command line}");
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

    /** The archive the launcher asked the program to write (-XshowSettings:properties), or fails. */
    private Path requestedArchive(String program) throws Exception {
        Cmd.Result r = withCache(program, "--version").env("JDK_JAVA_OPTIONS", "-XshowSettings:properties").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        Matcher m = Pattern.compile("(?m)^\\s*ha_agent\\.cds\\.archive = (\\S+)$").matcher(r.err());
        assertThat(m.find()).as("no archive requested:\n%s", r).isTrue();
        return Path.of(m.group(1));
    }

    @Test
    void withoutAnArchiveTheProgramIsAskedToRecordOneInTheCacheDirectory() throws Exception {
        Path archive = requestedArchive("ha-agent");
        assertThat(archive.getParent()).isEqualTo(tmp.resolve("home/.cache/ha-agent"));
        assertThat(archive.getFileName().toString()).matches("ha-agent-\\d+\\.jsa");
        assertThat(Files.getPosixFilePermissions(archive.getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        Cmd.Result r = withCache("ha-agent", "--version").env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(flag(r.out(), "RecordDynamicDumpInfo")).isEqualTo("true {command line}");
        // agentctl never writes one: a short-lived client's classes would make a poor archive
        Cmd.Result ctl = withCache("agentctl", "--version")
                .env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal -XshowSettings:properties").run();
        assertThat(flag(ctl.out(), "RecordDynamicDumpInfo")).isEqualTo("false {default}");
        assertThat(ctl.err()).doesNotContain("ha_agent.cds.archive");
    }

    @Test
    void anArchiveForThisRuntimeAndLibIsUsedAndOneItCannotUseIsIgnoredSilently() throws Exception {
        Path archive = requestedArchive("ha-agent");
        // the archive the program would have written, made here by the JVM itself
        Path java = ProcessHandle.current().info().command().map(Path::of).orElseThrow();
        Cmd.Result dump = Cmd.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off", "-cp", Dist.home().resolve("lib") + "/*", "io.haagent.agent.Main", "--version")
                .run();
        assertThat(dump.exit()).as(dump.toString()).isZero();
        assertThat(archive).isRegularFile();

        Cmd.Result flags = withCache("ha-agent", "--version").env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(flag(flags.out(), "SharedArchiveFile")).isEqualTo(archive + " {command line}");
        assertThat(flag(flags.out(), "RecordDynamicDumpInfo")).isEqualTo("false {default}");
        Cmd.Result loads = withCache("ha-agent", "--version").env("JDK_JAVA_OPTIONS", "-Xlog:class+load:stderr").run();
        assertThat(loads.err()).as("the program's classes come from the archive")
                .containsPattern("io\\.haagent\\.agent\\.Main source: shared objects file \\(top\\)");
        // agentctl starts from the agent's archive too
        Cmd.Result ctlFlags = withCache("agentctl", "--version").env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal").run();
        assertThat(flag(ctlFlags.out(), "SharedArchiveFile")).isEqualTo(archive + " {command line}");

        // a damaged archive (or one of another JVM build): the program runs, stdout says only what it says
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(archive, "not an archive");
        Cmd.Result r = withCache("ha-agent", "--version").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).matches("ha-agent \\d+\\.\\d+\\.\\d+\\S*( .*)?\\R");
        assertThat(r.err()).as(r.toString()).isEmpty();
    }

    @Test
    void haAgentCdsOffAsksForNoArchive() throws Exception {
        Cmd.Result r = withCache("ha-agent", "--version").env("HA_AGENT_CDS", "off")
                .env("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal -XshowSettings:properties").run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(flag(r.out(), "RecordDynamicDumpInfo")).isEqualTo("false {default}");
        assertThat(r.out()).doesNotContainPattern("SharedArchiveFile\\s+=.*\\{command line\\}");
        assertThat(r.err()).doesNotContain("ha_agent.cds.archive");
        assertThat(tmp.resolve("home/.cache")).doesNotExist();
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
