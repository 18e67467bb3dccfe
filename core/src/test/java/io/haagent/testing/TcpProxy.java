package io.haagent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test-side TCP proxy in front of one server (an etcd member, a REST API), to cut one client off:
 * <ul>
 *   <li>{@link Mode#PASS}: bytes flow both ways.</li>
 *   <li>{@link Mode#REFUSE}: the listening socket is closed (connects are refused) and open connections are
 *       reset, as when the server is down.</li>
 *   <li>{@link Mode#BLACKHOLE}: connections are accepted and open ones stay open, but nothing is forwarded or
 *       answered, as in a network partition: clients see only their own timeouts.</li>
 * </ul>
 * Leaving {@code BLACKHOLE} resets the connections that lost bytes in it (their streams are no longer whole).
 */
public final class TcpProxy implements AutoCloseable {
    public enum Mode { PASS, REFUSE, BLACKHOLE }

    private final String host;
    private final int port;
    private final InetSocketAddress target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;
    private ServerSocket server;
    private Thread acceptor;

    private TcpProxy(String host, int port, InetSocketAddress target) {
        this.host = host;
        this.port = port;
        this.target = target;
    }

    /** A proxy on {@code listenHost} (a free port) forwarding to {@code targetHost:targetPort}. */
    public static TcpProxy start(String listenHost, String targetHost, int targetPort) {
        TcpProxy p = new TcpProxy(listenHost, EtcdCluster.freePort(listenHost),
                new InetSocketAddress(targetHost, targetPort));
        p.listen();
        return p;
    }

    /** A proxy in front of an etcd member, on the member's own address. */
    public static TcpProxy inFrontOf(EtcdMember member) {
        return start(member.host(), member.host(), member.clientPort());
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code <scheme>://<host>:<port>} of the proxy. */
    public String url(String scheme) {
        return scheme + "://" + host + ":" + port;
    }

    public Mode mode() {
        return mode;
    }

    public synchronized void pass() {
        if (mode == Mode.BLACKHOLE) {
            resetAll();
        }
        mode = Mode.PASS;
        listen();
    }

    public synchronized void refuse() {
        mode = Mode.REFUSE;
        closeServer();
        resetAll();
    }

    public synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
        listen();
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeServer();
        resetAll();
    }

    private void listen() {
        if (server != null && !server.isClosed()) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
            server = s;
        } catch (IOException e) {
            throw new UncheckedIOException("proxy cannot listen on " + host + ":" + port, e);
        }
        ServerSocket s = server;
        acceptor = new Thread(() -> acceptLoop(s), "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void closeServer() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // closing
            }
            server = null;
        }
    }

    private void acceptLoop(ServerSocket s) {
        while (!closed && !s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return;
            }
            Link link = new Link(client);
            links.add(link);
            link.start();
        }
    }

    private void resetAll() {
        for (Link l : links) {
            l.reset();
        }
        links.clear();
    }

    /** One client connection and, unless it arrived while black-holed, its upstream connection. */
    private final class Link {
        private final Socket client;
        private volatile Socket upstream;

        Link(Socket client) {
            this.client = client;
        }

        void start() {
            Thread t = new Thread(this::run, "tcp-proxy-link-" + port);
            t.setDaemon(true);
            t.start();
        }

        private void run() {
            try {
                if (mode == Mode.PASS) {
                    Socket up = new Socket();
                    up.connect(target, 5000);
                    up.setTcpNoDelay(true);
                    client.setTcpNoDelay(true);
                    upstream = up;
                    Thread back = new Thread(() -> pump(up, client), "tcp-proxy-pump-" + port);
                    back.setDaemon(true);
                    back.start();
                    pump(client, up);
                } else {
                    pump(client, null);
                }
            } catch (IOException e) {
                reset();
            }
        }

        /** Copies until EOF; while black-holed the bytes are read and dropped. */
        private void pump(Socket from, Socket to) {
            byte[] buf = new byte[16384];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to == null ? null : to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (mode == Mode.PASS && out != null) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
                reset();
            } catch (IOException e) {
                reset();
            }
        }

        void reset() {
            abort(client);
            Socket up = upstream;
            if (up != null) {
                abort(up);
            }
            links.remove(this);
        }

        private void abort(Socket s) {
            try {
                s.setSoLinger(true, 0);
            } catch (SocketException e) {
                // already closed
            }
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
