package io.haagent.faults;

import io.haagent.testing.EtcdCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A test-side TCP proxy in front of one server (an etcd member, a node's PostgreSQL or REST API) whose links can be
 * faulted per source and per direction. The source of a connection is a node's name: fixed for a proxy that only
 * one agent uses (its etcd endpoints), or found by {@code attribution} for a proxy every peer uses (a node's
 * published PostgreSQL and REST addresses; see {@link PeerAttribution}). Each source has a {@link Fault} per
 * direction, {@code toServer} (requests) and {@code toClient} (answers):
 * <ul>
 *   <li>{@code PASS}: bytes flow;</li>
 *   <li>{@code BLACKHOLE}: bytes are read and dropped, connections stay open (a partition: the peer sees only its
 *       own timeouts);</li>
 *   <li>{@code DELAY}: bytes are delivered {@code delayMillis} late, in order;</li>
 *   <li>{@code DROP}: connections are reset and new ones refused (as when the host is down).</li>
 * </ul>
 * Healing a black hole resets the connections it touched (their streams lost bytes), as a real partition that
 * lasted past TCP's patience would.
 */
public final class LinkProxy implements AutoCloseable {
    public enum Mode { PASS, BLACKHOLE, DELAY, DROP }

    /** What one direction of one link does. */
    public record Fault(Mode mode, long delayMillis) {
        public static final Fault PASS = new Fault(Mode.PASS, 0);
        public static final Fault BLACKHOLE = new Fault(Mode.BLACKHOLE, 0);
        public static final Fault DROP = new Fault(Mode.DROP, 0);

        public static Fault delay(long millis) {
            return new Fault(Mode.DELAY, millis);
        }
    }

    /** Both directions of one source's link. */
    public record LinkState(Fault toServer, Fault toClient) {
        static final LinkState OPEN = new LinkState(Fault.PASS, Fault.PASS);

        boolean dropped() {
            return toServer.mode == Mode.DROP || toClient.mode == Mode.DROP;
        }

        boolean lossy() {
            return toServer.mode == Mode.BLACKHOLE || toClient.mode == Mode.BLACKHOLE;
        }
    }

    private final String name;
    private final String host;
    private final int port;
    private final InetSocketAddress target;
    private final Function<Socket, String> attribution;
    private final Map<String, LinkState> states = new ConcurrentHashMap<>();
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Map<String, java.util.concurrent.atomic.LongAdder> swallowed = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private ServerSocket server;

    private LinkProxy(String name, String host, InetSocketAddress target, Function<Socket, String> attribution) {
        this.name = name;
        this.host = host;
        this.port = EtcdCluster.freePort(host);
        this.target = target;
        this.attribution = attribution;
    }

    /**
     * A proxy named {@code name} listening on {@code listenHost} (a free port), forwarding to {@code target};
     * {@code attribution} names the node a connection comes from ("?" when unknown: such links are never faulted).
     */
    public static LinkProxy start(String name, String listenHost, InetSocketAddress target,
            Function<Socket, String> attribution) {
        LinkProxy p = new LinkProxy(name, listenHost, target, attribution);
        p.listen();
        return p;
    }

    public String name() {
        return name;
    }

    public String address() {
        return host + ":" + port;
    }

    /** Sets the link from {@code source} (a node name) in both directions; PASS/PASS heals it. */
    public void set(String source, Fault toServer, Fault toClient) {
        LinkState old = states.getOrDefault(source, LinkState.OPEN);
        LinkState next = new LinkState(toServer, toClient);
        states.put(source, next);
        if (next.dropped() || old.lossy() && !next.lossy()) {
            links.stream().filter(l -> l.source.equals(source)).forEach(Link::reset);
        }
    }

    /** Heals every link. */
    public void healAll() {
        for (String s : Set.copyOf(states.keySet())) {
            set(s, Fault.PASS, Fault.PASS);
        }
    }

    /** Bytes black-holed so far, by source, and forgets them (what a fault actually stopped). */
    public Map<String, Long> takeSwallowed() {
        Map<String, Long> out = new java.util.TreeMap<>();
        swallowed.forEach((k, v) -> out.put(k, v.sumThenReset()));
        out.values().removeIf(v -> v == 0);
        return out;
    }

    LinkState state(String source) {
        return states.getOrDefault(source, LinkState.OPEN);
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing
        }
        links.forEach(Link::reset);
    }

    private void listen() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 100);
            server = s;
        } catch (IOException e) {
            throw new UncheckedIOException("proxy " + name + " cannot listen on " + host + ":" + port, e);
        }
        Thread t = new Thread(this::acceptLoop, "link-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            Thread t = new Thread(() -> open(client), "link-" + name + "-open");
            t.setDaemon(true);
            t.start();
        }
    }

    private void open(Socket client) {
        String source;
        try {
            source = attribution.apply(client);
        } catch (RuntimeException e) {
            source = "?";
        }
        Link link = new Link(client, source);
        links.add(link);
        if (state(source).dropped()) {
            link.reset();
            return;
        }
        try {
            Socket up = new Socket();
            up.connect(target, 3000);
            up.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            link.upstream = up;
            link.pump(client, up, true);
            link.pump(up, client, false);
        } catch (IOException e) {
            link.reset();
        }
    }

    /** One client connection and its upstream connection. */
    private final class Link {
        final Socket client;
        final String source;
        volatile Socket upstream;

        Link(Socket client, String source) {
            this.client = client;
            this.source = source;
        }

        /** Copies {@code from} to {@code to} under the source's fault for that direction, until EOF. */
        void pump(Socket from, Socket to, boolean toServer) {
            LinkedBlockingQueue<Object[]> delayed = new LinkedBlockingQueue<>();
            Thread writer = new Thread(() -> drain(delayed, to), "link-" + name + "-delay");
            writer.setDaemon(true);
            writer.start();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[16384];
                try {
                    InputStream in = from.getInputStream();
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        LinkState st = state(source);
                        Fault f = toServer ? st.toServer() : st.toClient();
                        switch (f.mode()) {
                            case PASS -> delayed.put(new Object[] {0L, Arrays.copyOf(buf, n)});
                            case DELAY -> delayed.put(new Object[] {System.nanoTime()
                                    + TimeUnit.MILLISECONDS.toNanos(f.delayMillis()), Arrays.copyOf(buf, n)});
                            case BLACKHOLE -> swallowed.computeIfAbsent(source,
                                    k -> new java.util.concurrent.atomic.LongAdder()).add(n);
                            case DROP -> {
                                reset();
                                return;
                            }
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // reset below
                }
                reset();
                writer.interrupt();
            }, "link-" + name + "-pump");
            reader.setDaemon(true);
            reader.start();
        }

        private void drain(LinkedBlockingQueue<Object[]> queue, Socket to) {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Object[] item = queue.take();
                    long due = (Long) item[0];
                    long wait = due - System.nanoTime();
                    if (due != 0 && wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    out.write((byte[]) item[1]);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
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
