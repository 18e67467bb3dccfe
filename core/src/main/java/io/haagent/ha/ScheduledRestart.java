package io.haagent.ha;

import java.time.Instant;

/**
 * A restart scheduled through {@code POST /restart} (§2.6, §3.5), kept in memory and mirrored in the member key.
 *
 * @param role               only restart when our role equals this (verbatim, as Patroni compares), or null
 * @param postgresVersion    only restart when the running server version is lower than this (e.g. 150010), or null
 * @param restartPending     only restart when a restart is pending
 * @param postmasterStartTime the postmaster start time when scheduled: if it changed, the restart already happened
 */
public record ScheduledRestart(Instant schedule, String role, Integer postgresVersion, boolean restartPending,
        Integer timeoutSeconds, String postmasterStartTime) {
}
