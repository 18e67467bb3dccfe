package io.haagent.api;

/**
 * The agent's answer to a write request handed over by the REST API: done (or started), or refused with
 * Patroni's message (e.g. {@code I am the leader, can not reinitialize}).
 */
public record ActionOutcome(boolean ok, String message) {

    public static ActionOutcome ok(String message) {
        return new ActionOutcome(true, message);
    }

    public static ActionOutcome refused(String message) {
        return new ActionOutcome(false, message);
    }
}
