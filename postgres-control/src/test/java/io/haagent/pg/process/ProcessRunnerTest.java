package io.haagent.pg.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.haagent.pg.PostgresException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner against real processes ({@code /bin/sh}, {@code sleep}). */
class ProcessRunnerTest {
    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void reportsStatusDurationAndTheLastLinesOfBothStreams() {
        ToolResult r = runner.run(ToolCommand.of("shtest", List.of("/bin/sh", "-c",
                "for i in $(seq 1 30); do echo out $i; done; echo err >&2; exit 3"), Duration.ofSeconds(30)));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.report().timedOut()).isFalse();
        // stderr is kept even when a chatty stdout arrives after it (two pipes, two reader threads)
        assertThat(r.report().lastLines()).hasSize(ProcessRunner.TAIL_LINES).contains("err", "out 30")
                .doesNotContain("out 1", "out 10");
        assertThat(r.report().summary()).startsWith("shtest exited with status 3 after").contains("out 30");
    }

    @Test
    void aTimeoutKillsTheToolAndTheChildrenItStarted() {
        long start = System.nanoTime();
        ToolResult r = runner.run(ToolCommand.of("hang", List.of("/bin/sh", "-c",
                "sleep 600 & echo child $!; wait"), Duration.ofSeconds(1)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThat(r.report().timedOut()).isTrue();
        assertThat(r.exitCode()).isNull();
        long child = Long.parseLong(r.report().lastLines().get(0).replace("child ", ""));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        assertThat(r.report().summary()).contains("was killed after its timeout");
    }

    @Test
    void parsedOutputRunsInTheCLocaleAndPatroniVariablesStayBehind() {
        ToolResult r = runner.run(ToolCommand.of("env", List.of("/usr/bin/env"), Duration.ofSeconds(10))
                .capturingStdout().withEnv("EXTRA", "1"));
        assertThat(r.stdout()).contains("LC_ALL=C\n").contains("LANG=C\n").contains("EXTRA=1\n")
                .doesNotContain("PATRONI_").doesNotContain("NOTIFY_SOCKET");
        ToolResult inherited = runner.run(ToolCommand.of("env", List.of("/usr/bin/env"), Duration.ofSeconds(10))
                .capturingStdout().withInheritedLocale());
        assertThat(inherited.stdout().contains("LC_ALL=C\n")).isEqualTo("C".equals(System.getenv("LC_ALL")));
    }

    @Test
    void aMissingExecutableIsBinaryMissing() {
        assertThatThrownBy(() -> runner.run(ToolCommand.of("pg_nothing", List.of("/nonexistent/pg_nothing"),
                Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(PostgresException.BinaryMissing.class, e ->
                        assertThat(e.tool()).isEqualTo("pg_nothing"))
                .hasMessageContaining("/nonexistent/pg_nothing");
    }

    @Test
    void backgroundRunsReportWhenTheyEndAndCanBeKilled() throws Exception {
        RunningTool quick = runner.start(ToolCommand.of("quick", List.of("/bin/sh", "-c", "echo hi"),
                Duration.ofSeconds(10)));
        assertThat(quick.result().get().report().lastLines()).containsExactly("hi");
        RunningTool slow = runner.start(ToolCommand.of("slow", List.of("/bin/sh", "-c", "sleep 600"),
                Duration.ofSeconds(60)));
        slow.kill();
        assertThat(slow.result().get().report().timedOut()).as("killed, not exited").isTrue();
        RunningTool limited = runner.start(ToolCommand.of("limited", List.of("sleep", "600"), Duration.ofMillis(300)));
        assertThat(limited.result().get().report().timedOut()).isTrue();
    }
}
