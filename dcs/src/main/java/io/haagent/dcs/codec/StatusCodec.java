package io.haagent.dcs.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.haagent.cluster.ClusterStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code status} = {@code {"optime":<int LSN>,"slots":{"<slot>":<int LSN>,...},"retain_slots":["<slot>",...]}}
 * ({@code slots} and Patroni 4.1's {@code retain_slots} omitted when empty, as Patroni drops None values; Patroni
 * 3.0.2 reads the key and ignores {@code retain_slots}). Read leniently as Patroni's {@code Status.from_node}: a bare integer (the legacy form, also what
 * {@code optime/leader} holds), {@code slots} given as a JSON string, an {@code optime} that is not a number
 * (0). Anything else is empty.
 */
public final class StatusCodec {
    private StatusCodec() {
    }

    /** Slot names in sorted order: the writer's map order is not kept by {@link ClusterStatus}. */
    public static String encode(ClusterStatus status) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("optime", status.optime());
        if (!status.slots().isEmpty()) {
            data.put("slots", new TreeMap<>(status.slots()));
        }
        if (!status.retainSlots().isEmpty()) {
            data.put("retain_slots", new TreeSet<>(status.retainSlots()));
        }
        return PythonJson.dumps(data);
    }

    /** The legacy {@code optime/leader} value: the LSN as a decimal string. */
    public static String encodeLegacyOptime(long optime) {
        return Long.toString(optime);
    }

    public static ClusterStatus decode(String value, long modRevision, String fullKey, GarbageLog garbage) {
        Object parsed;
        try {
            parsed = PythonJson.parse(value);
        } catch (JsonProcessingException e) {
            garbage.report(fullKey, modRevision, value, "not JSON (" + e.getOriginalMessage() + ")");
            return new ClusterStatus(0, Map.of(), modRevision);
        }
        if (parsed instanceof Number && !(parsed instanceof Double) && !(parsed instanceof Float)) {
            Long legacy = JsonValues.toLong(parsed);
            return new ClusterStatus(legacy == null ? 0 : legacy, Map.of(), modRevision);
        }
        Map<String, Object> data = JsonValues.map(parsed);
        if (data == null) {
            garbage.report(fullKey, modRevision, value, "neither a JSON object nor an integer");
            return new ClusterStatus(0, Map.of(), modRevision);
        }
        Long optime = JsonValues.toLong(data.get("optime"));
        Object slotsValue = data.get("slots");
        if (slotsValue instanceof String s) {
            try {
                slotsValue = PythonJson.parse(s);
            } catch (JsonProcessingException e) {
                slotsValue = null;
            }
        }
        Map<String, Long> slots = new LinkedHashMap<>();
        Map<String, Object> slotMap = JsonValues.map(slotsValue);
        if (slotMap != null) {
            slotMap.forEach((slot, lsn) -> {
                Long l = JsonValues.toLong(lsn);
                if (l != null) {
                    slots.put(slot, l);
                }
            });
        }
        return new ClusterStatus(optime == null ? 0 : optime, slots, retainSlots(data.get("retain_slots")),
                modRevision);
    }

    /** {@code retain_slots}: a list (or a JSON string of one, as Patroni reads it); anything else is empty. */
    private static List<String> retainSlots(Object value) {
        if (value instanceof String s) {
            try {
                value = PythonJson.parse(s);
            } catch (JsonProcessingException e) {
                return List.of();
            }
        }
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String name) {
                    out.add(name);
                }
            }
        }
        return out;
    }
}
