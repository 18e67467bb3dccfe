package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.time.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lock belief: its deadline, and renewals ordered against voluntary releases of the key. */
class LockBeliefTest {
    private final FakeClock clock = new FakeClock();
    private final LockBelief lock = new LockBelief(clock);

    @Test
    void theBeliefEndsTtlAfterTheRenewalWasSent() {
        long sent = clock.nanoTime();
        clock.advanceSeconds(1);
        lock.confirm(sent, 20);
        assertThat(lock.held()).isTrue();
        clock.advanceSeconds(18);
        assertThat(lock.held()).isTrue();
        clock.advanceSeconds(1);
        assertThat(lock.held()).as("20 s after the renewal was sent, not after it was confirmed").isFalse();
    }

    @Test
    void aRenewalDecidedOnAViewReadBeforeAReleaseIsSkipped() {
        lock.confirm(clock.nanoTime(), 20);
        long seen = lock.releases();
        // a switchover's demote releases the key on another thread after the loop read the view
        assertThat(lock.releasing(() -> true)).isTrue();
        assertThat(lock.held()).isFalse();
        AtomicInteger renewals = new AtomicInteger();
        assertThat(lock.renewUnlessReleasedSince(seen, () -> renewals.incrementAndGet() > 0)).isNull();
        assertThat(renewals).as("the renewal would have put the released key back").hasValue(0);
        // a view read after the release renews as usual
        assertThat(lock.renewUnlessReleasedSince(lock.releases(), () -> renewals.incrementAndGet() > 0)).isTrue();
    }

    @Test
    void aReleaseWaitsForARenewalInFlight() throws Exception {
        CountDownLatch renewing = new CountDownLatch(1);
        CountDownLatch finishRenewal = new CountDownLatch(1);
        CompletableFuture<Boolean> renewal = CompletableFuture.supplyAsync(() ->
                lock.renewUnlessReleasedSince(lock.releases(), () -> {
                    renewing.countDown();
                    try {
                        return finishRenewal.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }));
        assertThat(renewing.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> release = CompletableFuture.supplyAsync(() -> lock.releasing(() -> true));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !release.isDone());
        finishRenewal.countDown();
        assertThat(renewal.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(release.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(lock.releases()).isEqualTo(1);
    }
}
