package io.haagent.agent.ha;

import io.haagent.api.RoleChange;
import io.haagent.api.RoleChangeKind;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times the phases of a role change (detect, demote, acquire lock, promote, ...) and hands the finished
 * record to the metrics recorder. One change at a time: a new one replaces an unfinished one.
 */
public final class RoleChangeClock {
    private final Clock clock;
    private final RoleChangeRecorder recorder;
    private RoleChangeKind kind;
    private String fromRole;
    private String reason;
    private Instant startedAt;
    private long startedNanos;
    private long phaseNanos;
    private final Map<String, Duration> phases = new LinkedHashMap<>();
    private volatile RoleChange last;
    private volatile java.util.function.Consumer<RoleChange> listener = r -> { };

    public RoleChangeClock(Clock clock, RoleChangeRecorder recorder) {
        this.clock = clock;
        this.recorder = recorder;
    }

    /**
     * Told of every change of the record as it happens (the agent publishes it in {@code /patroni} at once: a
     * promotion on the background runner can finish before the cycle that began it publishes its snapshot).
     */
    public void onChange(java.util.function.Consumer<RoleChange> l) {
        listener = l;
    }

    /** A change begins; {@code detectedNanos} is when its cause was first seen (e.g. the leader key vanished). */
    public synchronized void begin(RoleChangeKind kind, String fromRole, String reason, long detectedNanos) {
        this.kind = kind;
        this.fromRole = fromRole;
        this.reason = reason;
        long now = clock.nanoTime();
        this.startedNanos = Math.min(detectedNanos, now);
        this.startedAt = clock.now().minusNanos(now - startedNanos);
        this.phases.clear();
        if (now > startedNanos) {
            phases.put("detect", Duration.ofNanos(now - startedNanos));
        }
        this.phaseNanos = now;
        last = snapshot(null, null);
        listener.accept(last);
    }

    /** The phase that just ended (e.g. {@code demote}); its duration runs from the previous phase's end. */
    public synchronized void phase(String name) {
        if (kind == null) {
            return;
        }
        long now = clock.nanoTime();
        phases.put(name, Duration.ofNanos(now - phaseNanos));
        phaseNanos = now;
        last = snapshot(null, null);
        listener.accept(last);
    }

    /** The new role is in force. */
    public synchronized void complete(String toRole) {
        if (kind == null) {
            return;
        }
        long now = clock.nanoTime();
        Duration total = Duration.ofNanos(now - startedNanos);
        last = snapshot(toRole, startedAt.plus(total));
        recorder.record(kind, total);
        listener.accept(last);
        kind = null;
    }

    /** The change did not happen after all (e.g. the lock race was lost): forget it. */
    public synchronized void cancel() {
        kind = null;
    }

    public synchronized boolean inProgress() {
        return kind != null;
    }

    public io.haagent.api.RoleChangeStats stats() {
        return recorder.stats();
    }

    /** The last (or current) role change, null when none happened. */
    public RoleChange last() {
        return last;
    }

    private RoleChange snapshot(String toRole, Instant completedAt) {
        return new RoleChange(kind, fromRole, toRole, reason, startedAt, completedAt, phases);
    }
}
