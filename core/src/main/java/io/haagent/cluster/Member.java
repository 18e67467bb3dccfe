package io.haagent.cluster;

import java.net.URI;
import java.util.Map;

/**
 * The content of {@code members/<name>} (§1.3), plus the etcd metadata of the key. Optional fields are
 * {@code null} when absent. The {@code role} is kept as the wire string (it may be {@code master} or
 * {@code primary} from other tools); {@link #roleEnum()} gives the parsed value.
 */
public record Member(
        String name,
        String connUrl,
        String apiUrl,
        String state,
        String role,
        String version,
        String proxyUrl,
        Boolean checkpointAfterPromote,
        Tags tags,
        boolean pendingRestart,
        Map<String, Map<String, String>> pendingRestartReason,
        Long xlogLocation,
        String replicationState,
        Integer timeline,
        Map<String, Object> scheduledRestart,
        boolean pause,
        long modRevision,
        long lease,
        Long receiveLsn,
        Long replayLsn) {

    public Member {
        tags = tags == null ? Tags.NONE : tags;
    }

    /** Without Patroni 4.1's {@code receive_lsn} and {@code replay_lsn}. */
    public Member(String name, String connUrl, String apiUrl, String state, String role, String version,
            String proxyUrl, Boolean checkpointAfterPromote, Tags tags, boolean pendingRestart,
            Map<String, Map<String, String>> pendingRestartReason, Long xlogLocation, String replicationState,
            Integer timeline, Map<String, Object> scheduledRestart, boolean pause, long modRevision, long lease) {
        this(name, connUrl, apiUrl, state, role, version, proxyUrl, checkpointAfterPromote, tags, pendingRestart,
                pendingRestartReason, xlogLocation, replicationState, timeline, scheduledRestart, pause, modRevision,
                lease, null, null);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.connUrl = connUrl;
        b.apiUrl = apiUrl;
        b.state = state;
        b.role = role;
        b.version = version;
        b.proxyUrl = proxyUrl;
        b.checkpointAfterPromote = checkpointAfterPromote;
        b.tags = tags;
        b.pendingRestart = pendingRestart;
        b.pendingRestartReason = pendingRestartReason;
        b.xlogLocation = xlogLocation;
        b.replicationState = replicationState;
        b.timeline = timeline;
        b.scheduledRestart = scheduledRestart;
        b.pause = pause;
        b.modRevision = modRevision;
        b.lease = lease;
        b.receiveLsn = receiveLsn;
        b.replayLsn = replayLsn;
        return b;
    }

    public Role roleEnum() {
        return Role.parse(role);
    }

    /**
     * The key held member data: a connection or REST URL, which every agent (and Patroni) writes. A value that is
     * not member JSON (written by hand, truncated, 1 MB of garbage) decodes to a member with neither: it keeps its
     * name in listings, as in Patroni, but nothing is derived from it (no replication slot).
     */
    public boolean isReadable() {
        return connUrl != null && !connUrl.isBlank() || apiUrl != null && !apiUrl.isBlank();
    }

    public boolean isRunning() {
        return PostgresState.RUNNING.equals(state);
    }

    public boolean nofailover() {
        return tags.nofailover();
    }

    /** Host of {@code conn_url}, or null when it cannot be parsed. */
    public String host() {
        URI u = connUri();
        return u == null ? null : stripBrackets(u.getHost());
    }

    /** Port of {@code conn_url}, 5432 when the URL has none, or null when it cannot be parsed. */
    public Integer port() {
        URI u = connUri();
        if (u == null) {
            return null;
        }
        return u.getPort() < 0 ? 5432 : u.getPort();
    }

    /** Host and port of {@code api_url}'s authority, for HTTP calls to the member. */
    public URI apiUri() {
        if (apiUrl == null || apiUrl.isBlank()) {
            return null;
        }
        try {
            return URI.create(apiUrl);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private URI connUri() {
        if (connUrl == null || connUrl.isBlank()) {
            return null;
        }
        try {
            return URI.create(connUrl);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String stripBrackets(String h) {
        if (h != null && h.startsWith("[") && h.endsWith("]")) {
            return h.substring(1, h.length() - 1);
        }
        return h;
    }

    /** Mutable builder; the member's fields keep Patroni's meaning. */
    public static final class Builder {
        private final String name;
        private String connUrl;
        private String apiUrl;
        private String state;
        private String role;
        private String version;
        private String proxyUrl;
        private Boolean checkpointAfterPromote;
        private Tags tags = Tags.NONE;
        private boolean pendingRestart;
        private Map<String, Map<String, String>> pendingRestartReason;
        private Long xlogLocation;
        private Long receiveLsn;
        private Long replayLsn;
        private String replicationState;
        private Integer timeline;
        private Map<String, Object> scheduledRestart;
        private boolean pause;
        private long modRevision;
        private long lease;

        private Builder(String name) {
            this.name = name;
        }

        public Builder connUrl(String v) { connUrl = v; return this; }
        public Builder apiUrl(String v) { apiUrl = v; return this; }
        public Builder state(String v) { state = v; return this; }
        public Builder role(String v) { role = v; return this; }
        public Builder role(Role v) { role = v == null ? null : v.wire(); return this; }
        public Builder version(String v) { version = v; return this; }
        public Builder proxyUrl(String v) { proxyUrl = v; return this; }
        public Builder checkpointAfterPromote(Boolean v) { checkpointAfterPromote = v; return this; }
        public Builder tags(Tags v) { tags = v; return this; }
        public Builder pendingRestart(boolean v) { pendingRestart = v; return this; }
        public Builder pendingRestartReason(Map<String, Map<String, String>> v) { pendingRestartReason = v; return this; }
        public Builder xlogLocation(Long v) { xlogLocation = v; return this; }
        public Builder replicationState(String v) { replicationState = v; return this; }
        /** A replica's {@code pg_last_wal_receive_lsn()} (Patroni 4.1's {@code receive_lsn}). */
        public Builder receiveLsn(Long v) { receiveLsn = v; return this; }
        /** A replica's {@code pg_last_wal_replay_lsn()} (Patroni 4.1's {@code replay_lsn}). */
        public Builder replayLsn(Long v) { replayLsn = v; return this; }
        public Builder timeline(Integer v) { timeline = v; return this; }
        public Builder scheduledRestart(Map<String, Object> v) { scheduledRestart = v; return this; }
        public Builder pause(boolean v) { pause = v; return this; }
        public Builder modRevision(long v) { modRevision = v; return this; }
        public Builder lease(long v) { lease = v; return this; }

        public Member build() {
            return new Member(name, connUrl, apiUrl, state, role, version, proxyUrl, checkpointAfterPromote, tags,
                    pendingRestart, pendingRestartReason, xlogLocation, replicationState, timeline,
                    scheduledRestart, pause, modRevision, lease, receiveLsn, replayLsn);
        }
    }
}
