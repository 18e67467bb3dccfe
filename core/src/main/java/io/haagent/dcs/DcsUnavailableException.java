package io.haagent.dcs;

/**
 * The one exception the DCS port throws: the store could not be reached, or did not answer within
 * {@code retry_timeout}, so the outcome of the call is unknown to the caller. "Lost the race" is never an
 * exception: it is a {@code false} result (STYLE 6).
 */
public class DcsUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DcsUnavailableException(String message) {
        super(message);
    }

    public DcsUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
