package io.haagent.rest;

import java.time.Duration;

/**
 * Tuning of the REST server, sized for a 2-core database host and for clients that are slow or hostile.
 *
 * @param maxBodyBytes          largest request body accepted (413 above it)
 * @param failoverPollInterval  how often an immediate switchover/failover re-reads the cluster for its outcome
 *                              (Patroni: 1 s; we answer as soon as it is known)
 * @param maxThreads            Jetty threads (selector and acceptor included): health checks need one for a few
 *                              microseconds; at most {@code bodyReaders} can wait on a client
 * @param actionThreads         threads for requests that wait on etcd or on the agent (switchover, restart, ...)
 * @param actionQueue           how many such requests may wait for a thread before the API answers 503
 * @param bodyReaders           requests that may read a body at the same time (a slow body holds a thread); beyond
 *                              it a write is answered 503 at once, without reading, and its connection closed
 * @param headerTimeout         a request's line and headers must arrive within this (else the connection is closed)
 * @param bodyTimeout           a request's body must arrive within this once its headers are in
 * @param idleTimeout           a keep-alive connection with no request for this long is closed
 * @param maxConnectionsPerAddress open connections one client address may hold; more are closed on accept (32: a
 *                              client pool, HAProxy's checks and a scraper on one host stay far below)
 */
public record RestApiOptions(
        int maxBodyBytes,
        Duration failoverPollInterval,
        int maxThreads,
        int actionThreads,
        int actionQueue,
        int bodyReaders,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration idleTimeout,
        int maxConnectionsPerAddress) {

    public static final RestApiOptions DEFAULTS = new RestApiOptions(256 * 1024, Duration.ofMillis(100), 8, 4, 16,
            3, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(30), 32);

    public RestApiOptions withFailoverPollInterval(Duration d) {
        return new RestApiOptions(maxBodyBytes, d, maxThreads, actionThreads, actionQueue, bodyReaders,
                headerTimeout, bodyTimeout, idleTimeout, maxConnectionsPerAddress);
    }

    public RestApiOptions withMaxBodyBytes(int n) {
        return new RestApiOptions(n, failoverPollInterval, maxThreads, actionThreads, actionQueue, bodyReaders,
                headerTimeout, bodyTimeout, idleTimeout, maxConnectionsPerAddress);
    }

    public RestApiOptions withTimeouts(Duration header, Duration body) {
        return new RestApiOptions(maxBodyBytes, failoverPollInterval, maxThreads, actionThreads, actionQueue,
                bodyReaders, header, body, idleTimeout, maxConnectionsPerAddress);
    }
}
