package io.haagent.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.config.loader.FixedNetworkAccess;
import io.haagent.config.loader.LocalConfigPrinter;
import io.haagent.testing.Samples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Patroni 4.1's --generate-sample-config, --generate-config's layout, --validate-config --print, and their flags. */
class ConfigToolsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return Main.run(FixedNetworkAccess.host(env), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    /** What Patroni 4.1.4's patroni.py --generate-sample-config wrote on a host named vm at 127.0.0.1 with PG 15. */
    @Test
    void theSampleIsPatroni414sByteForByte() {
        assertThat(SampleConfig.text("vm", "127.0.0.1", 150000))
                .isEqualTo(Samples.read("patroni-4.1.4", "generate-sample-config.yml").stripTrailing());
        // older servers get Patroni's older settings
        assertThat(SampleConfig.text("vm", "127.0.0.1", 120000)).contains("wal_keep_segments: 8")
                .contains("rewind_user");
        assertThat(SampleConfig.text("vm", "127.0.0.1", 100000)).doesNotContain("rewind_user");
        assertThat(SampleConfig.scalar("on")).isEqualTo("'on'");
        assertThat(SampleConfig.scalar("db-1.example.com")).isEqualTo("db-1.example.com");
        assertThat(SampleConfig.scalar("127.0.0.1:8008")).isEqualTo("127.0.0.1:8008");
        assertThat(SampleConfig.scalar("5432")).isEqualTo("'5432'");
    }

    @Test
    void generateSampleConfigWritesTheFileForItsOwnerOnly() throws Exception {
        Path f = dir.resolve("sub/patroni.yml");
        assertThat(run(Map.of(), "--generate-sample-config", f.toString())).as(err.toString()).isZero();
        assertThat(Files.readString(f)).startsWith("scope: '#FIXME'\nname: ").contains("\nbootstrap:\n  # This section");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        out.reset();
        assertThat(run(Map.of(), "--generate-sample-config")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("scope: '#FIXME'\n");
    }

    @Test
    void theFlagsGoTogetherAsPatronisDo() {
        assertThat(run(Map.of(), "--print", "x.yml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("ha-agent: --print applies to --validate-config only");
        assertThat(run(Map.of(), "--generate-config", "--generate-sample-config")).isEqualTo(2);
        assertThat(run(Map.of(), "--dsn", "host=x", "x.yml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--dsn applies to --generate-config only");
    }

    @Test
    void generateConfigSaysWhatFailed() {
        assertThat(run(Map.of(), "--generate-config", "--dsn", "host=/var/run/postgresql password=x")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ha-agent: --generate-config: host"
                + " /var/run/postgresql is a unix socket directory");
        err.reset();
        assertThat(run(Map.of(), "--generate-config", "--dsn", "host=127.0.0.1 port=1 user=postgres password=x"))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("ha-agent: --generate-config: Failed to establish"
                + " PostgreSQL connection: ");
    }

    /** Patroni's layout: its sections in order, bootstrap.dcs with the timings first, then the rest sorted. */
    @Test
    void theGeneratedLayoutIsPatronis() {
        String text = GeneratedConfig.format(RunningConfig.template("vm", "127.0.0.1"));
        assertThat(text).startsWith("scope: '#FIXME'\nname: vm\n\nlog:\n  format: '%(asctime)s %(levelname)s:"
                + " %(message)s'\n");
        assertThat(text).contains("  dcs:\n    loop_wait: 10\n    retry_timeout: 10\n    ttl: 30\n    postgresql:\n"
                + "      parameters:\n        hot_standby: 'on'\n");
        assertThat(text.indexOf("\npostgresql:")).isGreaterThan(text.indexOf("bootstrap:"));
        assertThat(text).endsWith("tags:\n  clonefrom: true\n  failover_priority: 1\n  noloadbalance: false\n"
                + "  nostream: false\n  nosync: false\n  sync_priority: 1");
    }

    /** --print: the file with PATRONI_* overrides, keys sorted, passwords hidden (Patroni prints them). */
    @Test
    void printShowsTheLocalConfigurationWithoutPasswords() throws Exception {
        Path f = dir.resolve("p.yml");
        Files.writeString(f, "scope: batman\nname: pg1\npostgresql:\n  authentication:\n    superuser:\n"
                + "      username: postgres\n      password: secret\n"
                + "restapi:\n  listen: 127.0.0.1:8008\n  keyfile_password: hunter2\n");
        String yaml = LocalConfigPrinter.yaml(f, Map.of("PATRONI_NAME", "pg9"));
        assertThat(yaml).contains("name: pg9").contains("password: '******'").doesNotContain("secret")
                .contains("keyfile_password: '******'").doesNotContain("hunter2");
        assertThat(yaml.indexOf("name:")).isLessThan(yaml.indexOf("postgresql:"));
        assertThat(yaml.indexOf("postgresql:")).isLessThan(yaml.indexOf("scope:"));
    }
}
