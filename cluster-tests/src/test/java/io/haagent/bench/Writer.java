package io.haagent.bench;

import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.RecordingClient;
import io.haagent.cluster.harness.TestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes straight to the primary, one short transaction every 4 ms, and records the monotonic time of every
 * acknowledged commit (issue 4's figure, kept for comparison). After an error it reconnects to whichever node
 * accepts writes: pgjdbc's multi-host URL with targetServerType=primary and short timeouts. This is pgjdbc's own
 * host selection, not libpq's (the libpq writers are {@link ClientSet}'s Python clients).
 */
final class Writer implements RecordingClient, AutoCloseable {
    static final String TABLE = "bench_writes";

    private final String url;
    private final Properties props = new Properties();
    private final List<Ack> acks = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private long nextId = 1;

    Writer(TestCluster cluster) {
        StringBuilder hosts = new StringBuilder();
        for (ClusterNode n : cluster.nodes()) {
            if (hosts.length() > 0) {
                hosts.append(',');
            }
            hosts.append(n.host()).append(':').append(n.pgPort());
        }
        url = "jdbc:postgresql://" + hosts + "/postgres";
        props.setProperty("user", ClusterNode.SUPERUSER);
        props.setProperty("password", ClusterNode.SUPERUSER_PASSWORD);
        props.setProperty("targetServerType", "primary");
        props.setProperty("connectTimeout", "1");
        props.setProperty("socketTimeout", "2");
        props.setProperty("loginTimeout", "2");
        props.setProperty("hostRecheckSeconds", "0");
        props.setProperty("ApplicationName", "bench-writer");
        thread = new Thread(this::loop, "bench-writer");
        thread.setDaemon(true);
    }

    Writer start() {
        thread.start();
        return this;
    }

    @Override
    public String name() {
        return "pgjdbc-4ms";
    }

    @Override
    public String table() {
        return TABLE;
    }

    private void loop() {
        Connection c = null;
        PreparedStatement insert = null;
        String server = "?";
        while (running.get()) {
            long id = nextId++;
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, props);
                    c.setAutoCommit(true);
                    try (var s = c.createStatement()) {
                        s.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                                + "(id bigint primary key, at timestamptz default now())");
                        try (var rs = s.executeQuery("SELECT host(inet_server_addr()) || ':' || inet_server_port()")) {
                            server = rs.next() ? rs.getString(1) : "?";
                        }
                    }
                    insert = c.prepareStatement("INSERT INTO " + TABLE + "(id) VALUES (?) ON CONFLICT DO NOTHING");
                }
                insert.setLong(1, id);
                insert.executeUpdate();
                long t = System.nanoTime();
                synchronized (this) {
                    acks.add(new Ack(t, id, server));
                    notifyAll();
                }
                // ~250 commits/s: fine enough to time an outage (4 ms), light enough that replicas keep up on a
                // busy 2-core machine (a WAL flood would make every replica "lagging" and refuse failovers)
                Thread.sleep(4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (SQLException e) {
                long t = System.nanoTime();
                synchronized (this) {
                    failures.add(new Failure(t, id, e.getMessage()));
                }
                closeQuietly(c);
                c = null;
                insert = null;
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // gone anyway
            }
        }
    }

    @Override
    public synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }

    @Override
    public synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    @Override
    public boolean awaitAckAfter(long nanos, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (acks.isEmpty() || acks.get(acks.size() - 1).nanos() <= nanos) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }
}
