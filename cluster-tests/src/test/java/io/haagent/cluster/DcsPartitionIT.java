package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The primary's agent loses etcd (its proxy swallows every byte, as a network partition does) while postgres and
 * the other members carry on (§3.8, safety rule 2): it must stop accepting writes before its lease can expire,
 * because once the lease expires another member is elected.
 */
class DcsPartitionIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void aPrimaryCutOffFromEtcdDemotesBeforeItsLeaseExpiresAndIsReplacedOnlyAfterIt() {
        TestCluster c = clusters.start(ClusterSpec.of(3).etcdThroughProxies());
        ClusterNode old = c.awaitHealthy(Duration.ofSeconds(90));
        old.sql("CREATE TABLE partition_probe AS SELECT 1 AS v");
        PrimaryWatch watch = c.watchPrimaries();
        long lease = c.leaderLease();

        long cutAt = System.nanoTime();
        old.etcdProxy().blackhole();
        // read from etcd directly (etcdctl does not go through the proxy)
        long expiresNotBefore = c.leaseExpiresNotBefore(lease)
                .orElseThrow(() -> new AssertionError("the lease expired at once"));

        AtomicLong primary503At = new AtomicLong();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (primary503At.get() == 0 && old.get("/primary").status() == 503) {
                primary503At.set(System.nanoTime());
            }
            return primary503At.get() != 0 && watch.stoppedBeingWritable(old.name()).isPresent();
        });
        long stoppedWrites = watch.stoppedBeingWritable(old.name()).orElseThrow().endNanos();
        assertThat(stoppedWrites).as("writes stopped %s after the cut; the lease expired %s after it at the earliest",
                PrimaryWatch.seconds(cutAt, stoppedWrites), PrimaryWatch.seconds(cutAt, expiresNotBefore))
                .isLessThan(expiresNotBefore);
        assertThat(primary503At.get()).as("GET /primary answered 503 %s after the cut",
                PrimaryWatch.seconds(cutAt, primary503At.get())).isLessThan(expiresNotBefore);
        assertThat(old.logContains("demoting self because DCS is not accessible and I was a leader")).isTrue();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(n -> !n.equals(old.name())).isPresent());
        ClusterNode next = c.leader();
        await().atMost(Duration.ofSeconds(30)).until(next::isWritablePrimary);
        watch.awaitNextSample();
        long promoted = watch.firstWritable(next.name(), cutAt).orElseThrow().endNanos();
        assertThat(promoted).as("%s writable %s after the cut", next.name(), PrimaryWatch.seconds(cutAt, promoted))
                .isGreaterThan(expiresNotBefore);
        assertThat(old.isWritablePrimary()).isFalse();
        System.out.printf("etcd cut off: writes stopped %s and /primary 503 %s after the cut, the lease expired %s after"
                + " it at the earliest, %s writable %s after it%n", PrimaryWatch.seconds(cutAt, stoppedWrites),
                PrimaryWatch.seconds(cutAt, primary503At.get()), PrimaryWatch.seconds(cutAt, expiresNotBefore),
                next.name(), PrimaryWatch.seconds(cutAt, promoted));

        // etcd reachable again: the old primary follows the new one
        old.etcdProxy().pass();
        c.awaitStreaming(next, old, Duration.ofSeconds(90));
        next.sql("INSERT INTO partition_probe VALUES (2)");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> old.sql("SELECT count(*) FROM partition_probe").equals(List.of("2")));
        watch.assertNeverTwoPrimaries();
    }
}
