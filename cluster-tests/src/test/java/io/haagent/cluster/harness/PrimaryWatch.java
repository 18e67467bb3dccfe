package io.haagent.cluster.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Asks every node's PostgreSQL, in the background and over and over, whether it accepts writes (is not in
 * recovery), to check the cluster's first invariant, never two writable primaries, and to tell when a node became
 * or stopped being writable. Each node has one connection, re-opened when it breaks: a demoted or killed primary
 * breaks it, so a stale answer is never reused.
 *
 * <p>A sample holds the monotonic times (System.nanoTime) at which it started and ended: a node reported writable
 * was writable at some moment in between. Assertions use the end of a sample as the latest moment it speaks for,
 * so they only fail on what was certainly observed.
 */
public final class PrimaryWatch implements AutoCloseable {
    private static final Duration PERIOD = Duration.ofMillis(100);

    /** One round over the nodes: name → true (writable), false (in recovery, down or not answering). */
    public record Sample(long startNanos, long endNanos, Map<String, Boolean> writable) {
        public List<String> primaries() {
            return writable.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        }
    }

    private final List<ClusterNode> nodes;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Map<String, Connection> connections = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean stopped;

    private PrimaryWatch(List<ClusterNode> nodes) {
        this.nodes = List.copyOf(nodes);
        this.thread = new Thread(this::run, "primary-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching every node of {@code cluster}. */
    public static PrimaryWatch start(TestCluster cluster) {
        PrimaryWatch w = new PrimaryWatch(cluster.nodes());
        w.thread.start();
        return w;
    }

    private void run() {
        while (!stopped) {
            long start = System.nanoTime();
            Map<String, Boolean> round = new LinkedHashMap<>();
            for (ClusterNode n : nodes) {
                round.put(n.name(), writable(n));
            }
            samples.add(new Sample(start, System.nanoTime(), round));
            long left = PERIOD.toNanos() - (System.nanoTime() - start);
            if (left > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(left);
            }
        }
        connections.values().forEach(PrimaryWatch::closeQuietly);
    }

    private boolean writable(ClusterNode n) {
        Connection c = connections.get(n.name());
        try {
            if (c == null) {
                c = open(n);
                connections.put(n.name(), c);
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                return rs.next() && !rs.getBoolean(1);
            }
        } catch (SQLException | RuntimeException e) {
            // whatever the driver throws, the node did not show it accepts writes; the watch itself goes on
            closeQuietly(c);
            connections.remove(n.name());
            return false;
        }
    }

    private static Connection open(ClusterNode n) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", ClusterNode.SUPERUSER);
        p.setProperty("password", ClusterNode.SUPERUSER_PASSWORD);
        p.setProperty("connectTimeout", "1");
        p.setProperty("loginTimeout", "2");
        p.setProperty("socketTimeout", "2");
        p.setProperty("ApplicationName", "primary-watch");
        return DriverManager.getConnection("jdbc:postgresql://" + n.host() + ":" + n.pgPort() + "/postgres", p);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // broken already
            }
        }
    }

    /** Every sample so far. */
    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Samples in which more than one node accepted writes. */
    public List<Sample> splitBrains() {
        return samples.stream().filter(s -> s.primaries().size() > 1).toList();
    }

    /** Fails when some sample saw two writable primaries. */
    public void assertNeverTwoPrimaries() {
        List<Sample> bad = splitBrains();
        if (!bad.isEmpty()) {
            throw new AssertionError("two writable primaries at once in " + bad.size() + " of " + samples.size()
                    + " samples, first: " + bad.get(0).primaries());
        }
    }

    /** The first sample that ended after {@code afterNanos} in which {@code node} was writable. */
    public Optional<Sample> firstWritable(String node, long afterNanos) {
        return samples.stream().filter(s -> s.startNanos() > afterNanos && s.writable().get(node)).findFirst();
    }

    /** The first sample that started after {@code afterNanos} in which some node was writable. */
    public Optional<Sample> firstWithPrimary(long afterNanos) {
        return samples.stream().filter(s -> s.startNanos() > afterNanos && !s.primaries().isEmpty()).findFirst();
    }

    /**
     * The sample that first saw {@code node} not writable after the last time it was seen writable: the moment it
     * stopped accepting writes for good lies before this sample's end. Empty while it is still writable (or was
     * never seen writable).
     */
    public Optional<Sample> stoppedBeingWritable(String node) {
        List<Sample> all = samples();
        int last = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).writable().get(node)) {
                last = i;
            }
        }
        return last < 0 || last + 1 >= all.size() ? Optional.empty() : Optional.of(all.get(last + 1));
    }

    /** Waits until the watch has at least one more sample than now (so it has seen the present). */
    public void awaitNextSample() {
        int n = samples.size();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> samples.size() > n + 1);
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

    /** Seconds between two monotonic instants, for messages. */
    public static String seconds(long fromNanos, long toNanos) {
        return String.format("%.2f s", (toNanos - fromNanos) / 1e9);
    }
}
