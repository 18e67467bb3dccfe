package io.haagent.faults;

import io.haagent.cluster.harness.ClusterNode;
import io.haagent.faults.History.Attempt;
import io.haagent.faults.History.NodeSample;
import io.haagent.faults.History.Outcome;
import io.haagent.faults.History.Sample;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The suite's clients, all outside the faults (they use the nodes' real addresses, not the proxies): writers that
 * commit numbered rows, each attempt recorded as acknowledged, failed or unknown with its times, and a sampler that
 * asks every node whether it accepts writes and what {@code GET /primary} says, every 150 ms.
 */
final class Clients {
    static final String TABLE = "fault_writes";
    /** The committing node's port, its timeline (from the WAL file name) and the commit's WAL position. */
    static final String INSERT = "INSERT INTO " + TABLE + " (client, id) VALUES (?, ?) RETURNING inet_server_port(), "
            + "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int, "
            + "(pg_current_wal_lsn() - '0/0')::bigint";
    static final String TIMELINE = "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN 0 ELSE "
            + "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500))
            .version(HttpClient.Version.HTTP_1_1).build();

    private Clients() {
    }

    static Properties props(String app, int socketTimeoutSeconds) {
        Properties p = new Properties();
        p.setProperty("user", ClusterNode.SUPERUSER);
        p.setProperty("password", ClusterNode.SUPERUSER_PASSWORD);
        p.setProperty("connectTimeout", "2");
        p.setProperty("loginTimeout", "3");
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        p.setProperty("ApplicationName", app);
        return p;
    }

    static int primaryStatus(ClusterNode n) {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(n.restUrl() + "/primary")).timeout(Duration.ofMillis(800))
                    .GET().build();
            return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * Commits numbered rows one at a time, every 20 ms, on whatever {@code target} names ({@code host:port}: the
     * node answering 200 to {@code GET /primary}, or HAProxy's read-write port). A failure to connect is
     * {@code FAILED}; an error while the insert was on its way (the connection broke, a timeout, the server
     * terminating the session) is {@code UNKNOWN}: it may have committed. Rows a server refused outright
     * (read-only) are {@code FAILED}.
     */
    static final class Writer implements AutoCloseable {
        private final String client;
        private final Supplier<String> target;
        private final Map<Integer, String> nodeOfPort;
        private final AtomicLong ids;
        private final long t0;
        private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stopped;

        Writer(String client, Supplier<String> target, Map<Integer, String> nodeOfPort, AtomicLong ids, long t0) {
            this.client = client;
            this.target = target;
            this.nodeOfPort = nodeOfPort;
            this.ids = ids;
            this.t0 = t0;
            this.thread = new Thread(this::run, "fault-writer-" + client);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        List<Attempt> attempts() {
            return List.copyOf(attempts);
        }

        private long now() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }

        private void run() {
            Connection c = null;
            while (!stopped) {
                long start = now();
                if (c == null) {
                    String where = target.get();
                    if (where == null) {
                        attempts.add(Attempt.failed(client, ids.incrementAndGet(), start, now(), Outcome.FAILED,
                                "no node answers 200 to GET /primary"));
                        pause(100);
                        continue;
                    }
                    try {
                        c = DriverManager.getConnection("jdbc:postgresql://" + where + "/postgres",
                                props("fault-" + client, 3));
                    } catch (SQLException e) {
                        attempts.add(Attempt.failed(client, ids.incrementAndGet(), start, now(), Outcome.FAILED,
                                "connect " + where + ": " + e.getMessage()));
                        pause(100);
                        continue;
                    }
                }
                long id = ids.incrementAndGet();
                start = now();
                try (PreparedStatement s = c.prepareStatement(INSERT)) {
                    s.setString(1, client);
                    s.setLong(2, id);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        attempts.add(Attempt.acked(client, id, start, now(),
                                nodeOfPort.getOrDefault(rs.getInt(1), "port " + rs.getInt(1)), rs.getLong(2),
                                rs.getLong(3)));
                    }
                } catch (SQLException e) {
                    String state = e.getSQLState() == null ? "" : e.getSQLState();
                    Outcome o = state.equals("25006") || state.startsWith("42") ? Outcome.FAILED : Outcome.UNKNOWN;
                    attempts.add(Attempt.failed(client, id, start, now(), o, state + " " + e.getMessage()));
                    close(c);
                    c = null;
                }
                pause(20);
            }
            close(c);
        }

        private static void close(Connection c) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // broken already
                }
            }
        }

        private static void pause(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            stopped = true;
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every 150 ms: each node's {@code pg_is_in_recovery()}, timeline and {@code GET /primary} status. */
    static final class Sampler implements AutoCloseable {
        private final List<ClusterNode> nodes;
        private final long t0;
        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private final Map<String, Connection> connections = new HashMap<>();
        private final Thread thread;
        private volatile boolean stopped;

        Sampler(List<ClusterNode> nodes, long t0) {
            this.nodes = nodes;
            this.t0 = t0;
            this.thread = new Thread(this::run, "fault-sampler");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        List<Sample> samples() {
            return List.copyOf(samples);
        }

        private long now() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }

        private void run() {
            while (!stopped) {
                long start = now();
                Map<String, NodeSample> round = new LinkedHashMap<>();
                for (ClusterNode n : nodes) {
                    Boolean writable = null;
                    long timeline = 0;
                    try {
                        Connection c = connections.get(n.name());
                        if (c == null) {
                            c = DriverManager.getConnection("jdbc:postgresql://" + n.host() + ":" + n.pgPort()
                                    + "/postgres", props("fault-sampler", 1));
                            connections.put(n.name(), c);
                        }
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TIMELINE)) {
                            rs.next();
                            writable = !rs.getBoolean(1);
                            timeline = rs.getLong(2);
                        }
                    } catch (SQLException e) {
                        Connection c = connections.remove(n.name());
                        if (c != null) {
                            try {
                                c.close();
                            } catch (SQLException ignored) {
                                // broken
                            }
                        }
                    }
                    round.put(n.name(), new NodeSample(writable, timeline, primaryStatus(n)));
                }
                samples.add(new Sample(start, now(), round));
                long left = 150 - (now() - start);
                if (left > 0) {
                    try {
                        Thread.sleep(left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            connections.values().forEach(c -> {
                try {
                    c.close();
                } catch (SQLException e) {
                    // closing
                }
            });
        }

        @Override
        public void close() {
            stopped = true;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
