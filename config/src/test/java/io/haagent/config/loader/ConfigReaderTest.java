package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ConfigReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void directoryIsMergedInNameOrderLaterFilesWinAndMappingsMergeDeeply() throws IOException {
        write("10-base.yml", """
                scope: main
                postgresql:
                  listen: 10.0.0.11:5432
                  parameters:
                    shared_buffers: 128MB
                    work_mem: 4MB
                  pg_hba:
                  - local all all peer
                  - host all all 10.0.0.0/24 md5
                tags:
                  nofailover: true
                  clonefrom: true
                """);
        write("20-node.yaml", """
                name: pg2
                postgresql:
                  parameters:
                    shared_buffers: 1GB
                  pg_hba:
                  - host replication replicator 10.0.0.0/24 md5
                tags:
                  nofailover:
                """);
        write("05-first.yml", """
                name: pg1
                restapi:
                  listen: 10.0.0.11:8008
                """);
        write("notes.txt", "name: not-read\n");
        write("zz.yml.orig", "name: not-read-either\n");
        Files.createDirectories(dir.resolve("sub.yml"));

        ConfigReader.Result r = ConfigReader.read(dir, Map.of());

        assertThat(r.problems()).isEmpty();
        assertThat(r.files()).containsExactly(dir.resolve("05-first.yml"), dir.resolve("10-base.yml"),
                dir.resolve("20-node.yaml"));
        assertThat(r.tree().toPlain()).isEqualTo(Map.of(
                "name", "pg2",
                "restapi", Map.of("listen", "10.0.0.11:8008"),
                "scope", "main",
                "postgresql", Map.of(
                        "listen", "10.0.0.11:5432",
                        "parameters", Map.of("shared_buffers", "1GB", "work_mem", "4MB"),
                        "pg_hba", List.of("host replication replicator 10.0.0.0/24 md5")),
                // a null in a later file removes the key, as Patroni's patch_config does
                "tags", Map.of("clonefrom", true)));
        assertThat(ConfigTree.at(r.tree(), "name").origin()).hasToString(dir.resolve("20-node.yaml") + ":1");
        assertThat(ConfigTree.at(r.tree(), "postgresql.listen").origin())
                .hasToString(dir.resolve("10-base.yml") + ":3");
        assertThat(ConfigTree.at(r.tree(), "postgresql.parameters.shared_buffers").origin())
                .hasToString(dir.resolve("20-node.yaml") + ":4");
        assertThat(ConfigTree.at(r.tree(), "postgresql.parameters.work_mem").origin())
                .hasToString(dir.resolve("10-base.yml") + ":6");
    }

    @Test
    void problemsInADirectoryCiteTheFileThatSetTheValue() throws IOException {
        Path a = write("a.yml", Files.readString(Path.of("src/test/resources/validate/base.yml")));
        Files.setPosixFilePermissions(a, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        write("b.yml", """
                # override
                restapi:
                  connect_address: 127.0.0.1:8008
                """);
        ConfigLoader.Loaded loaded = ConfigLoader.validate(dir, TestHost.baseCluster());
        assertThat(loaded.problems()).extracting(Problem::format).containsExactly(dir.resolve("b.yml")
                + ":3: warning: restapi.connect_address: 127.0.0.1 is a loopback address: it works only while every"
                + " member, HAProxy and client runs on this host; from another host nobody can reach this node there"
                + " (replication, elections, switchover checks, health checks): set it to the \"host:port\" other"
                + " nodes and HAProxy use to reach this node's REST API, e.g. 10.0.0.11:8008");
    }

    @Test
    void environmentVariablesApplyOnTopOfTheFilesAndAreCitedByName() throws IOException {
        Path f = write("patroni.yml", """
                scope: main
                restapi:
                  listen: 10.0.0.11:8008
                """);
        ConfigReader.Result r = ConfigReader.read(f, Map.of("PATRONI_RESTAPI_LISTEN", "10.0.0.12:8009",
                "PATRONI_NAME", "pg9"));
        assertThat(ConfigTree.at(r.tree(), "restapi.listen").toPlain()).isEqualTo("10.0.0.12:8009");
        assertThat(ConfigTree.at(r.tree(), "restapi.listen").origin()).hasToString("PATRONI_RESTAPI_LISTEN");
        assertThat(ConfigTree.at(r.tree(), "name").origin()).hasToString("PATRONI_NAME");
        assertThat(ConfigTree.at(r.tree(), "scope").origin()).hasToString(f + ":1");
    }

    @Test
    void patroniConfigurationIsTheWholeConfigurationWhenNoPathIsGiven() {
        ConfigReader.Result r = ConfigReader.read(null, Map.of(
                "PATRONI_CONFIGURATION", "scope: main\nname: pg1\nrestapi:\n  listen: 10.0.0.11:8008\n",
                "PATRONI_NAME", "pg9"));
        assertThat(r.label()).isEqualTo("PATRONI_CONFIGURATION");
        assertThat(r.tree().toPlain()).isEqualTo(Map.of("scope", "main", "name", "pg1",
                "restapi", Map.of("listen", "10.0.0.11:8008")));
        assertThat(ConfigTree.at(r.tree(), "restapi.listen").origin()).hasToString("PATRONI_CONFIGURATION:4");
        assertThat(r.problems()).extracting(Problem::format).containsExactly("PATRONI_NAME: warning: (environment):"
                + " ignored: PATRONI_CONFIGURATION holds the whole configuration; put this setting there");
    }

    @Test
    void patroniConfigurationIsIgnoredWhenAPathIsGiven() throws IOException {
        Path f = write("patroni.yml", "scope: main\n");
        ConfigReader.Result r = ConfigReader.read(f, Map.of("PATRONI_CONFIGURATION", "scope: other\n"));
        assertThat(r.tree().toPlain()).isEqualTo(Map.of("scope", "main"));
        assertThat(r.problems()).extracting(Problem::format).containsExactly("PATRONI_CONFIGURATION: warning:"
                + " (environment): ignored: a configuration path was given, which takes precedence; unset it or"
                + " drop the path");
    }

    @Test
    void environmentAloneWhenThereIsNeitherPathNorPatroniConfiguration() {
        ConfigReader.Result r = ConfigReader.read(null, Map.of("PATRONI_SCOPE", "main", "PATRONI_NAME", "pg1",
                "HOME", "/root"));
        assertThat(r.label()).isEqualTo("environment");
        assertThat(r.tree().toPlain()).isEqualTo(Map.of("scope", "main", "name", "pg1"));
    }

    @Test
    void noConfigurationAtAllIsAnErrorThatBlocksTheStart() {
        ConfigReader.Result r = ConfigReader.read(null, Map.of("HOME", "/root"));
        assertThat(r.tree()).isNull();
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.blocksStart()).isTrue();
            assertThat(p.format()).isEqualTo("ha-agent: error: (config): no configuration: give the configuration"
                    + " file or directory as the argument (ha-agent /etc/patroni/config.yml), or set"
                    + " PATRONI_CONFIGURATION or PATRONI_* variables; without an argument ha-agent reads"
                    + " /etc/patroni/config.yml, else /etc/patroni/patroni.yml, and neither exists");
        });
    }

    @Test
    void aPathThatDoesNotExistIsAnErrorNotAFallBackToTheEnvironment() {
        Path missing = dir.resolve("nope.yml");
        ConfigReader.Result r = ConfigReader.read(missing, Map.of("PATRONI_SCOPE", "main"));
        assertThat(r.tree()).isNull();
        assertThat(r.problems()).extracting(Problem::format)
                .containsExactly(missing + ": error: (file): no such file or directory: check the path");
    }

    @Test
    void aDirectoryWithoutYamlFilesIsAnError() throws IOException {
        write("README", "nothing here");
        ConfigReader.Result r = ConfigReader.read(dir, Map.of());
        assertThat(r.problems()).extracting(Problem::format).containsExactly(dir + ": error: (file): the directory"
                + " holds no *.yml or *.yaml file: put the configuration there, or give the file's path");
    }

    @Test
    void aSyntaxErrorInOneFileOfADirectoryCitesThatFileAndLine() throws IOException {
        write("a.yml", "scope: main\n");
        write("b.yml", "name: pg1\nrestapi:\n  listen: [10.0.0.11:8008\n");
        ConfigReader.Result r = ConfigReader.read(dir, Map.of());
        assertThat(r.tree()).isNull();
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.origin().source()).isEqualTo(dir.resolve("b.yml").toString());
            assertThat(p.origin().line()).isEqualTo(4);
            assertThat(p.isError()).isTrue();
            assertThat(p.blocksStart()).isTrue();
        });
    }

    @Test
    void anEmptyConfigurationIsAnError() throws IOException {
        Path f = write("empty.yml", "# nothing\n");
        ConfigReader.Result r = ConfigReader.read(f, Map.of());
        assertThat(r.problems()).extracting(Problem::format).containsExactly(f + ":1: error: (file): the"
                + " configuration is empty: start from examples/patroni.yml");
    }

    // ---- issue 16: what cannot be read says its true cause, in one line, without running out of memory ----

    /** A "billion laughs" document: nine levels of ten aliases each expand to 10^9 values from 1 KB. */
    public static String aliasBomb() {
        StringBuilder b = new StringBuilder("scope: main\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
                + "\"lol\",\"lol\",\"lol\"]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'i'; c++) {
            b.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                b.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            b.append("]\n");
            prev = c;
        }
        return b.toString();
    }

    @Test
    void anAliasBombIsRefusedWithOneLine() throws IOException {
        Path f = write("bomb.yml", aliasBomb());
        ConfigReader.Result r = ConfigReader.read(f, Map.of());
        assertThat(r.tree()).isNull();
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.isError()).isTrue();
            assertThat(p.format()).startsWith(f + ":").contains(": error: (yaml): aliases (*name) expand this"
                    + " document by more than 10000 values, which ha-agent refuses");
        });
        // the same through PATRONI_CONFIGURATION
        ConfigReader.Result env = ConfigReader.read(null, Map.of("PATRONI_CONFIGURATION", aliasBomb()));
        assertThat(env.tree()).isNull();
        assertThat(env.problems()).singleElement().satisfies(p -> assertThat(p.message()).startsWith("aliases"));
    }

    @Test
    void aFewAliasesAreFine() throws IOException {
        Path f = write("anchors.yml", """
                scope: main
                x-pg: &pg
                  parameters: {work_mem: 4MB}
                  pg_hba: [local all all peer]
                postgresql:
                  <<: *pg
                  listen: 10.0.0.11:5432
                """);
        ConfigReader.Result r = ConfigReader.read(f, Map.of());
        assertThat(r.problems()).isEmpty();
        assertThat(r.tree()).isNotNull();
    }

    @Test
    void aValidButHugeFileIsRefusedForItsSize() throws IOException {
        StringBuilder b = new StringBuilder("scope: main\npostgresql:\n  pg_hba:\n");
        while (b.length() < 10_000_000) {
            b.append("  - host all all 10.0.0.0/24 scram-sha-256\n");
        }
        Path f = write("huge.yml", b.toString());
        ConfigReader.Result r = ConfigReader.read(f, Map.of());
        assertThat(r.tree()).isNull();
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.format()).isEqualTo(f + ": error:"
                + " (file): the file is 10.0 MB; ha-agent reads configuration documents of up to 1024 KB (a Patroni"
                + " configuration is a few KB): give the configuration file itself"));
        ConfigReader.Result env = ConfigReader.read(null, Map.of("PATRONI_CONFIGURATION", b.toString()));
        assertThat(env.problems()).singleElement().satisfies(p -> assertThat(p.message())
                .contains("ha-agent reads configuration documents of up to 1024 KB"));
    }

    @Test
    void aBinaryFileIsNamedSo() throws IOException {
        Path gz = dir.resolve("patroni.yml.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("scope: main\nname: pg1\n".repeat(50).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        ConfigReader.Result r = ConfigReader.read(gz, Map.of());
        assertThat(r.tree()).isNull();
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message())
                .startsWith("not a text file (").contains("is this a binary file").doesNotContain("check that it"));
        Path latin1 = dir.resolve("latin1.yml");
        Files.write(latin1, "scope: main\nname: caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(ConfigReader.read(latin1, Map.of()).problems()).singleElement().satisfies(p -> assertThat(p.format())
                .isEqualTo(latin1 + ":2: error: (file): not a text file (byte 0xe9 at offset 21 is not UTF-8): a"
                        + " configuration is YAML text in UTF-8; is this a binary file, or the wrong path?"));
        Path nul = dir.resolve("nul.yml");
        Files.write(nul, new byte[] {'s', 'c', 'o', 'p', 'e', ':', ' ', 'a', '\n', 'x', 0, 'y'});
        assertThat(ConfigReader.read(nul, Map.of()).problems()).singleElement().satisfies(p -> assertThat(p.format())
                .isEqualTo(nul + ":2: error: (file): not a text file (a NUL byte at offset 10): a configuration is"
                        + " YAML text in UTF-8; is this a binary file, or the wrong path?"));
    }

    @Test
    void anUnreadableFileSaysPermissionDenied() throws IOException {
        io.haagent.testing.TestBinaries.assertNotRoot();
        Path f = write("locked.yml", "scope: main\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        assertThat(ConfigReader.read(f, Map.of()).problems()).singleElement().satisfies(p -> assertThat(p.message())
                .startsWith("permission denied: user " + System.getProperty("user.name") + " may not read it"));
    }

    @Test
    void withoutAPathTheFirstDefaultFileThatExistsIsTheNodesFile() throws IOException {
        Path debian = dir.resolve("config.yml");
        Path other = write("patroni.yml", "scope: main\n");
        List<Path> defaults = List.of(debian, other);
        assertThat(ConfigReader.defaultFile(Map.of(), defaults)).isEqualTo(other);
        write("config.yml", "scope: main\n");
        assertThat(ConfigReader.defaultFile(Map.of(), defaults)).isEqualTo(debian);
        assertThat(ConfigReader.defaultFile(Map.of("PATRONI_CONFIGURATION", "scope: x"), defaults)).isNull();
        assertThat(ConfigReader.defaultFile(Map.of(), List.of(dir.resolve("none.yml")))).isNull();
        assertThat(ConfigReader.DEFAULT_FILES).containsExactly(Path.of("/etc/patroni/config.yml"),
                Path.of("/etc/patroni/patroni.yml"));
    }
}
