package io.haagent.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.agent.logging.LogSetup;
import io.haagent.api.Version;
import io.haagent.config.loader.FixedNetworkAccess;
import io.haagent.config.loader.HostEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(HostEnvironment host, String... args) {
        return Main.run(host, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpDocumentsTheProblemLineFormat() {
        assertThat(run(FixedNetworkAccess.host(Map.of()), "--help")).isZero();
        assertThat(out()).contains("--validate-config").contains("<file>:<line>: <error|warning>: <key.path>:");
    }

    @Test
    void versionNamesThePatroniVersionItIsCompatibleWith() {
        assertThat(run(FixedNetworkAccess.host(Map.of()), "--version")).isZero();
        assertThat(out().strip()).isEqualTo("ha-agent " + Version.AGENT + " (Patroni 3.3.1 compatible)");
        // the build's version in Debian's form, as the package's control file says it (DebPackageIT compares them)
        assertThat(Version.AGENT).matches("[0-9]+\\.[0-9]+\\.[0-9]+(~[a-z0-9]+)?");
        assertThat(Version.debian("0.1.0-SNAPSHOT")).isEqualTo("0.1.0~snapshot");
        assertThat(Version.debian("0.2.0")).isEqualTo("0.2.0");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertThat(run(FixedNetworkAccess.host(Map.of()), "--frobnicate")).isEqualTo(2);
        assertThat(err()).contains("Unknown option: '--frobnicate'");
    }

    @Test
    void validatingTheEnvironmentAloneWhenNoPathIsGiven() {
        assertThat(run(FixedNetworkAccess.host(Map.of("PATRONI_SCOPE", "main")), "--validate-config")).isEqualTo(1);
        assertThat(out()).contains("environment: error: restapi: missing: add a restapi section with listen and"
                + " connect_address");
        assertThat(err().strip()).startsWith("environment: not valid: ");
    }

    /** Issue 16: no argument and nothing set suggested "--validate-config environment". */
    @Test
    void withoutAnyConfigurationTheMessageSaysWhereItLooked() {
        // the default files looked for, in a directory of their own: this machine's /etc/patroni plays no part
        java.util.List<Path> none = java.util.List.of(dir.resolve("config.yml"), dir.resolve("patroni.yml"));
        assertThat(Main.run(FixedNetworkAccess.host(Map.of()), none, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(out()).isEmpty();
        assertThat(err()).isEqualTo("ha-agent: no configuration: give the configuration file or directory as the"
                + " argument (ha-agent /etc/patroni/config.yml), or set PATRONI_CONFIGURATION or PATRONI_* variables;"
                + " without an argument ha-agent reads /etc/patroni/config.yml, else /etc/patroni/patroni.yml, and"
                + " neither exists\nUsage: ha-agent [--validate-config [--ignore-listen-port]] [CONFIG]   (ha-agent"
                + " --help for more)\n");
    }

    @Test
    void ignoreListenPortGoesWithValidateConfigOnly() {
        assertThat(run(FixedNetworkAccess.host(Map.of()), "--ignore-listen-port", "x.yml")).isEqualTo(2);
        assertThat(err()).startsWith("ha-agent: --ignore-listen-port applies to --validate-config only");
    }

    /** Issue 16: an alias bomb ended in OutOfMemoryError and a 30-line stack trace. */
    @Test
    void anAliasBombIsOneLineAndExit1() throws IOException {
        Path f = dir.resolve("bomb.yml");
        Files.writeString(f, io.haagent.config.loader.ConfigReaderTest.aliasBomb());
        assertThat(run(FixedNetworkAccess.host(Map.of()), "--validate-config", f.toString())).isEqualTo(1);
        assertThat(out().lines()).singleElement().satisfies(l -> assertThat(l).startsWith(f + ":")
                .contains("error: (yaml): aliases (*name) expand this document by more than 10000 values"));
        assertThat(err().strip()).isEqualTo(f + ": not valid: 1 error, 0 warnings");
    }

    @Test
    void theRunPathRefusesAConfigurationItCannotStartWith() {
        assertThat(run(FixedNetworkAccess.host(Map.of()), dir.resolve("missing.yml").toString())).isEqualTo(1);
        assertThat(err()).isEqualTo(dir.resolve("missing.yml") + ": error: (file): no such file or directory: check"
                + " the path\nha-agent: cannot start with " + dir.resolve("missing.yml") + ": fix the errors above"
                + " (ha-agent --validate-config " + dir.resolve("missing.yml") + " checks everything)\n");
    }

    /**
     * With a usable configuration the run path sets up logging, logs the warnings once, and starts the node; a node
     * that cannot bind its REST API (10.0.0.11 is not an address of this machine) stops with status 1 and says why.
     */
    @Test
    void theRunPathLogsTheWarningsAndStopsWhenTheRestApiCannotListen() throws IOException {
        Path f = dir.resolve("patroni.yml");
        // etcd on a closed loopback port (nothing answers): the node goes on "waiting on etcd" and the REST API's
        // failure to listen ends the start
        // from the test class path: the configuration tests' base file
        byte[] base = MainTest.class.getClassLoader().getResourceAsStream("validate/base.yml").readAllBytes();
        String yaml = new String(base, StandardCharsets.UTF_8).replace("name: pg1\n", "")
                .replaceAll("10\\.0\\.0\\.[123]:2379", "127.0.0.1:9");
        Files.writeString(f, yaml);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            assertThat(run(FixedNetworkAccess.host(Map.of()), f.toString())).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logged.toString(StandardCharsets.UTF_8))
                    .contains("cannot start the REST API on 10.0.0.11:8008"));
        } finally {
            System.setErr(original);
            LogSetup.stop();
        }
        var lines = logged.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).filteredOn(l -> l.contains("name: missing")).singleElement().satisfies(l -> assertThat(l)
                .matches("\\S+ \\S+ WARNING: " + java.util.regex.Pattern.quote(f + ":1: warning: name:"
                        + " missing: using this host's name 'pgtest' as the member name; set name: explicitly, unique"
                        + " in the cluster (e.g. pg1)")));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("\\S+ \\S+ ERROR: cannot start the REST API on"
                + " 10\\.0\\.0\\.11:8008: .+"));
        assertThat(String.join("\n", lines)).doesNotContain("secret");
    }
}
