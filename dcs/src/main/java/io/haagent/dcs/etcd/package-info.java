/**
 * The {@link io.haagent.dcs.Dcs} port on etcd v3 through jetcd: {@link io.haagent.dcs.etcd.EtcdDcs} (lease, leader
 * lock, CAS writes, unknown outcomes resolved by reading back), the watch cache that wakes the HA loop, the client
 * with per-attempt deadlines, and {@link io.haagent.dcs.etcd.EtcdErrors}, the one place that classifies gRPC errors.
 */
package io.haagent.dcs.etcd;
