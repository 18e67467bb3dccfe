package io.haagent.pg;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How postgres is to run with respect to recovery (§4.3): as a primary, following an upstream (standby.signal,
 * {@code primary_conninfo}, optionally {@code primary_slot_name}), or read-only in recovery with no upstream
 * (a lock holder that must not accept writes yet, or a node that lost its DCS). A custom bootstrap (§4.6) adds two:
 * a restore to the settings of {@code bootstrap.<method>.recovery_conf} (recovery.signal, the user's targets), and
 * the recovery its tool left in the data directory ({@code keep_existing_recovery_conf}).
 *
 * @param remote the upstream is a standby cluster's remote primary (§7.3): this node is the standby leader, so
 *               {@code standby_cluster.recovery_min_apply_delay} applies; with {@link Kind#READ_ONLY} it is a
 *               standby leader that recovers from the archive only ({@code restore_command}, no host)
 */
public record Recovery(Kind kind, Upstream upstream, String slotName, boolean remote, Map<String, String> settings) {

    /**
     * {@link #RESTORE}: archive recovery to the user's settings, given as they are; {@link #AS_RESTORED}: whatever
     * signal files and {@code postgresql.auto.conf} recovery settings the restore left, untouched.
     */
    public enum Kind { PRIMARY, FOLLOW, READ_ONLY, RESTORE, AS_RESTORED }

    public Recovery(Kind kind, Upstream upstream, String slotName, boolean remote) {
        this(kind, upstream, slotName, remote, null);
    }

    public Recovery {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.FOLLOW) {
            Objects.requireNonNull(upstream, "a follower needs an upstream");
        } else if (upstream != null || slotName != null) {
            throw new IllegalArgumentException(kind + " takes no upstream or slot");
        }
        if (remote && kind == Kind.PRIMARY) {
            throw new IllegalArgumentException("a primary follows no remote");
        }
        if ((kind == Kind.RESTORE) != (settings != null)) {
            throw new IllegalArgumentException("the settings of a restore, and only those, are given");
        }
        settings = settings == null ? null : Collections.unmodifiableMap(new TreeMap<>(settings));
    }

    /** A custom bootstrap's point-in-time restore: recovery.signal and these settings (§4.6). */
    public static Recovery restore(Map<String, String> settings) {
        return new Recovery(Kind.RESTORE, null, null, false, settings);
    }

    /** A custom bootstrap with {@code keep_existing_recovery_conf}: the restore's own recovery settings (§4.6). */
    public static Recovery asRestored() {
        return new Recovery(Kind.AS_RESTORED, null, null, false, null);
    }

    public static Recovery primary() {
        return new Recovery(Kind.PRIMARY, null, null, false);
    }

    /** @param slotName {@code primary_slot_name}, or null for none (use_slots off) */
    public static Recovery follow(Upstream upstream, String slotName) {
        return new Recovery(Kind.FOLLOW, upstream, slotName, false);
    }

    /**
     * A standby leader following its cluster's remote primary.
     *
     * @param slotName {@code standby_cluster.primary_slot_name}, or null
     */
    public static Recovery followRemote(Upstream upstream, String slotName) {
        return new Recovery(Kind.FOLLOW, upstream, slotName, true);
    }

    /** A standby leader whose {@code standby_cluster} names no host: archive recovery only. */
    public static Recovery archiveOfRemote() {
        return new Recovery(Kind.READ_ONLY, null, null, true);
    }

    public static Recovery readOnly() {
        return new Recovery(Kind.READ_ONLY, null, null, false);
    }

    /** In recovery (or, {@link Kind#AS_RESTORED}, possibly so): not started as a primary. */
    public boolean standby() {
        return kind != Kind.PRIMARY;
    }

    @Override
    public String toString() {
        switch (kind) {
            case PRIMARY:
                return "primary";
            case READ_ONLY:
                return remote ? "standby leader recovering from the archive" : "read-only replica without upstream";
            case RESTORE:
                return "restore to " + settings.keySet();
            case AS_RESTORED:
                return "recovery as the restore left it";
            default:
                return (remote ? "standby leader of remote " : "replica of ") + upstream
                        + (slotName == null ? "" : " via slot " + slotName);
        }
    }
}
