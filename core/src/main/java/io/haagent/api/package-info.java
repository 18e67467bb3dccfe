/**
 * What the agent shares with its REST API, without I/O on the request path.
 *
 * <p>Reads: the agent builds an immutable {@link io.haagent.api.NodeSnapshot} each HA cycle (and on events) and
 * publishes it on a {@link io.haagent.api.StatusBoard}; health checks, {@code /patroni} and {@code /metrics} are
 * answered from it alone. Lock belief and cluster-view freshness are monotonic-clock deadlines in the snapshot,
 * evaluated per request.
 *
 * <p>Writes: the REST API validates a request and hands it to the agent through {@link io.haagent.api.NodeActions}
 * (config and failover writes, reload, restart, reinitialize, failsafe heartbeats, candidate checks). Core's
 * test-jar holds {@code FakeNodeActions} and {@code SnapshotFixtures} for tests of either side.
 */
package io.haagent.api;
