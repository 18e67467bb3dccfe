package io.haagent.cluster.harness;

import io.haagent.testing.EtcdMember;

/**
 * Where a cluster's links go when a test puts its own proxies on them ({@link ClusterSpec#links}): each answer is a
 * {@code host:port} the agents are given instead of the real one. Nodes are numbered from 1.
 */
public interface Links {
    /** The endpoint node {@code node}'s agent (on {@code nodeHost}) is given for etcd member {@code member}. */
    String etcd(int node, String nodeHost, EtcdMember member);

    /** The address node {@code node} publishes for its PostgreSQL (listening on {@code host:port}). */
    String postgres(int node, String host, int port);

    /** The address node {@code node} publishes for its REST API (listening on {@code host:port}). */
    String rest(int node, String host, int port);
}
