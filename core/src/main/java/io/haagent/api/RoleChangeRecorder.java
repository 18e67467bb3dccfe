package io.haagent.api;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Thread-safe tally of completed role changes. The agent calls {@link #record} when a failover, switchover or
 * crash restart completes and puts {@link #stats()} into the next published {@link NodeSnapshot}.
 */
public final class RoleChangeRecorder {
    private final Map<RoleChangeKind, RoleChangeStats.Histogram> byKind = new EnumMap<>(RoleChangeKind.class);
    private RoleChangeStats stats = RoleChangeStats.EMPTY;

    public synchronized void record(RoleChangeKind kind, Duration duration) {
        if (duration == null || duration.isNegative()) {
            duration = Duration.ZERO;
        }
        byKind.put(kind, byKind.getOrDefault(kind, RoleChangeStats.Histogram.EMPTY).plus(duration));
        stats = new RoleChangeStats(byKind);
    }

    /** An immutable copy of the counts so far. */
    public synchronized RoleChangeStats stats() {
        return stats;
    }
}
