package io.haagent.rest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow and numerous clients from holding the REST server (issue 18: twelve connections sending a body one
 * byte every few seconds took every request thread, and every health check timed out with them):
 * <ul>
 * <li>a client address may hold {@code maxConnectionsPerAddress} connections; more are closed as they open;</li>
 * <li>a TLS handshake, and a request's line and headers, must arrive within {@code headerTimeout} of the
 * connection's opening (or of the previous request), and a body within {@code bodyTimeout} of its headers; a
 * connection that overruns is closed, which also frees a thread blocked reading it.</li>
 * </ul>
 * Jetty's idle timeout only fires when nothing arrives at all, so one byte every few seconds defeats it; the guard
 * measures the time spent on one request instead. A sweep every quarter second on Jetty's own scheduler thread (no
 * thread of its own), and only while connections are open. Patroni's http.server has neither bound (its per-request thread waits for as long as the
 * client keeps the socket open).
 */
final class ConnectionGuard implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long SWEEP_MILLIS = 250;
    private static final long REFUSAL_LOG_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final RestApiOptions options;
    private final Map<Connection, Tracked> open = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Map<InetAddress, Long> refusalLogged = new ConcurrentHashMap<>();
    private volatile Scheduler scheduler;
    private volatile boolean running;
    /** A sweep is scheduled: only while connections are open, so an idle agent is not woken four times a second. */
    private final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();

    ConnectionGuard(RestApiOptions options) {
        this.options = options;
    }

    /** Starts sweeping on {@code s} (the connector's scheduler) until {@link #stop()}. */
    void start(Scheduler s) {
        scheduler = s;
        running = true;
        if (!open.isEmpty()) {
            arm();
        }
    }

    private void arm() {
        Scheduler s = scheduler;
        if (running && s != null && armed.compareAndSet(false, true)) {
            s.schedule(this::sweepAndReschedule, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void stop() {
        running = false;
    }

    /** Open connections of one client address (for tests and the log). */
    int openFrom(InetAddress a) {
        AtomicInteger n = perAddress.get(a);
        return n == null ? 0 : n.get();
    }

    private static final class Tracked {
        final long openedNanos;
        final InetAddress address;
        volatile boolean handshakeDone;
        long phaseKey = Long.MIN_VALUE;
        long phaseSinceNanos;

        Tracked(long openedNanos, InetAddress address) {
            this.openedNanos = openedNanos;
            this.address = address;
        }
    }

    @Override
    public void onOpened(Connection c) {
        EndPoint ep = c.getEndPoint();
        boolean network = !(ep instanceof SslConnection.SslEndPoint);
        InetAddress address = network ? address(ep.getRemoteSocketAddress()) : null;
        Tracked t = new Tracked(System.nanoTime(), address);
        if (c instanceof SslConnection ssl) {
            ssl.addHandshakeListener(new SslHandshakeListener() {
                @Override
                public void handshakeSucceeded(Event event) {
                    t.handshakeDone = true;
                }
            });
        }
        open.put(c, t);
        arm();
        if (address != null) {
            int n = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            if (n > options.maxConnectionsPerAddress()) {
                refused(address, n);
                ep.close(new IllegalStateException("too many connections from " + address.getHostAddress()));
            }
        }
    }

    @Override
    public void onClosed(Connection c) {
        Tracked t = open.remove(c);
        if (t != null && t.address != null) {
            perAddress.computeIfPresent(t.address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    private void refused(InetAddress a, int n) {
        long now = System.nanoTime();
        Long last = refusalLogged.get(a);
        if (last == null || now - last > REFUSAL_LOG_NANOS) {
            refusalLogged.put(a, now);
            LOG.warn("refusing connections from {}: it has {} open, {} are allowed per address (further refusals"
                    + " from it are not logged for a minute)", a.getHostAddress(), n - 1,
                    options.maxConnectionsPerAddress());
        }
    }

    private void sweepAndReschedule() {
        if (!running) {
            return;
        }
        try {
            sweep(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("REST connection sweep failed: {}", e.toString());
        }
        Scheduler s = scheduler;
        if (!running || s == null || !s.isRunning()) {
            armed.set(false);
        } else if (open.isEmpty()) {
            armed.set(false);
            if (!open.isEmpty()) {
                arm(); // a connection opened between the check and the disarm
            }
        } else {
            s.schedule(this::sweepAndReschedule, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private static final int FIRST = 0;
    private static final int HEAD = 1;
    private static final int BODY = 2;
    private static final int BETWEEN = 3;

    void sweep(long now) {
        for (Map.Entry<Connection, Tracked> e : open.entrySet()) {
            Connection c = e.getKey();
            Tracked t = e.getValue();
            if (c instanceof SslConnection) {
                if (!t.handshakeDone && now - t.openedNanos > options.headerTimeout().toNanos()) {
                    close(c, t, "the TLS handshake did not complete within " + options.headerTimeout().toSeconds()
                            + " s");
                }
                continue;
            }
            if (!(c instanceof HttpConnection h)) {
                continue;
            }
            HttpParser p = h.getParser();
            long requests = h.getMessagesIn();
            int phase = p.inContentState() ? BODY : !p.isStart() && p.inHeaderState() ? HEAD
                    : requests == 0 && p.isStart() ? FIRST : BETWEEN;
            long key = requests * 4 + phase;
            if (key != t.phaseKey) {
                t.phaseKey = key;
                t.phaseSinceNanos = phase == FIRST ? t.openedNanos : now;
            }
            long elapsed = now - t.phaseSinceNanos;
            if ((phase == FIRST || phase == HEAD) && elapsed > options.headerTimeout().toNanos()) {
                close(c, t, "no complete request line and headers within " + options.headerTimeout().toSeconds()
                        + " s");
            } else if (phase == BODY && elapsed > options.bodyTimeout().toNanos()) {
                close(c, t, "the request body did not arrive within " + options.bodyTimeout().toSeconds() + " s");
            }
        }
    }

    private static void close(Connection c, Tracked t, String why) {
        LOG.debug("closing a REST connection from {}: {}", t.address == null ? remote(c) : t.address.getHostAddress(),
                why);
        c.getEndPoint().close(new TimeoutException(why));
    }

    private static String remote(Connection c) {
        InetAddress a = address(c.getEndPoint().getRemoteSocketAddress());
        return a == null ? "?" : a.getHostAddress();
    }

    private static InetAddress address(SocketAddress s) {
        return s instanceof InetSocketAddress i ? i.getAddress() : null;
    }
}
