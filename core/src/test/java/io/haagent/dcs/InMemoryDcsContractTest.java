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

            @Override
            public void within(Duration d, Callable<Boolean> condition) {
                Duration passed = Duration.ZERO;
                while (true) {
                    try {
                        // background waiters poll the store every few real milliseconds
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

    private static boolean call(Callable<Boolean> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
