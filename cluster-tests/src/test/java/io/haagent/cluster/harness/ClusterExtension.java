package io.haagent.cluster.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts clusters for a test and tears them down after it. When the test failed, the tail of every node's log is
 * printed first (and the cluster directory is kept), so a CI failure explains itself. With the system property
 * {@code cluster.keep=true} the directories of passed tests are kept too (to read their logs).
 */
public final class ClusterExtension implements AfterEachCallback {
    private final List<TestCluster> clusters = new ArrayList<>();

    public TestCluster start(ClusterSpec spec) {
        TestCluster c = TestCluster.start(spec);
        clusters.add(c);
        return c;
    }

    public TestCluster create(ClusterSpec spec) {
        TestCluster c = TestCluster.create(spec);
        clusters.add(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        boolean failed = context.getExecutionException().isPresent();
        for (TestCluster c : clusters) {
            if (failed) {
                System.err.println("==== " + context.getDisplayName() + " failed; cluster in " + c.dir() + " ====");
                System.err.println(c.logs(80));
            }
            c.close();
            if (!failed && !Boolean.getBoolean("cluster.keep")) {
                deleteTree(c.dir());
            }
        }
        clusters.clear();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is not worth failing a passed test
        }
    }
}
