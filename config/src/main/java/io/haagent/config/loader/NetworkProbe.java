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
}
