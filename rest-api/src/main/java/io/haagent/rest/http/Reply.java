package io.haagent.rest.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP answer, built by an endpoint and written by the router: a status, and either nothing (health probes
 * answer with the status line only), a JSON document or a plain-text message.
 */
public record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String METRICS = "text/plain; version=0.0.4; charset=utf-8";

    public static Reply statusOnly(int status) {
        return new Reply(status, null, null, Map.of());
    }

    public static Reply json(int status, byte[] body) {
        return new Reply(status, JSON, body, Map.of());
    }

    public static Reply text(int status, String message) {
        return new Reply(status, TEXT, message.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public Reply withHeader(String name, String value) {
        return new Reply(status, contentType, body, Map.of(name, value));
    }

    public String bodyText() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }
}
