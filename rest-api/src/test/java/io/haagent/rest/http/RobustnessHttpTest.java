package io.haagent.rest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.api.ActionOutcome;
import io.haagent.api.SnapshotFixtures;
import io.haagent.rest.RestApiHarness;
import io.haagent.time.Clock;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** No request, however slow, broken or numerous, takes the API down or keeps health checks waiting. */
class RobustnessHttpTest {
    private RestApiHarness h;
    private ExecutorService clients;

    @AfterEach
    void stop() {
        if (clients != null) {
            clients.shutdownNow();
        }
        if (h != null) {
            h.close();
        }
    }

    @Test
    void healthChecksAnswerWhileEveryActionThreadWaitsOnTheAgent() throws Exception {
        h = RestApiHarness.primary();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        h.actions.onRestart(r -> {
            entered.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ActionOutcome.ok("restarted successfully");
        });
        clients = Executors.newFixedThreadPool(24);
        List<CompletableFuture<HttpResponse<String>>> restarts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            restarts.add(CompletableFuture.supplyAsync(() -> h.request("POST", "/restart", "{}"), clients));
        }
        // 4 action threads busy, 16 requests queued behind them.
        await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() == 4);
        // the overflow request must come after all 16 are queued, or it would queue itself and block
        await().atMost(Duration.ofSeconds(10)).until(() -> h.server.actionsWaiting() == 16);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> overflow = h.request("POST", "/restart", "{}");
            assertThat(overflow.statusCode()).isEqualTo(503);
            assertThat(overflow.body()).isEqualTo("too many requests are waiting for etcd or the agent; retry later");
        });
        for (int i = 0; i < 50; i++) {
            assertThat(h.get("/primary").statusCode()).isEqualTo(200);
            assertThat(h.get("/metrics").statusCode()).isEqualTo(200);
        }
        release.countDown();
        for (CompletableFuture<HttpResponse<String>> f : restarts) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anExceptionFromTheAgentIsA500AndTheServerCarriesOn() {
        h = RestApiHarness.primary();
        h.actions.onReinitialize(f -> {
            throw new IllegalStateException("agent bug");
        });
        HttpResponse<String> r = h.request("POST", "/reinitialize", "{}");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("internal error: IllegalStateException");
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
    }

    @Test
    void garbageBodiesAre400() {
        h = RestApiHarness.primary();
        assertThat(h.request("POST", "/switchover", "\u0000\u0001\u00ff garbage").statusCode()).isEqualTo(400);
        String deep = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
        HttpResponse<String> nested = h.request("PATCH", "/config", deep);
        assertThat(nested.statusCode()).isEqualTo(400);
        assertThat(nested.body()).startsWith("request body is not valid JSON").contains("nesting depth");
        HttpResponse<String> infinite = h.request("PATCH", "/config", "{\"postgresql\":{\"x\":[1e99999]}}");
        assertThat(infinite.statusCode()).isEqualTo(400);
        assertThat(infinite.body()).isEqualTo("field 'postgresql.x[0]' is a number out of range");
        assertThat(h.request("PATCH", "/config", "{\"ttl\": 100000000000000000000}").body())
                .contains("ttl: must be an integer from 20 to 86400 (seconds), not 100000000000000000000");
        assertThat(h.actions.configWrites()).isEmpty();
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
    }

    @Test
    void anAnnouncedHugeBodyIsRefusedBeforeItIsSent() throws Exception {
        h = RestApiHarness.primary();
        String reply = raw("PATCH /config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000000000000\r\nConnection: close\r\n\r\n{\"ttl\":");
        assertThat(reply).startsWith("HTTP/1.1 413");
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
    }

    /** Issue 18 defect 5: each client that disconnected mid-body logged a 60-line stack trace. */
    @Test
    void aClientThatGoesAwayMidBodyIsOneDebugLine() throws Exception {
        h = RestApiHarness.primary();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        root.addAppender(seen);
        ch.qos.logback.classic.Level before = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            for (String path : List.of("/switchover", "/config", "/restart")) {
                try (Socket s = new Socket("127.0.0.1", h.server.port())) {
                    String method = path.equals("/config") ? "PATCH" : "POST";
                    s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type:"
                            + " application/json\r\nContent-Length: 1000\r\n\r\n{\"leader\":").getBytes(
                                    StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                }
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("went away")).count()).isEqualTo(3));
            assertThat(h.get("/primary").statusCode()).isEqualTo(200);
            List<ch.qos.logback.classic.spi.ILoggingEvent> events;
            synchronized (seen) { // AppenderBase appends under the appender's lock; server threads may still log
                events = List.copyOf(seen.list);
            }
            List<ch.qos.logback.classic.spi.ILoggingEvent> haagent = events.stream()
                    .filter(e -> e.getLoggerName().startsWith("io.haagent")).toList();
            assertThat(haagent).allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
                assertThat(e.getThrowableProxy()).isNull();
            });
            assertThat(events.stream().filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                    .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())).isEmpty();
        } finally {
            root.setLevel(before);
            root.detachAppender(seen);
        }
    }

    @Test
    void malformedHttpDoesNotHurt() throws Exception {
        h = RestApiHarness.primary();
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /primary HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(raw("GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400");
        // HAProxy's classic check: HTTP/1.0, read the status line, close.
        assertThat(raw("OPTIONS /primary HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(h.get("/primary").statusCode()).isEqualTo(200);
    }

    @Test
    void answersStayConsistentWhileSnapshotsChange() throws Exception {
        h = RestApiHarness.primary();
        clients = Executors.newFixedThreadPool(8);
        List<CompletableFuture<List<String>>> workers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            workers.add(CompletableFuture.supplyAsync(() -> {
                List<String> problems = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    HttpResponse<String> r = h.get("/primary");
                    Map<String, Object> doc = RestApiHarness.json(r);
                    // A 200 on /primary always comes with the primary's document, a 503 with the replica's.
                    boolean primaryDoc = "primary".equals(doc.get("role"));
                    if ((r.statusCode() == 200) != primaryDoc) {
                        problems.add(r.statusCode() + " with role " + doc.get("role"));
                    }
                }
                return problems;
            }, clients));
        }
        for (int i = 0; i < 300; i++) {
            long now = Clock.SYSTEM.nanoTime();
            h.board.publish(i % 2 == 0 ? SnapshotFixtures.replica(now) : SnapshotFixtures.primary(now));
        }
        for (CompletableFuture<List<String>> f : workers) {
            assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
        }
    }

    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", h.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}
