package io.haagent.ha;

import io.haagent.cluster.Tags;

/**
 * A peer's answer to {@code GET /patroni} during an election (§2.4 "How peers interpret it"), or the fact
 * that it did not answer.
 *
 * @param inRecovery  false when the peer says it runs as a primary (role master/primary or xlog.location)
 * @param walPosition max(received, replayed) for a replica; 0 for a primary
 * @param timeline    0 when unknown
 */
public record PeerStatus(
        String name,
        boolean reachable,
        boolean inRecovery,
        long walPosition,
        long timeline,
        Tags tags,
        boolean watchdogFailed,
        String error) {

    public static PeerStatus unreachable(String name, String error) {
        return new PeerStatus(name, false, true, 0, 0, Tags.NONE, false, error);
    }

    public static PeerStatus replica(String name, long walPosition, long timeline, Tags tags) {
        return new PeerStatus(name, true, true, walPosition, timeline, tags, false, null);
    }

    public static PeerStatus primary(String name, long timeline, Tags tags) {
        return new PeerStatus(name, true, false, 0, timeline, tags, false, null);
    }

    /** Why this peer may not take over, or null when it may (Patroni's {@code failover_limitation}). */
    public String failoverLimitation() {
        if (!reachable) {
            return "not reachable";
        }
        if (tags != null && tags.nofailover()) {
            return "not allowed to promote";
        }
        if (watchdogFailed) {
            return "not watchdog capable";
        }
        return null;
    }

    public int failoverPriority() {
        return tags == null ? 1 : tags.failoverPriority();
    }
}
