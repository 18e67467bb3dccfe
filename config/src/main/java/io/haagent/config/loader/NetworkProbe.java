package io.haagent.config.loader;

/**
 * The two network questions {@code --validate-config} asks, as Patroni's validator does: can this node listen
 * on an address, and can it reach a DCS endpoint. {@link SocketNetworkProbe} answers them with real sockets.
 */
public interface NetworkProbe {

    /** @return null when {@code host:port} can be listened on, else why not ("port 8008 is already in use") */
    String cannotListen(String host, int port);

    /** @return null when a TCP connection to {@code host:port} succeeds, else why not ("unknown host") */
    String cannotReach(String host, int port);

    /**
     * Who answers {@code GET /patroni} at {@code host:port}: a Patroni-compatible agent's cluster (scope) and
     * member name (null when it does not say, as Patroni 3.0), or null when nothing there answers as one.
     * {@code --validate-config} asks it when a REST listen port is in use, to tell the node's own running agent
     * from someone else.
     */
    default RestIdentity restIdentity(String host, int port, boolean tls) {
        return null;
    }

    /** What GET /patroni says about who answers: {@code patroni.scope}, {@code patroni.name}, {@code patroni.version}. */
    record RestIdentity(String scope, String name, String version) {
    }
}
