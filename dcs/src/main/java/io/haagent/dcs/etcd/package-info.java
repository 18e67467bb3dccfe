/**
 * The {@link io.haagent.dcs.Dcs} port on etcd v3 through jetcd. A member's connection,
 * {@link io.haagent.dcs.etcd.EtcdDcs}: its lease ({@code EtcdLease}), the leader lock ({@code LeaderLock}), the
 * watch that keeps a local copy of the cluster and wakes the HA loop ({@code WatchCache}, {@code ClusterCopy}).
 * An operator's tool's connection, {@link io.haagent.dcs.etcd.EtcdToolConnection}: no lease, no watch. Both read
 * and write through {@code EtcdKv} (deadlines, retries, and the one way a conditional transaction is sent and an
 * unknown outcome re-read), over the client with per-attempt deadlines ({@code EtcdConnection});
 * {@link io.haagent.dcs.etcd.EtcdErrors} is the one place that classifies gRPC errors.
 */
package io.haagent.dcs.etcd;
