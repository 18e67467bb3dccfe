package io.haagent.agent.ha;

import io.haagent.ha.LongAction;
import io.haagent.ha.Outcome;
import io.haagent.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one background runner for long actions (STYLE 8, Patroni's async executor): bootstrap, clone, start,
 * promote, graceful demote, rewind... One at a time; while it is busy the HA loop keeps the lock and the member
 * key and nothing else. When an action finishes its memory updates are queued for the loop and the loop is woken.
 */
public final class LongActionRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LongActionRunner.class);

    /** The body of a long action; it may check {@link Cancel#requested()} between its steps. */
    @FunctionalInterface
    public interface Body {
        List<Outcome> run(Cancel cancel) throws Exception;
    }

    /** Cooperative cancellation, checked by bodies at safe points (e.g. before {@code pg_ctl promote}). */
    public static final class Cancel {
        private final AtomicBoolean requested = new AtomicBoolean();

        public boolean requested() {
            return requested.get();
        }
    }

    private final Clock clock;
    private final Runnable wake;
    /** Our own thread, or null when the bodies run on an executor given to us (a test's scheduler). */
    private final ExecutorService thread;
    private final java.util.concurrent.Executor executor;
    private final AtomicReference<Running> current = new AtomicReference<>();
    private final List<Outcome> finished = new ArrayList<>();
    private final Object idle = new Object();

    private record Running(LongAction action, Cancel cancel) {
    }

    public LongActionRunner(Clock clock, Runnable wake) {
        this(clock, wake, null);
    }

    /**
     * @param executor where the bodies run; null: a thread of our own. A loop test or the simulator passes a
     *                 scheduler it steps itself, so a long action finishes exactly when the script says.
     */
    public LongActionRunner(Clock clock, Runnable wake, java.util.concurrent.Executor executor) {
        this.clock = clock;
        this.wake = wake;
        this.thread = executor != null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ha-long-action");
            t.setDaemon(true);
            return t;
        });
        this.executor = executor != null ? executor : thread;
    }

    /** The action running now, or null. */
    public LongAction current() {
        Running r = current.get();
        return r == null ? null : r.action();
    }

    /**
     * The action running now, for a decision: the outcomes of an action that ended before it was read (after the
     * cycle's first drain) go to {@code late} first, so that the decision never sees an action gone without what it
     * left (a standby leader's bootstrap that ended then looked unfinished, and post_bootstrap ran on it). An action
     * publishes its outcomes before it stops being current, so reading current first and draining after is enough.
     */
    public LongAction currentWithOutcomes(java.util.function.Consumer<List<Outcome>> late) {
        LongAction a = current();
        List<Outcome> ended = drainFinished();
        if (!ended.isEmpty()) {
            late.accept(ended);
        }
        return a;
    }

    public boolean busy() {
        return current.get() != null;
    }

    /**
     * Start {@code body} in the background.
     *
     * @return null when started, else the name of the action already running (Patroni's try_run_async)
     */
    public String submit(LongAction.Kind kind, String name, Body body) {
        Running r = new Running(new LongAction(kind, name, clock.nanoTime()), new Cancel());
        if (!current.compareAndSet(null, r)) {
            return current.get().action().name();
        }
        executor.execute(() -> {
            List<Outcome> updates = List.of();
            try {
                updates = body.run(r.cancel());
            } catch (Exception | AssertionError e) {
                LOG.error("{} failed: {}", name, e.getMessage(), e.getMessage() == null ? e : null);
            } finally {
                synchronized (finished) {
                    if (updates != null) {
                        finished.addAll(updates);
                    }
                }
                synchronized (idle) {
                    current.set(null);
                    idle.notifyAll();
                }
                wake.run();
            }
        });
        return null;
    }

    /** Wait until no action runs, at most {@code timeout}. @return true when idle */
    public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (current.get() != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** Ask the running action to stop at its next safe point. */
    public void cancel() {
        Running r = current.get();
        if (r != null) {
            r.cancel().requested.set(true);
        }
    }

    /** Memory updates of actions that finished since the last call. */
    public List<Outcome> drainFinished() {
        synchronized (finished) {
            List<Outcome> out = new ArrayList<>(finished);
            finished.clear();
            return out;
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }
}
