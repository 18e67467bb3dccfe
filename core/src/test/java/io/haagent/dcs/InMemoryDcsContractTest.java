package io.haagent.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.time.FakeClock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;

/** The contract on {@link InMemoryDcs}: time is a {@link FakeClock} the suite advances. */
class InMemoryDcsContractTest extends DcsContractTest {
    private static final Duration STEP = Duration.ofMillis(250);
    private final FakeClock clock = new FakeClock();
    private final InMemoryStore store = new InMemoryStore(clock);

    @Override
    protected Dcs open(String scope, String member) {
        return new InMemoryDcs(store, "/service/", scope, member, ttl());
    }

    @Override
    protected int ttl() {
        return 20;
    }

    @Override
    protected void revokeLease(long leaseId) {
        store.revoke(leaseId);
    }

    @Override
    protected void putLeaderWithoutLease(String scope, String name) {
        synchronized (store) {
            store.put(DcsKeys.of("service", scope).key(DcsKeys.LEADER), name, 0);
        }
    }

    @Override
    protected Time time() {
        return new Time() {
            @Override
            public long nanos() {
                return clock.nanoTime();
            }

            @Override
            public void holdsFor(Duration d, Callable<Boolean> condition) {
                Duration passed = Duration.ZERO;
                while (true) {
                    assertThat(call(condition)).as("still true after %s", passed).isTrue();
                    if (passed.compareTo(d) >= 0) {
                        return;
                    }
                    clock.advance(STEP);
                    passed = passed.plus(STEP);
                }
            }

            /** The clock advances until the waiter returns (it never times out on the wall clock). */
            @Override
            public boolean waited(java.util.concurrent.Future<Boolean> waiter, Duration timeout) throws Exception {
                Duration step = STEP.compareTo(timeout) < 0 ? STEP : timeout;
                Duration passed = Duration.ZERO;
                while (true) {
                    try {
                        return waiter.get(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        assertThat(passed).as("awaitChange returned by %s of fake time", timeout)
                                .isLessThanOrEqualTo(timeout.plus(STEP));
                        clock.advance(step);
                        passed = passed.plus(step);
                    }
                }
            }

            @Override
            public void within(Duration d, Callable<Boolean> condition) {
                Duration passed = Duration.ZERO;
                while (true) {
                    try {
                        // background waiters look again at each advance of the clock
                        await().atMost(Duration.ofMillis(40)).pollInterval(Duration.ofMillis(2)).until(condition);
                        return;
                    } catch (ConditionTimeoutException e) {
                        if (passed.compareTo(d) >= 0) {
                            throw new AssertionError("not true within " + d + " of fake time", e);
                        }
                    }
                    clock.advance(STEP);
                    passed = passed.plus(STEP);
                }
            }
        };
    }

    @org.junit.jupiter.api.Test
    void aWaiterTimesOutOnTheFakeClockNeverOnTheWallClock() throws Exception {
        Dcs a = open("fake-time", "a");
        java.util.concurrent.FutureTask<Boolean> wait = new java.util.concurrent.FutureTask<>(
                () -> a.awaitChange(Duration.ofMillis(100)));
        new Thread(wait, "await-a").start();
        // ten times its timeout in real time, and still waiting: only the clock ends it
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !wait.isDone());
        clock.advance(Duration.ofMillis(100));
        assertThat(wait.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("timed out on the fake clock").isFalse();
        a.close();
    }

    private static boolean call(Callable<Boolean> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
