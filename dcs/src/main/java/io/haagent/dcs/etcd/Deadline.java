package io.haagent.dcs.etcd;

import io.haagent.time.Clock;
import java.time.Duration;

/** The end of one logical DCS operation on the monotonic clock: {@code retry_timeout} from its start. */
final class Deadline {
    private final Clock clock;
    private final long endNanos;
    private final Duration total;

    private Deadline(Clock clock, Duration total) {
        this.clock = clock;
        this.total = total;
        this.endNanos = clock.nanoTime() + total.toNanos();
    }

    static Deadline after(Clock clock, Duration total) {
        return new Deadline(clock, total);
    }

    Duration remaining() {
        long left = endNanos - clock.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    boolean expired() {
        return endNanos - clock.nanoTime() <= 0;
    }

    Duration total() {
        return total;
    }
}
