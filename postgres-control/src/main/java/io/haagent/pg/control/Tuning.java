package io.haagent.pg.control;

import java.time.Duration;

/**
 * Internal timings of postgres control. The defaults are Patroni's where it has one.
 *
 * @param basebackupRetryDelay pause between the two basebackup attempts (Patroni: 5 s)
 * @param stopEscalationGrace  after the stop timeout, how long immediate mode gets before SIGKILL
 * @param adoptedPollInterval  how often an adopted (non-child) postmaster is checked in the process table;
 *                             bounds how late its death is noticed
 * @param readinessPollInterval how often a starting postmaster is checked for readiness (its pid file; pg_isready
 *                             only once the file says it is ready): every start (bootstrap, a replica after a
 *                             switchover, a crash restart) waits for the next look, so it is short
 * @param callbackTimeout      a user callback still running after this is killed
 * @param hookTimeout          pre_promote / before_stop / post_bootstrap limit
 */
public record Tuning(Duration basebackupRetryDelay, Duration stopEscalationGrace, Duration adoptedPollInterval,
        Duration readinessPollInterval, Duration callbackTimeout, Duration hookTimeout) {

    public static final Tuning DEFAULT = new Tuning(Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofMinutes(10), Duration.ofMinutes(5));

    public Tuning withBasebackupRetryDelay(Duration d) {
        return new Tuning(d, stopEscalationGrace, adoptedPollInterval, readinessPollInterval, callbackTimeout,
                hookTimeout);
    }

    public Tuning withStopEscalationGrace(Duration d) {
        return new Tuning(basebackupRetryDelay, d, adoptedPollInterval, readinessPollInterval, callbackTimeout,
                hookTimeout);
    }
}
