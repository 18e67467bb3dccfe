package io.haagent.pg.control;

import io.haagent.pg.PostgresException;
import io.haagent.pg.ServerStatus;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The replay timeline of a replica whose walreceiver is down, asked of the server itself (see {@link #apply}). */
final class ReplayTimeline {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayTimeline.class);

    private final NodeContext ctx;
    private final Object lock = new Object();
    private long askedAtNanos;
    private long timeline;
    private boolean warned;

    ReplayTimeline(NodeContext ctx) {
        this.ctx = ctx;
    }

    /**
     * A replica whose walreceiver is down (its primary just died, or it restores from the archive) has no
     * received timeline, and pg_control's checkpoint timeline lags until the next restartpoint, possibly by
     * several failovers: that replica would call itself behind the cluster's timeline and refuse to be elected.
     * As Patroni does, ask the server itself: IDENTIFY_SYSTEM answers the replay timeline. Asked when the
     * walreceiver stops, then every 10 s at most; when it cannot be asked (pg_hba.conf refuses the replication
     * user locally), the pg_control value stays, with one warning.
     */
    ServerStatus apply(ServerStatus s) {
        boolean receiving = s.walReceiver() != null && s.walReceiver().receivedTimeline() != null
                && s.walReceiver().receivedTimeline() > 0;
        synchronized (lock) {
            if (!s.inRecovery() || receiving) {
                // asked again as soon as the walreceiver stops (its primary died: an election may follow)
                askedAtNanos = 0;
                return s;
            }
            long now = System.nanoTime();
            // then every 10 s at most: a replica that only restores from the archive would otherwise open a
            // replication connection (a line in a log_connections log) every cycle
            if (askedAtNanos == 0 || now - askedAtNanos > 10_000_000_000L) {
                try (java.sql.Connection repl = ctx.localReplicationConnection("ha-agent timeline")) {
                    timeline = io.haagent.pg.sql.ReplicationProtocol.identifySystem(repl).timeline();
                    askedAtNanos = now;
                } catch (SQLException | PostgresException e) {
                    if (!warned) {
                        warned = true;
                        LOG.warn("cannot read the replay timeline with IDENTIFY_SYSTEM ({}); using pg_control's,"
                                + " which can lag behind after a failover. Let the replication user connect locally"
                                + " in pg_hba.conf", e.getMessage());
                    }
                    return s;
                }
            }
            return timeline <= 0 || timeline == s.timeline() ? s : s.withTimeline(timeline);
        }
    }
}
