package io.haagent.pg;

import java.util.Objects;

/**
 * How postgres is to run with respect to recovery (§4.3): as a primary, following an upstream (standby.signal,
 * {@code primary_conninfo}, optionally {@code primary_slot_name}), or read-only in recovery with no upstream
 * (a lock holder that must not accept writes yet, or a node that lost its DCS).
 */
public record Recovery(Kind kind, Upstream upstream, String slotName) {

    public enum Kind { PRIMARY, FOLLOW, READ_ONLY }

    public Recovery {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.FOLLOW) {
            Objects.requireNonNull(upstream, "a follower needs an upstream");
        } else if (upstream != null || slotName != null) {
            throw new IllegalArgumentException(kind + " takes no upstream or slot");
        }
    }

    public static Recovery primary() {
        return new Recovery(Kind.PRIMARY, null, null);
    }

    /** @param slotName {@code primary_slot_name}, or null for none (use_slots off) */
    public static Recovery follow(Upstream upstream, String slotName) {
        return new Recovery(Kind.FOLLOW, upstream, slotName);
    }

    public static Recovery readOnly() {
        return new Recovery(Kind.READ_ONLY, null, null);
    }

    public boolean standby() {
        return kind != Kind.PRIMARY;
    }

    @Override
    public String toString() {
        switch (kind) {
            case PRIMARY:
                return "primary";
            case READ_ONLY:
                return "read-only replica without upstream";
            default:
                return "replica of " + upstream + (slotName == null ? "" : " via slot " + slotName);
        }
    }
}
