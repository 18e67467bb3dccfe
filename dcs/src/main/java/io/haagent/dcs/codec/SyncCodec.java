package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.haagent.cluster.SyncState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sync} = {@code {"leader":"<primary>","sync_standby":"a,b"}} (names sorted and comma-joined, or
 * {@code null} when there is none). Anything unreadable is an empty state that keeps the key's revision, so a
 * CAS write can still replace it.
 */
public final class SyncCodec {
    private SyncCodec() {
    }

    public static String encode(SyncState state) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("leader", state.leader());
        if (state.quorum() != null) {
            data.put("quorum", state.quorum()); // Patroni 4's order: leader, quorum, sync_standby
        }
        data.put("sync_standby", state.syncStandbys().isEmpty() ? null : String.join(",", state.syncStandbys()));
        return PythonJson.dumps(data);
    }

    public static SyncState decode(String value, long modRevision, String fullKey, GarbageLog garbage) {
        Map<String, Object> data;
        try {
            data = value == null || value.isEmpty() ? null : JsonValues.map(PythonJson.parse(value));
        } catch (JsonProcessingException e) {
            data = null;
        }
        if (data == null) {
            if (value != null && !value.isEmpty()) {
                garbage.report(fullKey, modRevision, value, "not a JSON object");
            }
            return new SyncState(null, List.of(), modRevision);
        }
        String leader = JsonValues.str(data.get("leader"));
        List<String> standbys = new ArrayList<>();
        Object s = data.get("sync_standby");
        if (s instanceof Collection<?> c) {
            c.forEach(o -> add(standbys, JsonValues.str(o)));
        } else {
            String joined = JsonValues.str(s);
            if (joined != null) {
                for (String name : joined.split(",")) {
                    add(standbys, name);
                }
            }
        }
        // Patroni 4: int(quorum) when there is a leader and a quorum, else 0; absent (Patroni 3) stays absent
        Integer quorum = null;
        if (data.containsKey("quorum")) {
            Long q = JsonValues.toLong(data.get("quorum"));
            quorum = leader == null || leader.isEmpty() || q == null || q < 0 || q > Integer.MAX_VALUE ? 0
                    : q.intValue();
            if (q == null && data.get("quorum") != null) {
                garbage.report(fullKey, modRevision, value, "quorum is not a number");
            }
        }
        return new SyncState(leader == null || leader.isEmpty() ? null : leader, standbys, quorum, modRevision);
    }

    private static void add(List<String> names, String name) {
        if (name != null && !name.trim().isEmpty()) {
            names.add(name.trim());
        }
    }
}
