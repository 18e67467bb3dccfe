package io.haagent.cluster.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A client that keeps inserting ids into a table on whichever node is the primary (one connection, autocommit,
 * reconnecting to the primary among all nodes when it breaks) and records every id whose COMMIT returned: the
 * writes the cluster acknowledged, which synchronous mode must never lose. An id whose statement failed is not
 * recorded (it may or may not have been committed; either is allowed).
 */
public final class AcknowledgedWriter implements AutoCloseable {
    private final String url;
    private final String table;
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong next = new AtomicLong(1);
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long lastAckNanos;
    private final List<Long> ackTimes = new java.util.ArrayList<>();

    private AcknowledgedWriter(TestCluster cluster, String table) {
        // pgjdbc tries the hosts in order and keeps the one that is not read-only
        this.url = "jdbc:postgresql://" + cluster.nodes().stream().map(n -> n.host() + ":" + n.pgPort())
                .collect(Collectors.joining(",")) + "/postgres?targetServerType=primary";
        this.table = table;
        this.thread = new Thread(this::run, "acknowledged-writer");
        this.thread.setDaemon(true);
    }

    /** Starts writing into {@code table}, which must exist with a bigint column {@code id}. */
    static AcknowledgedWriter start(TestCluster cluster, String table) {
        AcknowledgedWriter w = new AcknowledgedWriter(cluster, table);
        w.thread.start();
        return w;
    }

    private void run() {
        Connection c = null;
        PreparedStatement insert = null;
        while (!stopped) {
            try {
                if (c == null) {
                    c = connect();
                    insert = c.prepareStatement("INSERT INTO " + table + " (id) VALUES (?)");
                }
                long id = next.getAndIncrement();
                insert.setLong(1, id);
                insert.executeUpdate();
                acknowledged.add(id);
                lastAckNanos = System.nanoTime();
                synchronized (ackTimes) {
                    ackTimes.add(lastAckNanos);
                }
            } catch (SQLException e) {
                failures.incrementAndGet();
                close(c);
                c = null;
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }
        close(c);
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ClusterNode.SUPERUSER);
        p.setProperty("password", ClusterNode.SUPERUSER_PASSWORD);
        p.setProperty("connectTimeout", "2");
        p.setProperty("loginTimeout", "5");
        // a synchronous commit may wait for a standby a while; a dead server is noticed by the reset socket
        p.setProperty("socketTimeout", "60");
        p.setProperty("ApplicationName", "acknowledged-writer");
        Connection c = DriverManager.getConnection(url, p);
        c.setAutoCommit(true);
        return c;
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

    /** Every id whose COMMIT returned, in order. */
    public List<Long> acknowledged() {
        return List.copyOf(new TreeSet<>(acknowledged));
    }

    public int acknowledgedCount() {
        return acknowledged.size();
    }

    /** Statements that failed (connection lost, server read-only...). */
    public long failures() {
        return failures.get();
    }

    /** System.nanoTime() of the last acknowledged write, 0 before the first. */
    public long lastAckNanos() {
        return lastAckNanos;
    }

    /**
     * The longest time between two acknowledged writes (or a bound of the window and the nearest one) within
     * {@code [fromNanos, toNanos]}: how long writes were unavailable there, as this client saw it.
     */
    public long longestGapNanos(long fromNanos, long toNanos) {
        long previous = fromNanos;
        long longest = 0;
        synchronized (ackTimes) {
            for (long t : ackTimes) {
                if (t < fromNanos) {
                    continue;
                }
                if (t > toNanos) {
                    break;
                }
                longest = Math.max(longest, t - previous);
                previous = t;
            }
        }
        return Math.max(longest, toNanos - previous);
    }

    /** Stops writing; returns once the writer thread has finished its statement. */
    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(90_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
