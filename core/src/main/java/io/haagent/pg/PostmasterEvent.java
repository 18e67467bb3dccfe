package io.haagent.pg;

import java.time.Instant;

/**
 * The local postmaster went away.
 *
 * @param expected the agent was stopping it; false means it crashed or someone else killed it
 * @param exitCode the exit status when the postmaster was the agent's child, else null
 */
public record PostmasterEvent(long pid, Instant noticedAt, boolean expected, Integer exitCode) {

    /** Receives postmaster deaths on the watching thread: keep it short (wake the HA loop, set a flag). */
    @FunctionalInterface
    public interface Listener {
        void postmasterExited(PostmasterEvent event);
    }
}
