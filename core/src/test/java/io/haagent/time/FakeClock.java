package io.haagent.time;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to; monotonic and wall time advance together. Whoever waits on it (an
 * {@code InMemoryDcs} member in {@code awaitChange}) is told of each advance ({@link #onAdvance}).
 */
public final class FakeClock implements Clock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Instant wallStart;

    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public FakeClock(Instant wallStart) {
        this.wallStart = wallStart;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public Instant now() {
        return wallStart.plusNanos(nanos.get() - 1_000_000_000L);
    }

    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time does not go backwards: " + d);
        }
        nanos.addAndGet(d.toNanos());
        listeners.forEach(Runnable::run);
    }

    /** Runs {@code r} after each advance, until {@link #removeOnAdvance}. */
    public void onAdvance(Runnable r) {
        listeners.add(r);
    }

    public void removeOnAdvance(Runnable r) {
        listeners.remove(r);
    }

    public void advanceSeconds(long s) {
        advance(Duration.ofSeconds(s));
    }
}
