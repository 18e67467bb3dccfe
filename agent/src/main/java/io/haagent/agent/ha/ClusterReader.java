package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.LockStatus;
import io.haagent.time.Clock;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1 of a cycle: etcd and the lock renewal as one read of the world (safety rule 2: the first failure of the
 * cycle ends etcd access for it, so a primary cut off from etcd decides within one retry_timeout). The view passes
 * the {@link ConfigGate} (a config key that fails validation is kept out, the last good one stays in force).
 */
final class ClusterReader {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterReader.class);

    /**
     * @param view     the admitted view, null when etcd failed this cycle
     * @param dcsError why etcd failed, or null
     */
    record Result(ClusterView view, LockStatus lock, String dcsError) {
    }

    private final String name;
    private final Dcs dcs;
    private final LockBelief lock;
    private final ConfigGate gate;
    private final Clock clock;
    private volatile ClusterView lastRaw;

    ClusterReader(String name, Dcs dcs, LockBelief lock, ConfigGate gate, Clock clock) {
        this.name = name;
        this.dcs = dcs;
        this.lock = lock;
        this.gate = gate;
        this.clock = clock;
    }

    /** The last view as etcd had it (its config key unfiltered), for the REST API's /config and /cluster. */
    ClusterView lastRaw() {
        return lastRaw;
    }

    /**
     * @param adopt takes each admitted view's dynamic configuration before the lock is renewed (its ttl applies)
     * @param ttl   the ttl in force, read after {@code adopt}
     */
    Result read(Consumer<ClusterView> adopt, IntSupplier ttl) {
        try {
            long releasesSeen = lock.releases();
            ClusterView v = admit(dcs.cluster(), adopt);
            LockStatus status = LockStatus.NOT_HELD;
            if (name.equals(v.leaderName())) {
                long sent = clock.nanoTime();
                Boolean renewed = lock.renewUnlessReleasedSince(releasesSeen, dcs::renewLeader);
                if (renewed == null) {
                    // we released the key after etcd showed it to us (a switchover's demote): look again
                    v = admit(dcs.cluster(), adopt);
                } else if (renewed) {
                    lock.confirm(sent, ttl.getAsInt());
                    status = LockStatus.HELD;
                } else {
                    lock.clear();
                    status = LockStatus.LOST;
                    LOG.error("failed to update leader lock");
                }
            } else if (lock.flagged()) {
                lock.clear();
            }
            return new Result(v, status, null);
        } catch (DcsUnavailableException e) {
            LOG.error("Error communicating with DCS: {}", e.getMessage());
            return new Result(null, lock.held() ? LockStatus.HELD : LockStatus.NOT_HELD, e.getMessage());
        }
    }

    private ClusterView admit(ClusterView raw, Consumer<ClusterView> adopt) {
        lastRaw = raw;
        ClusterView v = gate.admit(raw);
        adopt.accept(v);
        return v;
    }
}
