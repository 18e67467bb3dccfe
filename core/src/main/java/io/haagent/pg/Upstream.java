package io.haagent.pg;

import io.haagent.cluster.Member;
import java.util.Objects;

/**
 * A PostgreSQL server this node talks to as a client: the member to follow, clone from or rewind from.
 * Only the address is here; credentials come from this node's {@code postgresql.authentication} (every member
 * of a Patroni cluster shares them), and {@code application_name} is this node's member name.
 *
 * @param memberName the member's name, for messages (may be null for a remote standby-cluster primary)
 */
public record Upstream(String memberName, String host, int port) {

    public Upstream {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("upstream host is empty");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("upstream port out of range: " + port);
        }
    }

    public static Upstream of(String host, int port) {
        return new Upstream(null, host, port);
    }

    /**
     * The member's {@code conn_url} host and port.
     *
     * @throws IllegalArgumentException when the member has no usable {@code conn_url}; the message names it
     */
    public static Upstream of(Member member) {
        String host = member.host();
        Integer port = member.port();
        if (host == null || port == null) {
            throw new IllegalArgumentException("member " + member.name() + " has no usable conn_url ('"
                    + member.connUrl() + "'): cannot connect to it");
        }
        return new Upstream(member.name(), host, port);
    }

    @Override
    public String toString() {
        String addr = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return memberName == null ? addr : memberName + " (" + addr + ")";
    }
}
