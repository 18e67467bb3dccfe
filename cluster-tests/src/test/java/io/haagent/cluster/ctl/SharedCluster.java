package io.haagent.cluster.ctl;

import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One running three-node cluster for all tests of a class (a cluster takes half a minute to start; the agentctl
 * tests only read it or change it in ways each test undoes or expects). On a failed test the tail of every node's
 * log is printed; the cluster is stopped (and its directory removed unless something failed) after the last test.
 */
final class SharedCluster implements TestWatcher, AfterAllCallback {
    private final ClusterSpec spec;
    private TestCluster cluster;
    private ClusterNode leader;
    private boolean failed;

    SharedCluster(ClusterSpec spec) {
        this.spec = spec;
    }

    synchronized TestCluster get() {
        if (cluster == null) {
            cluster = TestCluster.start(spec);
            leader = cluster.awaitHealthy(Duration.ofSeconds(120));
        }
        return cluster;
    }

    /** The leader when the cluster became healthy. */
    ClusterNode initialLeader() {
        get();
        return leader;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        failed = true;
        if (cluster != null) {
            System.err.println("==== " + context.getDisplayName() + " failed; cluster in " + cluster.dir() + " ====");
            System.err.println(cluster.logs(60));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster == null) {
            return;
        }
        cluster.close();
        if (!failed) {
            try (Stream<Path> s = Files.walk(cluster.dir())) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory does not fail a passed run
            }
        }
    }
}
