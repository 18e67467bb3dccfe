package io.haagent.time;

import java.time.Instant;

/**
 * Injected time (STYLE 4). {@link #nanoTime()} is monotonic and decides lease belief and timeouts;
 * {@link #now()} is wall time, only for timestamps shown to people and scheduled actions.
 */
public interface Clock {
    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    };

    long nanoTime();

    Instant now();

    default long millis() {
        return nanoTime() / 1_000_000L;
    }
}
