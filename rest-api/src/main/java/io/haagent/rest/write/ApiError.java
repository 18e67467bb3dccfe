package io.haagent.rest.write;

/**
 * A request the API answers with an error status and a plain-text message (Patroni's message where it has one,
 * naming the offending field where it does not). Thrown by the validators and turned into the response by the
 * HTTP layer.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }
}
