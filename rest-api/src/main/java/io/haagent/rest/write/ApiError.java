package io.haagent.rest.write;

import java.util.Map;

/**
 * A request the API answers with an error status and a plain-text message (or a JSON document) (Patroni's message where it has one,
 * naming the offending field where it does not). Thrown by the validators and turned into the response by the
 * HTTP layer.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, Object> json;

    public ApiError(int status, String message) {
        this(status, message, null);
    }

    private ApiError(int status, String message, Map<String, Object> json) {
        super(message, null, false, false);
        this.status = status;
        this.json = json;
    }

    /** An error answered with a JSON document; its {@code error} field is the message. */
    public static ApiError json(int status, Map<String, Object> body) {
        return new ApiError(status, String.valueOf(body.get("error")), java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(body)));
    }

    public int status() {
        return status;
    }

    /** The JSON document to answer with, or null for a plain-text message. */
    public Map<String, Object> json() {
        return json;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }
}
