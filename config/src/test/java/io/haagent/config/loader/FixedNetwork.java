package io.haagent.config.loader;

import java.util.Set;

/**
 * A network with fixed answers, for tests whose expected output must not depend on what this machine runs
 * (a PostgreSQL on 5432, DNS). The real answers come from {@link SocketNetworkProbe}, tested against real
 * sockets in {@code SocketNetworkProbeTest}.
 *
 * @param inUse     "host:port" that cannot be listened on
 * @param reachable "host:port" that accept connections; other IP addresses refuse, other names do not resolve
 */
record FixedNetwork(Set<String> inUse, Set<String> reachable) implements NetworkProbe {
    static final FixedNetwork NOTHING_RUNS = new FixedNetwork(Set.of(), Set.of());

    @Override
    public String cannotListen(String host, int port) {
        return inUse.contains(HostPort.format(host, port)) ? "port " + port + " is already in use" : null;
    }

    @Override
    public String cannotReach(String host, int port) {
        if (reachable.contains(HostPort.format(host, port))) {
            return null;
        }
        return host.matches("[0-9.]+|.*:.*") ? "connection refused" : "unknown host " + host;
    }
}
