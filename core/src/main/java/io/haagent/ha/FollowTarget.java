package io.haagent.ha;

/**
 * Whom a replica streams from: a member of the cluster (by name and {@code conn_url}), the remote primary of
 * a standby cluster, or nobody ({@link #NONE}: recovery without upstream, e.g. {@code nostream} or read-only
 * start while holding the lock).
 *
 * @param slotName the slot to use on the upstream, null for none
 */
public record FollowTarget(String memberName, String connUrl, String host, Integer port, boolean remote,
        String slotName) {
    public static final FollowTarget NONE = new FollowTarget(null, null, null, null, false, null);

    public static FollowTarget member(String name, String connUrl, String slotName) {
        return new FollowTarget(name, connUrl, null, null, false, slotName);
    }

    public static FollowTarget remote(String host, Integer port, String slotName) {
        return new FollowTarget(null, null, host, port, true, slotName);
    }

    public boolean isNone() {
        return memberName == null && !remote;
    }

    @Override
    public String toString() {
        if (remote) {
            return "remote " + host + ":" + port;
        }
        return memberName == null ? "nobody" : memberName;
    }
}
