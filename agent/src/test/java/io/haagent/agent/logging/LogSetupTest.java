package io.haagent.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.config.LogConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real logback, configured from {@code log:}, writing to stderr or to rotated files. */
class LogSetupTest {
    private static final String STAMP = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}";
    private final PrintStream originalErr = System.err;

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        LogSetup.stop();
        System.setErr(originalErr);
    }

    private static LogConfig config(String type, String level, String dir, Integer fileNum, Long fileSize,
            Map<String, Object> staticFields, Map<String, String> loggers) {
        LogConfig d = LogConfig.DEFAULT;
        return new LogConfig(type, level, d.tracebackLevel(), d.format(), null, staticFields, d.maxQueueSize(), dir,
                fileNum, fileSize, loggers);
    }

    private List<String> fileLines() throws IOException {
        Path f = dir.resolve(LogSetup.FILE_NAME);
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    /** Issue 18 defect 5: a member name with a line feed forged an ERROR record; NULs were written raw. */
    @Test
    void whatARecordQuotesCannotForgeAnotherRecord() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        LogSetup.configure(LogConfig.DEFAULT);
        Logger log = LoggerFactory.getLogger("io.haagent.test");
        log.info("following a leader ({})", "pg1\n2026-01-01 00:00:00,000 ERROR: forged\u0000\u001b[31m");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("forged"));
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).singleElement().asString().matches(STAMP + " INFO: following a leader \\(pg1\\\\n2026.*")
                .endsWith("ERROR: forged\\0\\x1b[31m)").doesNotContain("\u0000", "\u001b");
    }

    @Test
    void byDefaultPlainLinesGoToStderrInPatronisFormat() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        LogSetup.configure(LogConfig.DEFAULT);
        Logger log = LoggerFactory.getLogger("io.haagent.test");
        log.debug("not shown at INFO");
        log.info("no action. I am (pg1), the leader with the lock");
        log.warn("careful");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(err.toString(StandardCharsets.UTF_8)
                .lines()).hasSize(2));
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).matches(STAMP + " INFO: " + Pattern.quote("no action. I am (pg1), the leader with the lock"));
        assertThat(lines.get(1)).matches(STAMP + " WARNING: careful");
    }

    @Test
    void levelsPerLoggerAndJavaUtilLoggingGoThroughTheSameSetup() throws IOException {
        LogSetup.configure(config("plain", "WARNING", dir.toString(), null, null, Map.of(),
                Map.of("io.haagent.chatty", "DEBUG", "io.grpc", "ERROR")));
        LoggerFactory.getLogger("io.haagent.quiet").info("dropped: below WARNING");
        LoggerFactory.getLogger("io.haagent.chatty").debug("kept: this logger is at DEBUG");
        java.util.logging.Logger.getLogger("org.eclipse.jetty.server").warning("from JUL");
        java.util.logging.Logger.getLogger("io.grpc.netty").warning("dropped: io.grpc is at ERROR");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fileLines()).hasSize(2));
        assertThat(fileLines().get(0)).matches(STAMP + " DEBUG: kept: this logger is at DEBUG");
        assertThat(fileLines().get(1)).matches(STAMP + " WARNING: from JUL");
    }

    @Test
    void filesRotateAtFileSizeKeepingFileNumOldFiles() {
        LogSetup.configure(config("plain", "INFO", dir.toString(), 2, 2000L, Map.of(), Map.of()));
        Logger log = LoggerFactory.getLogger("io.haagent.test");
        String filler = "x".repeat(100);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < 30; i++) {
                log.info(filler);
            }
            assertThat(dir.resolve("patroni.log.2")).exists();
        });
        for (int i = 0; i < 200; i++) {
            log.info(filler);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(dir.resolve("patroni.log")).exists());
        assertThat(dir.resolve("patroni.log.1")).exists();
        assertThat(dir.resolve("patroni.log.3")).doesNotExist();
    }

    @Test
    void jsonLinesWithTheFormatsFieldsAndStaticFields() throws IOException {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("app", "ha-agent");
        fields.put("dc", 3);
        LogSetup.configure(config("json", "INFO", dir.toString(), null, null, fields, Map.of()));
        LoggerFactory.getLogger("io.haagent.test").warn("a \"quoted\"\tmessage");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fileLines()).hasSize(1));
        assertThat(fileLines().get(0)).matches("\\{\"asctime\": \"" + STAMP + "\", \"levelname\": \"WARNING\","
                + " \"message\": \"a \\\\\"quoted\\\\\"\\\\tmessage\", \"app\": \"ha-agent\", \"dc\": 3}");
    }

    @Test
    void exceptionsFollowTheirLineUnlessTracebacksAreForDebugOnly() throws IOException {
        LogSetup.configure(config("plain", "INFO", dir.toString(), null, null, Map.of(), Map.of()));
        LoggerFactory.getLogger("t").error("failed", new IllegalStateException("boom"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fileLines()).hasSizeGreaterThan(1));
        assertThat(fileLines().get(1)).isEqualTo("java.lang.IllegalStateException: boom");
        LogSetup.stop();

        LogConfig d = LogConfig.DEFAULT;
        Files.delete(dir.resolve(LogSetup.FILE_NAME));
        LogSetup.configure(new LogConfig("plain", "INFO", "DEBUG", d.format(), null, Map.of(), 1000, dir.toString(),
                null, null, Map.of()));
        LoggerFactory.getLogger("t").error("failed quietly", new IllegalStateException("boom"));
        LoggerFactory.getLogger("t").error("next");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fileLines()).hasSize(2));
        assertThat(fileLines().get(0)).endsWith("ERROR: failed quietly");
    }
}
