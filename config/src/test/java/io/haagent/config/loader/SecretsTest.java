package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords never appear in any output line, even around values of the wrong type. */
class SecretsTest {
    @TempDir
    Path dir;

    private static final String FILE = """
            scope: main
            name: pg1
            restapi:
              listen: 10.0.0.11:8008
              connect_address: 10.0.0.11:8008
              authentication:
                username: admin
                password: Secret-01
              keyfile_password: [Secret-02]
              request_queue_size: notanumber
            etcd3:
              hosts: [10.0.0.1:2379]
              password: {value: Secret-03}
            etcd:
              url: http://root:Secret-04@10.0.0.1:23x79
            postgresql:
              listen: 10.0.0.11:5432
              connect_address: 10.0.0.11:5432
              data_dir: /nonexistent/ha-agent-test/pg1
              authentication:
                superuser: Secret-05
                replication:
                  username: replicator
                  password: Secret-06
                  pasword: Secret-07
                  sslpassword: 12345678
              replication:
                master:
                  password: [Secret-08]
              pg_hba: [host replication replicator 10.0.0.0/24 md5]
            bootstrap:
              users:
                admin:
                  password: {x: Secret-09}
            ctl:
              auth: ctluser:Secret-10
              keyfile_password: 0777
            """;

    private static final Map<String, String> ENV = Map.of(
            "PATRONI_REWIND_USERNAME", "rewinder",
            "PATRONI_REWIND_PASSWORD", "Secret-11",
            "PATRONI_appuser_PASSWORD", "Secret-12",
            "PATRONI_ETCD_PASSWORD", "Secret-13",
            "PATRONI_CTL_KEYFILE_PASSWORD", "Secret-14");

    private static final List<String> SECRETS = IntStream.rangeClosed(1, 15)
            .mapToObj(i -> String.format("Secret-%02d", i)).toList();

    private String run(Path file, boolean validate) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        if (validate) {
            assertThat(ConfigLoader.validate(file, TestHost.withEnv(ENV)).printValidation(o, e)).isEqualTo(1);
        } else {
            ConfigLoader.Loaded loaded = ConfigLoader.load(file, TestHost.withEnv(ENV));
            assertThat(loaded.canStart()).isFalse();
            loaded.printStartRefusal(e);
        }
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validationReportsTheWrongTypesWithoutShowingAnyPassword() throws IOException {
        Path file = dir.resolve("patroni.yml");
        Files.writeString(file, FILE);
        String output = run(file, true);
        for (String secret : SECRETS) {
            assertThat(output).doesNotContain(secret);
        }
        assertThat(output).doesNotContain("12345678");
        String f = file.toString();
        assertThat(output.lines()).contains(
                f + ":8: warning: restapi.authentication.password: this file holds a password and every user of this"
                        + " host may read it: chmod 600 " + f + " (or move the password to a PATRONI_* environment"
                        + " variable)",
                f + ":9: error: restapi.keyfile_password: must be a string, not a list",
                f + ":13: error: etcd3.password: must be a string, not a mapping",
                f + ":14: error: etcd: both etcd and etcd3 are configured: keep only etcd3 (ha-agent uses etcd3 and"
                        + " ignores this section)",
                f + ":15: error: etcd.url: must be a URL such as http://10.0.0.1:2379, but it has no host",
                f + ":21: error: postgresql.authentication.superuser: must be a mapping, not a string: write username:"
                        + " and password: under it",
                f + ":25: warning: postgresql.authentication.replication.pasword: unknown key; did you mean"
                        + " postgresql.authentication.replication.password?",
                f + ":29: error: postgresql.replication.master.password: must be a string, not a list",
                f + ":34: error: bootstrap.users.admin.password: must be a string, not a mapping",
                f + ":36: warning: ctl.auth: legacy form, still read: write ctl.authentication with username and"
                        + " password");
    }

    @Test
    void theRunPathPrintsItsErrorsWithoutPasswordsEither() throws IOException {
        Path file = dir.resolve("patroni.yml");
        Files.writeString(file, FILE);
        String output = run(file, false);
        assertThat(output).contains("cannot start with " + file);
        for (String secret : SECRETS) {
            assertThat(output).doesNotContain(secret);
        }
    }

    @Test
    void aSyntaxErrorNextToAPasswordDoesNotQuoteIt() throws IOException {
        Path file = dir.resolve("broken.yml");
        Files.writeString(file, "postgresql:\n  authentication:\n    superuser:\n      password: Secret-15 : x\n"
                + "      username: \"postgres\n");
        String output = run(file, true);
        assertThat(output).contains(file + ":4: error: (yaml):").doesNotContain("Secret-15");
    }

    @Test
    void theBuiltConfigurationAndTheTreeDoNotShowPasswords() throws IOException {
        Path file = dir.resolve("patroni.yml");
        Files.writeString(file, FILE.replace("  keyfile_password: [Secret-02]\n", "  keyfile_password: Secret-02\n")
                .replace("superuser: Secret-05", "superuser: {username: postgres, password: Secret-05}")
                .replace("password: [Secret-08]", "password: Secret-08")
                .replace("password: {x: Secret-09}", "password: Secret-09")
                .replace("password: {value: Secret-03}", "password: Secret-03"));
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, TestHost.withEnv(ENV));
        assertThat(loaded.config().postgresql().superuser().password().reveal()).isEqualTo("Secret-05");
        assertThat(loaded.config().etcd().password().reveal()).isEqualTo("Secret-03");
        assertThat(loaded.config().ctl().keyfilePassword().reveal()).isEqualTo("Secret-14");
        assertThat(loaded.config().postgresql().rewind().password().reveal()).isEqualTo("Secret-11");
        String shown = loaded.config().toString() + loaded.toString()
                + ConfigReader.read(file, ENV).tree().toString();
        for (String secret : SECRETS) {
            assertThat(shown).doesNotContain(secret);
        }
    }
}
