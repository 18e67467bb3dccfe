package io.haagent.rest.write;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.haagent.rest.status.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reading a write request's body as Patroni does (§2.6), with the reasons spelled out: a required body needs a
 * {@code Content-Length} (411), may not exceed the limit (413), and must be a non-empty JSON object (400).
 */
public final class RequestBody {

    private RequestBody() {
    }

    /**
     * Checks the declared length before anything is read, so an oversized or unbounded body is refused without
     * buffering it.
     *
     * @param contentLength the {@code Content-Length} header, -1 when absent
     * @return true when there is a body to read
     */
    public static boolean checkLength(long contentLength, boolean optional, int maxBytes) {
        if (contentLength < 0) {
            if (optional) {
                return false;
            }
            throw new ApiError(411, "a Content-Length header is required: send the request body as a JSON object"
                    + " with its length (chunked bodies are not accepted)");
        }
        if (contentLength > maxBytes) {
            throw new ApiError(413, "request body too large: " + contentLength + " bytes, the limit is " + maxBytes
                    + " bytes");
        }
        if (contentLength == 0 && !optional) {
            throw ApiError.badRequest("request body is empty: a JSON object is required");
        }
        return contentLength > 0;
    }

    /** Parses the body; an optional body may be empty or {@code {}}, a required one must hold at least one field. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] body, boolean optional) {
        if (body == null || body.length == 0) {
            if (optional) {
                return new LinkedHashMap<>();
            }
            throw ApiError.badRequest("request body is empty: a JSON object is required");
        }
        Object parsed;
        try {
            parsed = Json.parse(body);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw ApiError.badRequest("request body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("request body could not be read: " + e.getMessage());
        }
        if (!(parsed instanceof Map)) {
            throw ApiError.badRequest("request body must be a JSON object, got " + Json.typeName(parsed));
        }
        Map<String, Object> m = (Map<String, Object>) parsed;
        String bad = nonFinite(m, "");
        if (bad != null) {
            throw ApiError.badRequest("field '" + bad + "' is a number out of range");
        }
        if (m.isEmpty() && !optional) {
            throw ApiError.badRequest("request body is an empty JSON object: at least one field is required");
        }
        return m;
    }

    /** The path of the first number JSON cannot carry back out (1e99999 parses as infinity), or null. */
    private static String nonFinite(Object v, String path) {
        if (v instanceof Double d && (d.isInfinite() || d.isNaN())) {
            return path;
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String p = nonFinite(e.getValue(), path.isEmpty() ? String.valueOf(e.getKey()) : path + "." + e.getKey());
                if (p != null) {
                    return p;
                }
            }
        }
        if (v instanceof java.util.List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String p = nonFinite(l.get(i), path + "[" + i + "]");
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    /** A field that must be a string (or absent/null): its value, or null. */
    public static String optionalString(Map<String, Object> body, String field, String what) {
        Object v = body.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw ApiError.badRequest("field '" + field + "' must be a string (" + what + "), got "
                    + Json.typeName(v) + ": " + Json.MAPPER.valueToTree(v));
        }
        return s.isEmpty() ? null : s;
    }

    /** A field that must be a boolean (JSON boolean or Patroni's words on/off, true/false, yes/no, 1/0). */
    public static boolean optionalBoolean(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (v == null) {
            return false;
        }
        Boolean b = io.haagent.config.Values.toBool(v);
        if (b == null) {
            throw ApiError.badRequest("field '" + field + "' must be a boolean, got " + Json.typeName(v) + ": "
                    + Json.MAPPER.valueToTree(v));
        }
        return b;
    }

    /** Refuses fields outside {@code allowed}, naming them and the accepted ones. */
    public static void rejectUnknown(Map<String, Object> body, String what, java.util.Collection<String> allowed) {
        for (String k : body.keySet()) {
            if (!allowed.contains(k)) {
                throw ApiError.badRequest("unknown field '" + k + "' in the " + what + " request: accepted fields are "
                        + String.join(", ", allowed));
            }
        }
    }
}
