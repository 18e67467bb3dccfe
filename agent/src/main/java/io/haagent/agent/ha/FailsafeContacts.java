package io.haagent.agent.ha;

import io.haagent.ha.FailsafeContact;
import io.haagent.cluster.ClusterView;
import io.haagent.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Failsafe mode's two directions (§3.8): the primary that called our POST /failsafe (it counts as the leader for
 * ttl while etcd is gone), and our own POST /failsafe to every member of the failsafe key when we are the primary
 * that lost etcd. Both become inputs of the decision before it is made.
 */
final class FailsafeContacts {

    private final AtomicReference<FailsafeContact> contact = new AtomicReference<>();
    /**
     * The failsafe key as this node last read it from etcd or wrote it, whichever came last: Patroni's
     * {@code dcs.failsafe}. A primary that wrote the key (failsafe mode just enabled, or a member just joined) and
     * lost etcd before its next read must ask the members it wrote, not those of its last read, which may not name it.
     */
    private volatile Map<String, String> known;
    private final Clock clock;
    private final PeerClient peers;

    FailsafeContacts(Clock clock, PeerClient peers) {
        this.clock = clock;
        this.peers = peers;
    }

    /** A POST /failsafe accepted; the decider judges whether it still counts ({@code FailsafeState#counts}). */
    void accept(FailsafeContact f) {
        contact.set(f);
    }

    /** A view read from etcd: its failsafe key (null when there is none) is what we know now. */
    void read(ClusterView v) {
        known = v.failsafe();
    }

    /** The failsafe key we have just written. */
    void wrote(Map<String, String> failsafe) {
        known = failsafe;
    }

    /** The last POST /failsafe accepted, or null. */
    FailsafeContact last() {
        return contact.get();
    }

    /**
     * POST /failsafe to every member of the failsafe key as we last read or wrote it; true when all accepted.
     *
     * @param slots what status.slots would say (permanent slots and our member slot at our WAL position): replicas
     *              advance their copies of the permanent slots to it (§3.8); null when unknown
     */
    boolean heartbeat(String name, String connUrl, String apiUrl, Map<String, Long> slots) {
        Map<String, String> fs = known;
        if (fs == null || !fs.containsKey(name)) {
            return false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("conn_url", connUrl);
        body.put("api_url", apiUrl);
        if (slots != null) {
            body.put("slots", slots);
        }
        return peers.failsafeHeartbeat(name, fs, body);
    }
}
