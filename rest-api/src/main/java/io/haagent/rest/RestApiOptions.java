package io.haagent.rest;

import java.time.Duration;

/**
 * Tuning of the REST server, sized for a 2-core database host.
 *
 * @param maxBodyBytes          largest request body accepted (413 above it)
 * @param failoverPollInterval  how often an immediate switchover/failover re-reads the cluster for its outcome
 *                              (Patroni: 1 s; we answer as soon as it is known)
 * @param maxThreads            Jetty request threads (health checks never wait for the write executor)
 * @param actionThreads         threads for requests that wait on etcd or on the agent (switchover, restart, ...)
 * @param actionQueue           how many such requests may wait for a thread before the API answers 503
 */
public record RestApiOptions(
        int maxBodyBytes,
        Duration failoverPollInterval,
        int maxThreads,
        int actionThreads,
        int actionQueue) {

    public static final RestApiOptions DEFAULTS = new RestApiOptions(256 * 1024, Duration.ofMillis(100), 16, 4, 16);

    public RestApiOptions withFailoverPollInterval(Duration d) {
        return new RestApiOptions(maxBodyBytes, d, maxThreads, actionThreads, actionQueue);
    }

    public RestApiOptions withMaxBodyBytes(int n) {
        return new RestApiOptions(n, failoverPollInterval, maxThreads, actionThreads, actionQueue);
    }
}
