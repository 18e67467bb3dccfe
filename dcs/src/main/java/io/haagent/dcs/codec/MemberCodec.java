package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.haagent.cluster.Member;
import io.haagent.cluster.Tags;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code members/<name>} (reference §1.3). Written in the field order of Patroni's {@code Ha.touch_member}:
 * conn_url, api_url, state, role, version, then the optional proxy_url, checkpoint_after_promote, tags,
 * pending_restart, pending_restart_reason, xlog_location, replay_lsn and receive_lsn (Patroni 4.1),
 * replication_state, timeline, scheduled_restart, pause. Read leniently: a legacy {@code postgres://...?application_name=<api_url>} URL is accepted (its
 * password dropped), and a value that is not a JSON object gives a member with no data (Patroni keeps such a
 * member too).
 */
public final class MemberCodec {
    private MemberCodec() {
    }

    public static String encode(Member m) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("conn_url", m.connUrl());
        data.put("api_url", m.apiUrl());
        data.put("state", m.state());
        data.put("role", m.role());
        data.put("version", m.version());
        if (m.proxyUrl() != null && !m.proxyUrl().isEmpty()) {
            data.put("proxy_url", m.proxyUrl());
        }
        // Patroni only ever writes the literal false: "this leader has not checkpointed since its promotion"
        if (Boolean.FALSE.equals(m.checkpointAfterPromote())) {
            data.put("checkpoint_after_promote", false);
        }
        if (!m.tags().isEmpty()) {
            data.put("tags", m.tags().values());
        }
        if (m.pendingRestart()) {
            data.put("pending_restart", true);
        }
        if (m.pendingRestartReason() != null && !m.pendingRestartReason().isEmpty()) {
            Map<String, Object> reasons = new LinkedHashMap<>();
            m.pendingRestartReason().forEach((guc, diff) -> reasons.put(guc, restartDiff(diff)));
            data.put("pending_restart_reason", reasons);
        }
        if (m.xlogLocation() != null) {
            data.put("xlog_location", m.xlogLocation());
        }
        // Patroni 4.1: a replica's positions, after xlog_location
        if (m.replayLsn() != null && m.replayLsn() != 0) {
            data.put("replay_lsn", m.replayLsn());
        }
        if (m.receiveLsn() != null && m.receiveLsn() != 0) {
            data.put("receive_lsn", m.receiveLsn());
        }
        if (m.replicationState() != null && !m.replicationState().isEmpty()) {
            data.put("replication_state", m.replicationState());
        }
        if (m.timeline() != null && m.timeline() != 0) {
            data.put("timeline", m.timeline());
        }
        if (m.scheduledRestart() != null && !m.scheduledRestart().isEmpty()) {
            data.put("scheduled_restart", m.scheduledRestart());
        }
        if (m.pause()) {
            data.put("pause", true);
        }
        return PythonJson.dumps(data);
    }

    /** {@code old_value} before {@code new_value}, as Patroni's {@code get_param_diff} builds it. */
    private static Map<String, Object> restartDiff(Map<String, String> diff) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (diff == null) {
            return out;
        }
        if (diff.containsKey("old_value")) {
            out.put("old_value", diff.get("old_value"));
        }
        if (diff.containsKey("new_value")) {
            out.put("new_value", diff.get("new_value"));
        }
        diff.forEach(out::putIfAbsent);
        return out;
    }

    /**
     * @param fullKey for the garbage report
     */
    public static Member decode(String name, String value, long modRevision, long lease, String fullKey,
            GarbageLog garbage) {
        Member.Builder b = Member.builder(name).modRevision(modRevision).lease(lease);
        if (value == null) {
            return b.build();
        }
        if (value.startsWith("postgres")) {
            return legacyUrl(b, value);
        }
        Map<String, Object> data;
        try {
            data = JsonValues.map(PythonJson.parse(value));
            if (data == null) {
                garbage.report(fullKey, modRevision, value, "not a JSON object");
                return b.build();
            }
        } catch (JsonProcessingException e) {
            garbage.report(fullKey, modRevision, value, "not JSON (" + e.getOriginalMessage() + ")");
            return b.build();
        }
        String connUrl = JsonValues.str(data.get("conn_url"));
        if (connUrl == null || connUrl.isEmpty()) {
            connUrl = fromConnKwargs(JsonValues.map(data.get("conn_kwargs")));
        }
        b.connUrl(connUrl)
                .apiUrl(JsonValues.str(data.get("api_url")))
                .state(JsonValues.str(data.get("state")))
                .role(JsonValues.str(data.get("role")))
                .version(JsonValues.str(data.get("version")))
                .proxyUrl(JsonValues.str(data.get("proxy_url")))
                .pendingRestart(JsonValues.pythonBool(data.get("pending_restart")))
                .xlogLocation(JsonValues.toLong(data.get("xlog_location")))
                .receiveLsn(JsonValues.toLong(data.get("receive_lsn")))
                .replayLsn(JsonValues.toLong(data.get("replay_lsn")))
                .replicationState(JsonValues.str(data.get("replication_state")))
                .timeline(JsonValues.toInt(data.get("timeline")))
                .scheduledRestart(JsonValues.map(data.get("scheduled_restart")))
                .pause(JsonValues.pythonBool(data.get("pause")));
        if (data.containsKey("checkpoint_after_promote")) {
            b.checkpointAfterPromote(JsonValues.pythonBool(data.get("checkpoint_after_promote")));
        }
        Map<String, Object> tags = JsonValues.map(data.get("tags"));
        b.tags(tags == null ? Tags.NONE : new Tags(tags));
        Map<String, Object> reasons = JsonValues.map(data.get("pending_restart_reason"));
        if (reasons != null) {
            Map<String, Map<String, String>> r = new LinkedHashMap<>();
            reasons.forEach((guc, diff) -> {
                Map<String, Object> d = JsonValues.map(diff);
                if (d != null) {
                    Map<String, String> values = new LinkedHashMap<>();
                    d.forEach((k, v) -> values.put(k, JsonValues.str(v)));
                    r.put(guc, values);
                }
            });
            b.pendingRestartReason(r);
        }
        return b.build();
    }

    /**
     * The original Governor format, {@code postgres://user:pass@host:port/db?application_name=<api_url>}: the
     * query goes, the rest is the connection URL; {@code application_name} is the REST API URL.
     */
    private static Member legacyUrl(Member.Builder b, String value) {
        String connUrl = value;
        String apiUrl = null;
        int q = value.indexOf('?');
        if (q >= 0) {
            int hash = value.indexOf('#', q);
            String query = hash < 0 ? value.substring(q + 1) : value.substring(q + 1, hash);
            connUrl = value.substring(0, q) + (hash < 0 ? "" : value.substring(hash));
            for (String pair : query.split("[&;]")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && decode(pair.substring(0, eq)).equals("application_name")) {
                    apiUrl = decode(pair.substring(eq + 1));
                    break;
                }
            }
        }
        return b.connUrl(withoutPassword(connUrl)).apiUrl(apiUrl).build();
    }

    /**
     * Governor URLs carry the replication password; nothing here needs it (every agent uses its own configured
     * credentials), and a {@link Member} may reach a log line, so it is dropped: {@code user:pass@} → {@code user@}.
     */
    static String withoutPassword(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url;
        }
        int start = scheme + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        if (at < start) {
            return url;
        }
        int colon = url.indexOf(':', start);
        if (colon < 0 || colon > at) {
            return url;
        }
        return url.substring(0, colon) + url.substring(at);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Very old members published {@code conn_kwargs} instead of {@code conn_url}. */
    private static String fromConnKwargs(Map<String, Object> kwargs) {
        if (kwargs == null || kwargs.get("host") == null) {
            return null;
        }
        String host = String.valueOf(kwargs.get("host"));
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        Object port = kwargs.get("port");
        return "postgresql://" + host + ":" + (port == null ? "5432" : String.valueOf(port));
    }
}
