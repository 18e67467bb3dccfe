package io.haagent.agent.ha;

import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the postgres part of the REST snapshot fresh between HA cycles, when somebody asks. Patroni answers
 * {@code GET /patroni} from a query run for each request, and its peers rely on that: during an election and before
 * a switchover they compare the WAL positions in it with their own and with the leader's last position. A snapshot
 * as old as {@code loop_wait} (10 s in production) made a replica that had just caught up look lagging (a
 * switchover refused with "lags 16777216 bytes behind the leader") and, right after a handover, a lagging replica
 * look as good as a peer that had more WAL.
 *
 * <p>So a request that reads the status ({@link io.haagent.api.StatusBoard#fresh()}) finds it at most {@link #BOUND}
 * old: when the newest reading (the HA cycle's or one of ours) is older, it reads postgres once on this class's
 * thread, however many requests arrive meanwhile, and waits for that reading at most {@link #MAX_WAIT} (a stuck
 * postgres must not hold health checks). Nothing is read when nobody asks: an idle node costs no queries and no
 * wake-ups (issue 15), and the thread ends after a minute without work.
 */
final class StatusRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusRefresher.class);
    static final Duration BOUND = Duration.ofMillis(500);
    /**
     * How old a reading {@code GET /patroni} may serve: none read before the request (a reading already in flight
     * is shared). Peers compare its positions with their own and with the leader's last one: a candidate judged on
     * a half-second-old position, from before the old primary's shutdown records reached it, looked behind the
     * former leader and a third replica took the switchover from it (ManualFailoverIT in CI). Patroni runs the
     * query for each request; health checks, which poll, keep {@link #BOUND}.
     */
    static final Duration PEER_BOUND = Duration.ZERO;
    static final Duration MAX_WAIT = Duration.ofMillis(300);

    /** Receives each reading with the monotonic time its query started. */
    interface Sink {
        void offer(ServerStatus status, long readStartedNanos);
    }

    private final PostgresControl pg;
    private final Clock clock;
    private final Sink sink;
    /** Monotonic time at which the newest published reading was started (the loop's or ours). */
    private final LongSupplier newestReadingNanos;
    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(0, 1, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "status-refresh");
                t.setDaemon(true);
                return t;
            });
    private CompletableFuture<Void> inFlight;

    StatusRefresher(PostgresControl pg, Clock clock, Sink sink, LongSupplier newestReadingNanos) {
        this.pg = pg;
        this.clock = clock;
        this.sink = sink;
        this.newestReadingNanos = newestReadingNanos;
    }

    /**
     * Returns once the published reading is at most {@link #BOUND} old ({@link #PEER_BOUND} for a peer's
     * {@code GET /patroni}), or after {@link #MAX_WAIT}.
     */
    void ensureFresh(boolean forPeer) {
        Duration bound = forPeer ? PEER_BOUND : BOUND;
        if (clock.nanoTime() - newestReadingNanos.getAsLong() <= bound.toNanos()) {
            return;
        }
        CompletableFuture<Void> f;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                try {
                    inFlight = CompletableFuture.runAsync(this::refresh, thread);
                } catch (RejectedExecutionException closed) {
                    return;
                }
            }
            f = inFlight;
        }
        try {
            f.get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // answer from what was published; the reading lands when it comes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refresh() {
        try {
            if (!pg.isRunning()) {
                return;
            }
            long started = clock.nanoTime();
            sink.offer(pg.state(), started);
        } catch (PostgresException e) {
            // starting, stopping, or not answering: the HA loop's own reading says what it is
            LOG.debug("status refresh: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("status refresh failed", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
