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
 *   <li>{@link Mode#DROP_ANSWERS}: requests reach the server, its answers are dropped: the server acts and the
 *       client cannot tell (the "ambiguous outcome" of a write).</li>
 *   <li>{@link Mode#HOLD}: a black hole that keeps what the server sends instead of dropping it, until
 *       {@link #releaseHeld()} delivers it and goes on as {@code BLACKHOLE}: an answer that was already on its
 *       way when the network went silent, arriving at the moment a test chooses.</li>
 * </ul>
 * Leaving {@code BLACKHOLE}, {@code DROP_ANSWERS} or {@code HOLD} resets the open connections (their streams lost
 * bytes).
 */
public final class TcpProxy implements AutoCloseable {
    public enum Mode { PASS, REFUSE, BLACKHOLE, DROP_ANSWERS, HOLD }

    private final String host;
    private final int port;
    private final InetSocketAddress target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private final java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong swallowed = new java.util.concurrent.atomic.AtomicLong();
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
        switchTo(Mode.PASS);
    }

    public synchronized void refuse() {
        mode = Mode.REFUSE;
        closeServer();
        resetAll();
    }

    public synchronized void blackhole() {
        switchTo(Mode.BLACKHOLE);
    }

    public synchronized void dropAnswers() {
        switchTo(Mode.DROP_ANSWERS);
    }

    public synchronized void hold() {
        switchTo(Mode.HOLD);
    }

    /** Delivers what {@link Mode#HOLD} kept, to each client in order, and stays black-holed from then on. */
    public synchronized void releaseHeld() {
        mode = Mode.BLACKHOLE;
        for (Link l : links) {
            l.releaseHeld();
        }
    }

    /** Bytes from servers kept by {@link Mode#HOLD} so far (released ones included). */
    public long heldBytes() {
        return held.get();
    }

    /** Bytes from clients that {@link Mode#BLACKHOLE} or {@link Mode#HOLD} did not let through. */
    public long swallowedBytes() {
        return swallowed.get();
    }

    /**
     * The new mode applies before old connections are reset: a client reconnecting at once must not have its
     * fresh connection's first bytes dropped under the old mode.
     */
    private void switchTo(Mode next) {
        Mode old = mode;
        mode = next;
        if (old != next && (old == Mode.BLACKHOLE || old == Mode.DROP_ANSWERS || old == Mode.HOLD)) {
            resetAll();
        }
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
            // the JDK releases a socket blocked in accept() only when that thread leaves it: wait, so that the
            // port refuses connections when this returns
            Thread t = acceptor;
            if (t != null && t != Thread.currentThread()) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
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
    }

    /** One client connection and, unless it arrived while black-holed, its upstream connection. */
    private final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private final java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();

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
                if (mode == Mode.REFUSE) {
                    reset();
                } else if (mode == Mode.PASS || mode == Mode.DROP_ANSWERS || mode == Mode.HOLD) {
                    Socket up = new Socket();
                    up.connect(target, 5000);
                    up.setTcpNoDelay(true);
                    client.setTcpNoDelay(true);
                    upstream = up;
                    Thread back = new Thread(() -> pump(up, client, true), "tcp-proxy-pump-" + port);
                    back.setDaemon(true);
                    back.start();
                    pump(client, up, false);
                } else {
                    pump(client, null, false);
                }
            } catch (IOException e) {
                reset();
            }
        }

        /** Copies until EOF; bytes the mode does not let through are read and dropped. */
        private void pump(Socket from, Socket to, boolean answers) {
            byte[] buf = new byte[16384];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to == null ? null : to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (this) {
                        Mode m = mode;
                        if (out != null && (m == Mode.PASS || m == Mode.DROP_ANSWERS && !answers)) {
                            out.write(buf, 0, n);
                            out.flush();
                        } else if (answers && m == Mode.HOLD) {
                            kept.write(buf, 0, n);
                            held.addAndGet(n);
                        } else if (!answers && (m == Mode.BLACKHOLE || m == Mode.HOLD)) {
                            swallowed.addAndGet(n);
                        }
                    }
                }
                reset();
            } catch (IOException e) {
                reset();
            }
        }

        synchronized void releaseHeld() {
            try {
                OutputStream out = client.getOutputStream();
                kept.writeTo(out);
                out.flush();
            } catch (IOException e) {
                reset();
            }
            kept.reset();
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
