package io.haagent.faults;

import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.Links;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.faults.LinkProxy.Fault;
import io.haagent.testing.EtcdMember;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every link of a fault-suite cluster through a {@link LinkProxy}: each agent reaches each etcd member through a
 * proxy of its own, and each node publishes proxies as its PostgreSQL and REST connect addresses, so that
 * replication, pg_rewind, pg_basebackup and the agents' calls to each other pass through them, attributed to the
 * node they come from. Any link can be cut (black-holed), dropped or delayed, in either direction.
 */
final class Network implements Links, AutoCloseable {
    /** etcd proxies by node number, one per member in member order. */
    private final Map<Integer, List<LinkProxy>> etcd = new LinkedHashMap<>();
    /** The proxies in front of each node's PostgreSQL and REST API, by node number. */
    private final Map<Integer, List<LinkProxy>> inbound = new LinkedHashMap<>();
    private final List<LinkProxy> all = new CopyOnWriteArrayList<>();
    private volatile TestCluster cluster;
    private final PeerAttribution attribution = new PeerAttribution(this::roots);

    void attach(TestCluster c) {
        cluster = c;
    }

    private Map<String, List<Long>> roots() {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        TestCluster c = cluster;
        if (c == null) {
            return out;
        }
        for (ClusterNode n : c.nodes()) {
            List<Long> pids = new ArrayList<>();
            if (n.agentAlive()) {
                pids.add(n.agentPid());
            }
            n.postmasterPid().ifPresent(pids::add);
            out.put(n.name(), pids);
        }
        return out;
    }

    @Override
    public String etcd(int node, String nodeHost, EtcdMember member) {
        LinkProxy p = LinkProxy.start("pg" + node + "->" + member.name(), nodeHost,
                new InetSocketAddress(member.host(), member.clientPort()), s -> "pg" + node);
        etcd.computeIfAbsent(node, k -> new ArrayList<>()).add(p);
        all.add(p);
        return p.address();
    }

    @Override
    public String postgres(int node, String host, int port) {
        return inbound(node, "postgres", host, port);
    }

    @Override
    public String rest(int node, String host, int port) {
        return inbound(node, "rest", host, port);
    }

    private String inbound(int node, String what, String host, int port) {
        LinkProxy p = LinkProxy.start(what + "@pg" + node, host, new InetSocketAddress(host, port), attribution);
        inbound.computeIfAbsent(node, k -> new ArrayList<>()).add(p);
        all.add(p);
        return p.address();
    }

    private static int number(String node) {
        return Integer.parseInt(node.substring(2));
    }

    /** {@code node}'s agent cannot reach any etcd member (both directions black-holed). */
    void cutFromEtcd(String node) {
        etcd.get(number(node)).forEach(p -> p.set(node, Fault.BLACKHOLE, Fault.BLACKHOLE));
    }

    /** {@code node}'s agent reaches every etcd member {@code millis} late each way. */
    void delayEtcd(String node, long millis) {
        etcd.get(number(node)).forEach(p -> p.set(node, Fault.delay(millis), Fault.delay(millis)));
    }

    /** Nothing passes between {@code a} and {@code b} (PostgreSQL and REST, both ways). */
    void cut(String a, String b) {
        inbound.get(number(b)).forEach(p -> p.set(a, Fault.BLACKHOLE, Fault.BLACKHOLE));
        inbound.get(number(a)).forEach(p -> p.set(b, Fault.BLACKHOLE, Fault.BLACKHOLE));
    }

    /** {@code node} cut off from etcd and from every other node. */
    void isolate(String node, List<String> others) {
        cutFromEtcd(node);
        others.stream().filter(o -> !o.equals(node)).forEach(o -> cut(node, o));
    }

    /** What the black holes swallowed since the last call: {@code link from source: bytes}, for the report. */
    List<String> takeSwallowed() {
        List<String> out = new ArrayList<>();
        for (LinkProxy p : all) {
            p.takeSwallowed().forEach((src, n) -> out.add(p.name() + " from " + src + ": " + n + " bytes"));
        }
        return out;
    }

    /** Every link passes again. */
    void heal() {
        all.forEach(LinkProxy::healAll);
    }

    @Override
    public void close() {
        all.forEach(LinkProxy::close);
    }
}
