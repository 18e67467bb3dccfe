package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static io.haagent.pg.control.PgTestSupport.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.pg.PostmasterEvent;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A killed postmaster is reported dead within one second, without SQL: both one the agent started (its child)
 * and one it found running after a restart of the agent (adopted through postmaster.pid).
 */
class PostmasterDeathIT {
    private static PostgresFixture fixture;
    private static PostgresTestNode node;
    private static LocalPostgres pg;

    @BeforeAll
    static void primary() {
        fixture = PostgresFixture.create();
        node = fixture.node("pg1");
        pg = PgTestSupport.control(fixture, node, node.config().build());
        pg.bootstrap(LONG);
        pg.postBootstrap(LONG);
    }

    @AfterAll
    static void cleanup() {
        if (pg != null) {
            pg.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** SIGKILLs the postmaster and returns how long until the listener heard of it. */
    private static Duration killAndMeasure(LocalPostgres control) throws Exception {
        CompletableFuture<PostmasterEvent> heard = new CompletableFuture<>();
        control.addPostmasterListener(heard::complete);
        long pid = control.postmasterPid().orElseThrow();
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        long killedAt = System.nanoTime();
        postmaster.destroyForcibly();
        PostmasterEvent ev = heard.get(5, TimeUnit.SECONDS);
        Duration latency = Duration.ofNanos(System.nanoTime() - killedAt);
        assertThat(ev.pid()).isEqualTo(pid);
        assertThat(ev.expected()).as("a kill is not a stop the agent asked for").isFalse();
        return latency;
    }

    @Test
    void aKilledChildPostmasterIsReportedDeadWithinOneSecond() throws Exception {
        if (!pg.isRunning()) {
            pg.start(StartRequest.asPrimary(START));
        }
        Duration latency = killAndMeasure(pg);
        System.out.println("postmaster death noticed (child) after " + latency.toMillis() + " ms");
        assertThat(latency).isLessThan(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(1)).until(() -> !pg.isRunning());
        // the backends notice the death themselves; then it starts again (crash recovery) on the same data
        pg.start(StartRequest.asPrimary(START));
        assertThat(pg.isRunning()).isTrue();
    }

    @Test
    void aKilledAdoptedPostmasterIsReportedDeadWithinOneSecond() throws Exception {
        if (!pg.isRunning()) {
            pg.start(StartRequest.asPrimary(START));
        }
        // a second control on the same node stands for the agent after a restart: it finds postgres running
        LocalPostgres restartedAgent = PgTestSupport.control(fixture, node, node.config().build());
        try {
            assertThat(restartedAgent.isRunning()).isTrue();
            assertThat(restartedAgent.postmasterPid()).isEqualTo(pg.postmasterPid());
            assertThat(restartedAgent.state().isPrimary()).isTrue();
            Duration latency = killAndMeasure(restartedAgent);
            System.out.println("postmaster death noticed (adopted) after " + latency.toMillis() + " ms");
            assertThat(latency).isLessThan(Duration.ofSeconds(1));
            assertThat(restartedAgent.isRunning()).isFalse();
            await().atMost(Duration.ofSeconds(1)).until(() -> !pg.isRunning());
        } finally {
            restartedAgent.close();
        }
        pg.start(StartRequest.asPrimary(START));
    }

    @Test
    void theFirstStateAfterTheKilledPostmasterWasStartedAgainAnswers() throws Exception {
        if (!pg.isRunning()) {
            pg.start(StartRequest.asPrimary(START));
        }
        assertThat(pg.state().isPrimary()).isTrue();
        killAndMeasure(pg);
        await().atMost(Duration.ofSeconds(5)).until(() -> !pg.isRunning());
        pg.start(StartRequest.asPrimary(START));
        // the connection kept from before the crash leads nowhere: it is replaced, not reported as a failure
        assertThat(pg.state().isPrimary()).isTrue();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "lock file started {0} s before the process")
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 3600})
    void aPidFileNamingAnUnrelatedLiveProcessIsNotAPostmasterAndDoesNotBlockTheStart(long age) throws Exception {
        if (!pg.isRunning()) {
            pg.start(StartRequest.asPrimary(START));
        }
        Path pidFile = node.dataDir().resolve("postmaster.pid");
        String original = Files.readString(pidFile, StandardCharsets.UTF_8);
        pg.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(30));
        // a crash left the lock file, and its pid now belongs to another process (pid reuse)
        Process other = new ProcessBuilder("sleep", "600").start();
        try {
            String[] lines = original.split("\n", -1);
            lines[0] = Long.toString(other.pid());
            lines[2] = Long.toString(other.info().startInstant().orElseThrow().getEpochSecond() - age);
            Files.writeString(pidFile, String.join("\n", lines), StandardCharsets.UTF_8);
            assertThat(pg.isRunning()).as("identity check: not a postgres process").isFalse();
            pg.start(StartRequest.asPrimary(START));
            assertThat(pg.isRunning()).isTrue();
            assertThat(pg.postmasterPid().orElseThrow()).isNotEqualTo(other.pid());
            assertThat(other.isAlive()).as("the unrelated process is left alone").isTrue();
        } finally {
            other.destroyForcibly();
        }
    }
}
