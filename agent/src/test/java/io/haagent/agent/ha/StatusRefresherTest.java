package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.Role;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.ServerStatus;
import io.haagent.time.FakeClock;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status the REST API serves is read when a request finds it stale, once for many requests, never on a timer. */
class StatusRefresherTest {
    private final FakeClock clock = new FakeClock();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicLong newest = new AtomicLong(clock.nanoTime());
    private volatile CountDownLatch stuck = new CountDownLatch(0);
    private final StatusRefresher refresher = new StatusRefresher(postgres(), clock,
            (status, startedNanos) -> newest.accumulateAndGet(startedNanos, Math::max), newest::get);

    /** Only isRunning() and state() are used: a running postgres whose status query may hang (stuck). */
    private PostgresControl postgres() {
        return (PostgresControl) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PostgresControl.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "isRunning" -> true;
                    case "state" -> {
                        reads.incrementAndGet();
                        stuck.await(30, TimeUnit.SECONDS);
                        yield new ServerStatus(Role.REPLICA, 1, null, null, null, false, null, null, null, List.of(),
                                Map.of(), 150000, null, "1", null, null);
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @AfterEach
    void close() {
        stuck.countDown();
        refresher.close();
    }

    @Test
    void nothingIsReadWhileNobodyAsks() throws Exception {
        clock.advanceSeconds(600);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> reads.get() == 0);
        assertThat(reads).hasValue(0);
    }

    @Test
    void aRecentReadingIsServedAsItIs() {
        clock.advance(StatusRefresher.BOUND);
        refresher.ensureFresh(false);
        assertThat(reads).hasValue(0);
    }

    @Test
    void aStaleReadingIsReadAgainOnceThenServedUntilItAgesAgain() {
        clock.advanceSeconds(10);
        refresher.ensureFresh(false);
        assertThat(reads).hasValue(1);
        assertThat(newest).hasValue(clock.nanoTime());
        clock.advance(Duration.ofMillis(400));
        refresher.ensureFresh(false);
        refresher.ensureFresh(false);
        assertThat(reads).hasValue(1);
        clock.advance(Duration.ofMillis(200));
        refresher.ensureFresh(false);
        assertThat(reads).hasValue(2);
    }

    @Test
    void aPeersRequestGetsAReadingOfItsOwnWhereAHealthCheckIsServedTheRecentOne() {
        clock.advance(Duration.ofMillis(100));
        refresher.ensureFresh(false);
        assertThat(reads).as("a health check accepts a reading 100 ms old").hasValue(0);
        refresher.ensureFresh(true);
        assertThat(reads).as("GET /patroni, whose positions peers compare, does not").hasValue(1);
        assertThat(newest).hasValue(clock.nanoTime());
        clock.advance(Duration.ofMillis(1));
        refresher.ensureFresh(true);
        assertThat(reads).hasValue(2);
    }

    @Test
    void manyRequestsShareOneReadAndAStuckPostgresHoldsNoneOfThemLong() throws Exception {
        stuck = new CountDownLatch(1);
        clock.advanceSeconds(10);
        List<Thread> requests = new ArrayList<>();
        List<Long> waitedMillis = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            Thread t = new Thread(() -> {
                long t0 = System.nanoTime();
                refresher.ensureFresh(false);
                waitedMillis.add((System.nanoTime() - t0) / 1_000_000);
            });
            requests.add(t);
            t.start();
        }
        for (Thread t : requests) {
            t.join(10_000);
        }
        assertThat(waitedMillis).hasSize(20)
                .allSatisfy(ms -> assertThat(ms).isLessThan(StatusRefresher.MAX_WAIT.toMillis() + 2_000));
        assertThat(reads).as("one query for all of them").hasValue(1);
        stuck.countDown();
    }
}
