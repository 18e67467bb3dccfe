package io.haagent.config.loader;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Answers {@link NetworkProbe} with real sockets. Listening is checked by binding (and closing at once), which
 * tells "in use" from "not an address of this host"; reachability by a TCP connect with a short timeout.
 */
public final class SocketNetworkProbe implements NetworkProbe {
    private final int connectTimeoutMillis;

    public SocketNetworkProbe(int connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    public String cannotListen(String host, int port) {
        InetAddress address;
        try {
            address = host.equals("*") ? null : InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return "unknown host " + host;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
            return null;
        } catch (BindException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase();
            if (m.contains("in use")) {
                return "port " + port + " is already in use";
            }
            if (m.contains("assign") || m.contains("not available")) {
                return host + " is not an address of this host";
            }
            if (m.contains("permission") || m.contains("denied")) {
                return "no permission to listen on port " + port + " (ports below 1024 need root)";
            }
            return "cannot listen there (" + e.getMessage() + ")";
        } catch (IOException | SecurityException e) {
            return "cannot listen there (" + e.getMessage() + ")";
        }
    }

    @Override
    public String cannotReach(String host, int port) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return "unknown host " + host;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), connectTimeoutMillis);
            return null;
        } catch (SocketTimeoutException e) {
            return "no answer within " + connectTimeoutMillis + " ms";
        } catch (ConnectException e) {
            return "connection refused";
        } catch (IOException e) {
            return "cannot connect (" + e.getMessage() + ")";
        }
    }
}
