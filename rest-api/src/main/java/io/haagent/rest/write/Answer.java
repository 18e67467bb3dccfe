package io.haagent.rest.write;

/** A plain-text answer: status code and message (Patroni's {@code write_response}). */
public record Answer(int status, String message) {
}
