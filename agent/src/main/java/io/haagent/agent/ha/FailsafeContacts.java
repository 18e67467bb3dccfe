package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.pg.SlotNames;
import io.haagent.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Failsafe mode's two directions (§3.8): the primary that called our POST /failsafe (it counts as the leader for
 * ttl while etcd is gone), and our own POST /failsafe to every member of the failsafe key when we are the primary
 * that lost etcd. Both become inputs of the decision before it is made.
 */
final class FailsafeContacts {

    /** A primary that called our POST /failsafe: it counts as the leader for ttl (§3.8). */
    public record FailsafeLeader(String name, String apiUrl, String connUrl, Map<String, Long> slots, long atNanos) {
    }

    private final AtomicReference<FailsafeLeader> leader = new AtomicReference<>();
    private final Clock clock;
    private final PeerClient peers;

    FailsafeContacts(Clock clock, PeerClient peers) {
        this.clock = clock;
        this.peers = peers;
    }

    void accept(FailsafeLeader f) {
        leader.set(f);
    }

    /** The primary that called us within ttl, or null. */
    String leaderName(int ttlSeconds) {
        FailsafeLeader f = leader.get();
        if (f == null || clock.nanoTime() - f.atNanos() > TimeUnit.SECONDS.toNanos(ttlSeconds)) {
            return null;
        }
        return f.name();
    }

    /**
     * POST /failsafe to every member of the last failsafe key we saw; true when all accepted.
     *
     * @param walPosition our WAL position for the slots the replicas keep for us, or null when unknown
     */
    boolean heartbeat(ClusterView lastView, String name, String connUrl, String apiUrl, Long walPosition) {
        Map<String, String> fs = lastView == null ? null : lastView.failsafe();
        if (fs == null || !fs.containsKey(name)) {
            return false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("conn_url", connUrl);
        body.put("api_url", apiUrl);
        if (walPosition != null) {
            body.put("slots", Map.of(SlotNames.fromMemberName(name), walPosition));
        }
        return peers.failsafeHeartbeat(name, fs, body);
    }
}
