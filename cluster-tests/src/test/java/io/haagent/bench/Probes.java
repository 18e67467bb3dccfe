package io.haagent.bench;

import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.HaproxyProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches, from outside and every few milliseconds, what a client would notice of a role change, each as a series
 * of changes on the monotonic clock: for every node, its answer to {@code GET /primary} ({@code primary}: "200",
 * "503", "down"), whether its postgres takes writes ({@code writable}: "true", "false", "down") and which postmaster
 * runs ({@code postmaster}: a pid or "none"); for every HAProxy, each server's state ({@code <proxy>:<listener>/
 * <server>}: "UP", "DOWN", "UP 1/3", ...). A change is stamped with the end of the probe that saw it.
 */
final class Probes implements AutoCloseable {
    /** The series took {@code value} at {@code nanos}. */
    record Change(long nanos, String value) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final Duration period;
    private final Map<String, List<Change>> series = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    Probes(Duration period) {
        this.period = period;
    }

    /** Starts probing {@code node}: one thread asks its REST API, one its postgres and its postmaster pid. */
    void watch(ClusterNode node) {
        String restUrl = node.restUrl() + "/primary";
        loop("probe-rest-" + node.name(), () -> record(node.name() + ".primary", restAnswer(restUrl)));
        Connection[] conn = new Connection[1];
        loop("probe-sql-" + node.name(), () -> {
            // the pid file and a liveness check, not the process tree: cheap enough for every few milliseconds
            record(node.name() + ".postmaster", node.postmasterPid()
                    .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .map(String::valueOf).orElse("none"));
            record(node.name() + ".writable", writable(node, conn));
        });
    }

    /** Starts probing the server states of {@code haproxy}, recorded under {@code name}. */
    void watch(String name, HaproxyProcess haproxy) {
        loop("probe-" + name, () -> {
            try {
                haproxy.serverStates().forEach((server, state) -> record(name + ":" + server, state));
            } catch (IOException e) {
                // haproxy stopped: nothing to record
            }
        });
    }

    private void loop(String threadName, Runnable probe) {
        Thread t = new Thread(() -> {
            while (!stopped) {
                long start = System.nanoTime();
                try {
                    probe.run();
                } catch (RuntimeException e) {
                    // a probe that fails says nothing; the next one asks again
                }
                long left = period.toNanos() - (System.nanoTime() - start);
                if (left > 0) {
                    LockSupport.parkNanos(left);
                }
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    private static String restAnswer(String url) {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return Integer.toString(r.statusCode());
        } catch (IOException e) {
            return "down";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "down";
        }
    }

    private static String writable(ClusterNode node, Connection[] conn) {
        try {
            if (conn[0] == null) {
                Properties p = new Properties();
                p.setProperty("user", ClusterNode.SUPERUSER);
                p.setProperty("password", ClusterNode.SUPERUSER_PASSWORD);
                p.setProperty("connectTimeout", "1");
                p.setProperty("socketTimeout", "2");
                p.setProperty("ApplicationName", "bench-probe");
                conn[0] = DriverManager.getConnection("jdbc:postgresql://" + node.host() + ":" + node.pgPort()
                        + "/postgres", p);
            }
            try (Statement s = conn[0].createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                return rs.next() && !rs.getBoolean(1) ? "true" : "false";
            }
        } catch (SQLException e) {
            if (conn[0] != null) {
                try {
                    conn[0].close();
                } catch (SQLException ignored) {
                    // broken already
                }
                conn[0] = null;
            }
            return "down";
        }
    }

    private void record(String key, String value) {
        long now = System.nanoTime();
        List<Change> l = series.computeIfAbsent(key, k -> new ArrayList<>());
        synchronized (l) {
            if (l.isEmpty() || !l.get(l.size() - 1).value().equals(value)) {
                l.add(new Change(now, value));
            }
        }
    }

    private List<Change> changes(String key) {
        List<Change> l = series.get(key);
        if (l == null) {
            return List.of();
        }
        synchronized (l) {
            return List.copyOf(l);
        }
    }

    /** The value of {@code key} at {@code nanos} (the last change before it), if any was recorded. */
    Optional<String> valueAt(String key, long nanos) {
        String v = null;
        for (Change c : changes(key)) {
            if (c.nanos() > nanos) {
                break;
            }
            v = c.value();
        }
        return Optional.ofNullable(v);
    }

    /** When {@code key} first became {@code value} after {@code after}. */
    OptionalLong became(String key, String value, long after) {
        for (Change c : changes(key)) {
            if (c.nanos() > after && c.value().equals(value)) {
                return OptionalLong.of(c.nanos());
            }
        }
        return OptionalLong.empty();
    }

    /** When {@code key} first took a value other than {@code value} after {@code after}. */
    OptionalLong left(String key, String value, long after) {
        for (Change c : changes(key)) {
            if (c.nanos() > after && !c.value().equals(value)) {
                return OptionalLong.of(c.nanos());
            }
        }
        return OptionalLong.empty();
    }

    /** When {@code key} first changed after {@code after}. */
    OptionalLong changed(String key, long after) {
        for (Change c : changes(key)) {
            if (c.nanos() > after) {
                return OptionalLong.of(c.nanos());
            }
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        stopped = true;
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
