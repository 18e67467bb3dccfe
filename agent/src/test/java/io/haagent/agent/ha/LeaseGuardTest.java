package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.pg.PostgresControl;
import io.haagent.time.FakeClock;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseGuardTest {
    private final FakeClock clock = new FakeClock();
    private final LockBelief lock = new LockBelief(clock);
    private final NodeState node = new NodeState(clock, Role.PRIMARY, PostgresState.RUNNING);
    private final AtomicBoolean exempt = new AtomicBoolean();
    private Process postmaster;

    /**
     * A process that, like a postmaster, unblocks SIGQUIT and takes its default action (the JVM's forking thread
     * passes a blocked SIGQUIT on to its children; postgres sets up its own signal mask).
     */
    private static Process standInPostmaster() throws java.io.IOException {
        return new ProcessBuilder("python3", "-c", "import signal, time;"
                + " signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGQUIT]);"
                + " signal.signal(signal.SIGQUIT, signal.SIG_DFL); time.sleep(60)").start();
    }

    /** Only postmasterPid() is used by the guard; it is a real process here (a sleep standing in for postgres). */
    private PostgresControl pgWithPostmaster(Process p) {
        return (PostgresControl) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PostgresControl.class}, (proxy, m, args) -> {
                    if (m.getName().equals("postmasterPid")) {
                        return p == null ? Optional.empty() : Optional.of(p.pid());
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @AfterEach
    void cleanUp() {
        if (postmaster != null) {
            postmaster.destroyForcibly();
        }
    }

    @Test
    void stopsAPrimaryWhoseLockBeliefIsAboutToRunOut() throws Exception {
        postmaster = standInPostmaster();
        LeaseGuard guard = new LeaseGuard(lock, node, pgWithPostmaster(postmaster), exempt::get);
        lock.confirm(clock.nanoTime(), 30);

        clock.advanceSeconds(28);
        assertThat(guard.check()).isFalse();
        assertThat(postmaster.isAlive()).isTrue();

        clock.advance(Duration.ofMillis(1500));
        assertThat(guard.check()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !postmaster.isAlive());
        assertThat(lock.flagged()).isFalse();
        assertThat(node.role()).isEqualTo(Role.DEMOTED);
    }

    @Test
    void aRenewalKeepsItQuiet() throws Exception {
        postmaster = standInPostmaster();
        LeaseGuard guard = new LeaseGuard(lock, node, pgWithPostmaster(postmaster), exempt::get);
        lock.confirm(clock.nanoTime(), 30);
        for (int i = 0; i < 10; i++) {
            clock.advanceSeconds(10);
            lock.confirm(clock.nanoTime(), 30);
            assertThat(guard.check()).isFalse();
        }
        assertThat(postmaster.isAlive()).isTrue();
    }

    @Test
    void replicasPauseAndFailsafeAreLeftAlone() throws Exception {
        postmaster = standInPostmaster();
        LeaseGuard guard = new LeaseGuard(lock, node, pgWithPostmaster(postmaster), exempt::get);
        lock.confirm(clock.nanoTime(), 30);
        clock.advanceSeconds(31);
        exempt.set(true);
        assertThat(guard.check()).isFalse();
        exempt.set(false);
        node.setRole(Role.REPLICA);
        assertThat(guard.check()).isFalse();
        assertThat(postmaster.isAlive()).isTrue();
    }
    /**
     * The running guard sleeps until the deadline less its margin instead of polling; a renewal that moves the
     * deadline earlier (a smaller ttl) wakes it at once: it fires well within its longest sleep.
     */
    @Test
    void theRunningGuardIsWokenByADeadlineThatMovedEarlier() throws Exception {
        postmaster = standInPostmaster();
        lock.confirm(clock.nanoTime(), 30);
        try (LeaseGuard guard = new LeaseGuard(lock, node, pgWithPostmaster(postmaster), exempt::get).start()) {
            long before = System.nanoTime();
            // sent 29.5 s ago (on the fake clock) with ttl 30: 0.5 s of belief left, inside the margin
            lock.confirm(clock.nanoTime() - Duration.ofMillis(29_500).toNanos(), 30);
            await().atMost(Duration.ofSeconds(3)).until(() -> !postmaster.isAlive());
            assertThat(System.nanoTime() - before).isLessThan(LeaseGuard.IDLE_NANOS);
            assertThat(node.role()).isEqualTo(Role.DEMOTED);
        }
    }

    /** Without a renewal, the sleeping guard still wakes by itself (at most its longest sleep) and fires. */
    @Test
    void theRunningGuardWakesByItself() throws Exception {
        postmaster = standInPostmaster();
        lock.confirm(clock.nanoTime(), 30);
        try (LeaseGuard guard = new LeaseGuard(lock, node, pgWithPostmaster(postmaster), exempt::get).start()) {
            clock.advance(Duration.ofMillis(29_500));
            await().atMost(Duration.ofNanos(LeaseGuard.IDLE_NANOS).plusSeconds(3)).until(() -> !postmaster.isAlive());
            assertThat(lock.flagged()).isFalse();
        }
    }
}
