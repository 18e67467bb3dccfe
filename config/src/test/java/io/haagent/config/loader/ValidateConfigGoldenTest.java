package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.testing.TestBinaries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ha-agent --validate-config}'s output ({@link ConfigLoader.Loaded#printValidation}), pinned line by
 * line against golden files in {@code src/test/resources/validate/*.out}: stdout, then {@code --- stderr}, then {@code --- exit N}.
 * {@code @DIR@} stands for the directory the file was copied to. The network answers are fixed
 * ({@link FixedNetwork}) so that the lines do not depend on what this machine runs; binaries and files are
 * real. With {@code -Dgolden.update=true} the golden files are rewritten (review the diff before committing).
 */
class ValidateConfigGoldenTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void postgresqlInstalled() {
        TestBinaries.postgresBinDir(); // the seed and the example find PostgreSQL 15 on PATH or in Debian's layout
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "bad-syntax", "wrong-type", "unknown-key", "typo", "missing-required",
            "bad-address", "dynamic"})
    void brokenFiles(String name) throws IOException {
        Path file = copy(resource("validate/" + name + ".yml"), name + ".yml", "rw-------");
        assertGolden(name, TestHost.baseCluster(), file);
    }

    /** The deployment guide's file as users have it: readable by everyone, run by the postgres OS user. */
    @Test
    void seed() throws IOException {
        Path file = copy(resource("seed/patroni.yml"), "patroni.yml", "rw-r--r--");
        assertGolden("seed", TestHost.postgresUser(), file);
    }

    /** The project's example: nothing to say but that its etcd does not answer here. */
    @Test
    void example() throws IOException {
        Path file = copy(Files.newInputStream(Path.of("..", "examples", "patroni.yml")), "patroni.yml", "rw-------");
        assertGolden("example", TestHost.postgresUser(), file);
    }

    private void assertGolden(String name, HostEnvironment host, Path file) throws IOException {
        String actual = runValidate(host, file.toString()).replace(dir.toString(), "@DIR@");
        Path golden = Path.of("src", "test", "resources", "validate", name + ".out");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(golden));
    }

    static String runValidate(HostEnvironment host, String file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ConfigLoader.validate(Path.of(file), host).printValidation(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8) + "--- stderr\n" + err.toString(StandardCharsets.UTF_8)
                + "--- exit " + code + "\n";
    }

    private Path copy(InputStream in, String name, String perms) throws IOException {
        Path target = dir.resolve(name);
        try (in) {
            Files.copy(in, target);
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(perms));
        return target;
    }

    static InputStream resource(String name) {
        InputStream in = ValidateConfigGoldenTest.class.getClassLoader().getResourceAsStream(name);
        assertThat(in).as("test resource " + name).isNotNull();
        return in;
    }
}
