package io.haagent.agent.ha;

import io.haagent.cluster.Role;
import io.haagent.pg.PostgresControl;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line of safety rule 2, independent of the HA loop: if this node runs as primary and its lock belief is
 * about to run out (the loop neither renewed the lock nor demoted in time: stuck on I/O, a bug), postgres is stopped
 * with an immediate shutdown before the lease can expire and another node can be elected. Normally the loop
 * demotes long before (after at most loop_wait + retry_timeout of failed renewals); this guard should never fire.
 * It does not help against a pause of the whole JVM (that needs a hardware watchdog, §7.1), only against a loop
 * thread that stopped while the process lives.
 */
public final class LeaseGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseGuard.class);
    /** Fire this long before the belief (and so the earliest possible lease expiry) runs out. */
    static final long MARGIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LockBelief lock;
    private final NodeState node;
    private final PostgresControl pg;
    private final BooleanSupplier exempt;
    private final Thread thread;
    private volatile boolean closed;

    /** @param exempt true while the guard must not act (pause, failsafe mode active) */
    public LeaseGuard(LockBelief lock, NodeState node, PostgresControl pg, BooleanSupplier exempt) {
        this.lock = lock;
        this.node = node;
        this.pg = pg;
        this.exempt = exempt;
        this.thread = new Thread(this::watch, "lease-guard");
        this.thread.setDaemon(true);
    }

    public LeaseGuard start() {
        thread.start();
        return this;
    }

    /**
     * Sleeps until the belief's deadline less {@link #MARGIN_NANOS}, then checks. It used to check every 250 ms, a
     * wake-up the host paid for 240 times a minute on every node (issue 15). A renewal or acquisition moves the
     * deadline and wakes the guard ({@link LockBelief#watchedBy}), which then sleeps until the new deadline; so
     * does a deadline that moved earlier (a smaller ttl). Past the margin, with nothing done (the role is not
     * primary, paused, failsafe mode), it checks every 250 ms as before; with no lock, every {@link #IDLE_NANOS}.
     */
    private void watch() {
        lock.watchedBy(Thread.currentThread());
        while (!closed) {
            try {
                check();
            } catch (RuntimeException e) {
                LOG.warn("lease guard check failed: {}", e.toString());
            }
            long left = lock.nanosLeft();
            long sleep = !lock.flagged() ? IDLE_NANOS
                    : left > MARGIN_NANOS ? Math.min(left - MARGIN_NANOS, IDLE_NANOS) : PAST_MARGIN_NANOS;
            java.util.concurrent.locks.LockSupport.parkNanos(this, sleep);
            if (Thread.interrupted()) {
                return;
            }
        }
    }

    /** The longest sleep: a bound on a wake-up missed for any reason. */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long PAST_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** One check; package-private for tests. @return true when it stopped postgres */
    boolean check() {
        if (!lock.flagged() || !node.role().isPrimary() || exempt.getAsBoolean()) {
            return false;
        }
        long left = lock.nanosLeft();
        if (left > MARGIN_NANOS) {
            return false;
        }
        var pid = pg.postmasterPid();
        LOG.error("the leader lock was neither renewed nor given up in time ({} ms of belief left): stopping postgres"
                + " (immediate shutdown) so that it cannot accept writes once another node may be elected",
                TimeUnit.NANOSECONDS.toMillis(left));
        lock.clear();
        node.setRole(Role.DEMOTED);
        pid.ifPresent(LeaseGuard::immediateShutdown);
        return pid.isPresent();
    }

    /**
     * SIGQUIT straight to the postmaster, not {@code pg.stop()}: postgres-control serializes its actions, and the
     * loop this guard stands in for may be stuck inside one of them.
     */
    private static void immediateShutdown(long pid) {
        try {
            Process p = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).redirectErrorStream(true).start();
            p.waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.error("could not signal the postmaster {}: {}", pid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
