package io.haagent.api;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable counts and duration histograms of role changes per {@link RoleChangeKind}, for {@code /metrics}.
 * Built by {@link RoleChangeRecorder}; every kind is always present (zero when none happened) so that the
 * exported series exist from the start and {@code increase()} works on the first change.
 */
public final class RoleChangeStats {

    /** Upper bounds of the duration buckets, in seconds (a failover within one TTL lands below 30). */
    public static final List<Double> BUCKETS_SECONDS =
            List.of(0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0);

    public static final RoleChangeStats EMPTY = new RoleChangeStats(new EnumMap<>(RoleChangeKind.class));

    private final Map<RoleChangeKind, Histogram> byKind;

    RoleChangeStats(Map<RoleChangeKind, Histogram> byKind) {
        EnumMap<RoleChangeKind, Histogram> m = new EnumMap<>(RoleChangeKind.class);
        for (RoleChangeKind k : RoleChangeKind.values()) {
            m.put(k, byKind.getOrDefault(k, Histogram.EMPTY));
        }
        this.byKind = Collections.unmodifiableMap(m);
    }

    public Histogram histogram(RoleChangeKind kind) {
        return byKind.get(kind);
    }

    /** How many role changes of this kind completed since the agent started. */
    public long count(RoleChangeKind kind) {
        return byKind.get(kind).count();
    }

    /**
     * One kind's histogram: {@code cumulativeCounts[i]} changes took at most {@code BUCKETS_SECONDS[i]};
     * {@code count} is the total (the {@code +Inf} bucket), {@code sumSeconds} their summed duration.
     */
    public record Histogram(long[] cumulativeCounts, long count, double sumSeconds) {
        public static final Histogram EMPTY = new Histogram(new long[BUCKETS_SECONDS.size()], 0, 0);

        public Histogram {
            cumulativeCounts = cumulativeCounts.clone();
        }

        @Override
        public long[] cumulativeCounts() {
            return cumulativeCounts.clone();
        }

        Histogram plus(Duration d) {
            double s = d.toNanos() / 1e9;
            long[] c = cumulativeCounts.clone();
            for (int i = 0; i < c.length; i++) {
                if (s <= BUCKETS_SECONDS.get(i)) {
                    c[i]++;
                }
            }
            return new Histogram(c, count + 1, sumSeconds + s);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Histogram h && h.count == count && h.sumSeconds == sumSeconds
                    && Arrays.equals(h.cumulativeCounts, cumulativeCounts);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(count) * 31 + Arrays.hashCode(cumulativeCounts);
        }

        @Override
        public String toString() {
            return "Histogram[count=" + count + ", sum=" + sumSeconds + "s, buckets=" + Arrays.toString(cumulativeCounts)
                    + "]";
        }
    }
}
