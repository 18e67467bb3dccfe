package io.haagent.pg;

import io.haagent.cluster.Role;
import java.time.Duration;
import java.util.Objects;

/**
 * A start of the local postgres.
 *
 * @param timeout        how long to wait until it accepts connections
 * @param callback       the callback to fire once it accepts connections ({@code on_start} by default;
 *                       {@code on_role_change} after a demotion, {@code on_restart} for a restart), or null
 * @param callbackRole   the role passed to the callback ({@code master}, {@code replica}, {@code standby_leader})
 */
public record StartRequest(Recovery recovery, Duration timeout, CallbackAction callback, Role callbackRole) {

    public StartRequest {
        Objects.requireNonNull(recovery, "recovery");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("start timeout must be positive: " + timeout);
        }
    }

    public static StartRequest of(Recovery recovery, Duration timeout) {
        return new StartRequest(recovery, timeout, CallbackAction.ON_START,
                recovery.standby() ? Role.REPLICA : Role.PRIMARY);
    }

    public static StartRequest asPrimary(Duration timeout) {
        return of(Recovery.primary(), timeout);
    }

    public static StartRequest asReplica(Upstream upstream, String slotName, Duration timeout) {
        return of(Recovery.follow(upstream, slotName), timeout);
    }

    public static StartRequest readOnly(Duration timeout) {
        return of(Recovery.readOnly(), timeout);
    }

    public StartRequest withCallback(CallbackAction action, Role role) {
        return new StartRequest(recovery, timeout, action, role);
    }

    public StartRequest withoutCallback() {
        return new StartRequest(recovery, timeout, null, null);
    }
}
