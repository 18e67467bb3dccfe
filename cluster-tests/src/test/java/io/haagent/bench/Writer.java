package io.haagent.bench;

import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.TestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes straight to the primary, one short transaction at a time, and records the monotonic time of every
 * acknowledged commit. After an error it reconnects to whichever node accepts writes (a multi-host URL with
 * targetServerType=primary, short timeouts), as an application without a proxy would.
 */
final class Writer implements AutoCloseable {
    private final String url;
    private final Properties props = new Properties();
    private final List<Long> commits = new ArrayList<>();
    private final List<Long> failures = new ArrayList<>();
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

    private void loop() {
        Connection c = null;
        PreparedStatement insert = null;
        while (running.get()) {
            try {
                if (c == null) {
                    c = DriverManager.getConnection(url, props);
                    c.setAutoCommit(true);
                    try (var s = c.createStatement()) {
                        s.execute("CREATE TABLE IF NOT EXISTS bench_writes(id bigint primary key, at timestamptz default now())");
                    }
                    insert = c.prepareStatement("INSERT INTO bench_writes(id) VALUES (?) ON CONFLICT DO NOTHING");
                }
                insert.setLong(1, nextId++);
                insert.executeUpdate();
                long t = System.nanoTime();
                synchronized (commits) {
                    commits.add(t);
                }
                // ~250 commits/s: fine enough to time an outage (4 ms), light enough that replicas keep up on a
                // busy 2-core machine (a WAL flood would make every replica "lagging" and refuse failovers)
                Thread.sleep(4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (SQLException e) {
                long t = System.nanoTime();
                synchronized (commits) {
                    failures.add(t);
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

    /** Waits until at least one commit after {@code sinceNanos} was acknowledged, or the timeout. */
    boolean awaitCommitAfter(long sinceNanos, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (commits) {
                if (!commits.isEmpty() && commits.get(commits.size() - 1) > sinceNanos) {
                    return true;
                }
            }
            Thread.sleep(5);
        }
        return false;
    }

    /**
     * The outage caused by an event at {@code t0}: waits for the first write failure after {@code t0} and then for
     * the first commit after it. @return {last commit before the failure, first commit after it}, or null on timeout
     */
    long[] awaitOutage(long t0, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (commits) {
                Long failure = failures.stream().filter(f -> f > t0).findFirst().orElse(null);
                if (failure != null) {
                    long before = -1;
                    long after = -1;
                    for (long c : commits) {
                        if (c < failure) {
                            before = c;
                        } else {
                            after = c;
                            break;
                        }
                    }
                    if (after > 0) {
                        return new long[] {before, after};
                    }
                }
            }
            Thread.sleep(5);
        }
        return null;
    }

    /** Monotonic time of the first acknowledged commit after {@code t0}, or -1. */
    long firstCommitAfter(long t0) {
        synchronized (commits) {
            for (long t : commits) {
                if (t > t0) {
                    return t;
                }
            }
        }
        return -1;
    }

    /**
     * The longest time without an acknowledged commit that overlaps [from, until]: the writes-unavailable time
     * of the event that happened at {@code from}.
     */
    double longestGapSeconds(long from, long until) {
        List<Long> cs;
        synchronized (commits) {
            cs = new ArrayList<>(commits);
        }
        long best = 0;
        long prev = -1;
        for (long t : cs) {
            if (prev >= 0 && t >= from && prev <= until) {
                best = Math.max(best, t - prev);
            }
            prev = t;
        }
        return best / 1e9;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }
}
