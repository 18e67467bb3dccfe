package io.haagent.agent.ha;

import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the postgres part of the REST snapshot fresh between HA cycles. Patroni answers {@code GET /patroni} from a
 * query run for each request, and its peers rely on that: during an election and before a switchover they compare
 * the WAL positions in it with their own and with the leader's last position. A snapshot as old as
 * {@code loop_wait} (10 s in production) made a replica that had just caught up look lagging (a switchover refused
 * with "lags 16777216 bytes behind the leader") and, right after a handover, a lagging replica look as good as a
 * peer that had more WAL. One monitoring query every {@link #PERIOD} bounds that staleness.
 */
final class StatusRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusRefresher.class);
    static final Duration PERIOD = Duration.ofMillis(500);

    /** Receives each reading with the monotonic time its query started. */
    interface Sink {
        void offer(ServerStatus status, long readStartedNanos);
    }

    private final PostgresControl pg;
    private final Clock clock;
    private final Sink sink;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "status-refresh");
        t.setDaemon(true);
        return t;
    });

    StatusRefresher(PostgresControl pg, Clock clock, Sink sink) {
        this.pg = pg;
        this.clock = clock;
        this.sink = sink;
    }

    void start() {
        thread.scheduleWithFixedDelay(this::refresh, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
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
