package io.haagent.rest.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile clients for the REST server (issue 18, defect 2): each slot holds one connection from its own source
 * address, sends a request head, then drips one byte every {@code drip}. A slot whose connection the server closed
 * (or answered) reconnects at once, so the pressure stays for as long as the attack runs. Also a probe that times a
 * health check the way HAProxy makes one: a new connection, one request, {@code Connection: close}.
 */
public final class SlowClients implements AutoCloseable {
    private final InetSocketAddress target;
    private final List<Slot> slots = new ArrayList<>();
    private final Duration drip;
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger refusedWith503 = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    private static final class Slot {
        final InetAddress source;
        final String head;
        Socket socket;

        Slot(InetAddress source, String head) {
            this.source = source;
            this.head = head;
        }
    }

    /** A POST /switchover announcing a 100 kB body, as in the issue. */
    public static String slowBody(String path) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000"
                + "\r\n\r\n{";
    }

    /** A request whose headers never end. */
    public static String slowHead() {
        return "GET /primary HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    }

    public SlowClients(InetSocketAddress target, Duration drip) {
        this.target = target;
        this.drip = drip;
        this.thread = new Thread(this::run, "slow-clients");
        this.thread.setDaemon(true);
    }

    public SlowClients add(InetAddress source, String head) {
        slots.add(new Slot(source, head));
        return this;
    }

    public SlowClients start() {
        thread.start();
        return this;
    }

    /** Connections currently open (sent their head and not closed). */
    public int open() {
        int n = 0;
        for (Slot s : slots) {
            Socket so = s.socket;
            if (so != null && !so.isClosed()) {
                n++;
            }
        }
        return n;
    }

    /** Connections the server closed or answered, after which the slot reconnected. */
    public int reconnects() {
        return reconnects.get();
    }

    /** Slow requests the server answered 503 (no body reader free) instead of waiting for them. */
    public int refusedWith503() {
        return refusedWith503.get();
    }

    private void run() {
        long next = System.nanoTime();
        while (running) {
            for (Slot s : slots) {
                if (!running) {
                    break;
                }
                try {
                    if (s.socket == null) {
                        connect(s);
                    } else if (answeredOrClosed(s.socket)) {
                        close(s);
                        reconnects.incrementAndGet();
                        connect(s);
                    } else {
                        OutputStream out = s.socket.getOutputStream();
                        out.write('1');
                        out.flush();
                    }
                } catch (IOException e) {
                    close(s);
                    reconnects.incrementAndGet();
                }
            }
            next += drip.toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void connect(Slot s) throws IOException {
        Socket so = new Socket();
        s.socket = so;
        so.setSoTimeout(1);
        so.bind(new InetSocketAddress(s.source, 0));
        so.connect(target, 3000);
        so.getOutputStream().write(s.head.getBytes(StandardCharsets.ISO_8859_1));
        so.getOutputStream().flush();
    }

    /** True when the server answered (a status line) or closed the connection. */
    private boolean answeredOrClosed(Socket so) {
        try {
            InputStream in = so.getInputStream();
            byte[] buf = new byte[512];
            int n = in.read(buf);
            if (n < 0) {
                return true;
            }
            if (new String(buf, 0, n, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 503")) {
                refusedWith503.incrementAndGet();
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void close(Slot s) {
        try {
            if (s.socket != null) {
                s.socket.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        s.socket = null;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        slots.forEach(SlowClients::close);
    }

    /** One probe's outcome: the status code (0 when none came), how long it took, and when it began (nanoTime). */
    public record Probe(int status, long nanos, String error, long startedAt) {
    }

    /** {@code GET path} on a new connection with {@code Connection: close}; the status line and the time to it. */
    public static Probe probe(InetSocketAddress target, String path, Duration timeout) {
        long start = System.nanoTime();
        try (Socket so = new Socket()) {
            so.setSoTimeout((int) timeout.toMillis());
            so.connect(target, (int) timeout.toMillis());
            so.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            so.getOutputStream().flush();
            byte[] buf = new byte[16];
            int n = so.getInputStream().readNBytes(buf, 0, 12);
            long took = System.nanoTime() - start;
            String line = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            // Patroni's http.server answers HTTP/1.0
            if (!line.startsWith("HTTP/1.1 ") && !line.startsWith("HTTP/1.0 ")) {
                return new Probe(0, took, "no status line: '" + line + "'", start);
            }
            return new Probe(Integer.parseInt(line.substring(9, 12)), took, null, start);
        } catch (IOException | RuntimeException e) {
            return new Probe(0, System.nanoTime() - start, e.toString(), start);
        }
    }

    /** Probes until {@code duration} has passed, one every {@code every}; the outcomes in order. */
    public static List<Probe> probeFor(InetSocketAddress target, List<String> paths, Duration duration,
            Duration every, Duration timeout) {
        List<Probe> out = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong i = new AtomicLong();
        while (System.nanoTime() < end) {
            out.add(probe(target, paths.get((int) (i.getAndIncrement() % paths.size())), timeout));
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return out;
    }
}
