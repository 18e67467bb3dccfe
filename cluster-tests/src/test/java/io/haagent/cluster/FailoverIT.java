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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Automatic failure handling on three nodes: the primary's machine dies (failover after the lease, rejoin by
 * pg_rewind), and the primary's postmaster dies while its agent lives (restart in place, same timeline).
 */
class FailoverIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void primaryNodeKilledIsReplacedAfterTheLeaseAndRejoinsWithPgRewind() {
        TestCluster c = clusters.start(ClusterSpec.of(3));
        ClusterNode old = c.awaitHealthy(Duration.ofSeconds(90));
        List<ClusterNode> replicas = c.nodes().stream().filter(n -> n != old).toList();
        old.sql("CREATE TABLE items (id int PRIMARY KEY, origin text)");
        old.sql("INSERT INTO items SELECT g, 'before' FROM generate_series(1, 100) g");
        for (ClusterNode r : replicas) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> r.sql("SELECT count(*) FROM items").equals(List.of("100")));
        }
        PrimaryWatch watch = c.watchPrimaries();
        long lease = c.leaderLease();

        // Make the old primary diverge: with its walsenders stopped, these commits stay on it alone (asynchronous
        // replication acknowledges them locally). The new primary will fork its timeline before them.
        List<Long> senders = old.walSenderPids();
        assertThat(senders).hasSize(2);
        senders.forEach(pid -> ClusterNode.signal(pid, "STOP"));
        old.sql("INSERT INTO items SELECT g, 'diverged' FROM generate_series(1001, 1100) g");

        long killedAt = System.nanoTime();
        old.killNode();
        long expiresNotBefore = c.leaseExpiresNotBefore(lease)
                .orElseThrow(() -> new AssertionError("the dead primary's lease expired at once"));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(n -> !n.equals(old.name())).isPresent());
        ClusterNode next = c.leader();
        await().atMost(Duration.ofSeconds(30)).until(next::isWritablePrimary);
        watch.awaitNextSample();

        // nobody accepted writes before the old leader's lease could have expired
        for (ClusterNode r : replicas) {
            watch.firstWritable(r.name(), killedAt).ifPresent(s -> assertThat(s.endNanos())
                    .as("%s writable %s after the kill; the lease expired %s after it at the earliest", r.name(),
                            PrimaryWatch.seconds(killedAt, s.endNanos()),
                            PrimaryWatch.seconds(killedAt, expiresNotBefore))
                    .isGreaterThan(expiresNotBefore));
        }
        long promoted = watch.firstWritable(next.name(), killedAt).orElseThrow().endNanos();
        System.out.printf("node death: %s writable %s after the kill; the lease expired %s after it at the earliest%n",
                next.name(), PrimaryWatch.seconds(killedAt, promoted), PrimaryWatch.seconds(killedAt, expiresNotBefore));

        // the other replica follows the new primary
        ClusterNode other = replicas.stream().filter(n -> n != next).findFirst().orElseThrow();
        c.awaitStreaming(next, other, Duration.ofSeconds(90));
        assertThat(next.sql("SELECT count(*) FROM items WHERE origin = 'diverged'")).containsExactly("0");

        // the old primary comes back: crash recovery, pg_rewind onto the new timeline, then it streams
        old.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> old.logContains("running pg_rewind from " + next.name()));
        c.awaitStreaming(next, old, Duration.ofSeconds(90));
        next.sql("INSERT INTO items SELECT g, 'after' FROM generate_series(2001, 2010) g");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> old.sql("SELECT count(*) FROM items WHERE origin = 'after'").equals(List.of("10")));
        assertThat(old.sql("SELECT count(*) FROM items WHERE origin = 'diverged'"))
                .as("pg_rewind discarded what only the old primary had").containsExactly("0");
        // what the agent publishes (GET /patroni): it may still say "starting" for a moment after postgres streams
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(old.timeline()).isEqualTo(next.timeline()).isGreaterThan(1));
        assertThat(c.writablePrimaries()).containsExactly(next);
        watch.assertNeverTwoPrimaries();
    }

    @Test
    void postmasterKilledOnThePrimaryIsRestartedInPlaceOnTheSameTimeline() {
        TestCluster c = clusters.start(ClusterSpec.of(3));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));
        leader.sql("CREATE TABLE crash_probe AS SELECT 7 AS v");
        long timeline = leader.timeline();
        long leaderKeyRevision = c.view().leader().modRevision();
        PrimaryWatch watch = c.watchPrimaries();

        long killedAt = System.nanoTime();
        long pid = leader.killPostmaster();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> leader.isWritablePrimary()
                && leader.postmasterPid().filter(p -> p != pid).isPresent());
        System.out.printf("postmaster death: writable again %s after the kill%n",
                PrimaryWatch.seconds(killedAt, System.nanoTime()));
        assertThat(leader.logContains("starting primary after failure")).isTrue();
        assertThat(leader.sql("SELECT timeline_id FROM pg_control_checkpoint()")).containsExactly(Long.toString(timeline));
        // /patroni is the snapshot of the agent's last cycle: it shows the restarted postgres a moment later
        await().atMost(Duration.ofSeconds(10)).until(() -> leader.timeline() == timeline);
        assertThat(leader.sql("SELECT v FROM crash_probe")).containsExactly("7");
        // the leader key was never released and re-taken, and nobody else was primary meanwhile
        assertThat(c.view().leader().modRevision()).isEqualTo(leaderKeyRevision);
        watch.awaitNextSample();
        for (ClusterNode n : c.nodes()) {
            if (n != leader) {
                assertThat(watch.firstWritable(n.name(), killedAt)).as(n.name()).isEmpty();
            }
        }
        // the replicas reconnect
        c.awaitHealthy(Duration.ofSeconds(60));
        watch.assertNeverTwoPrimaries();
    }
}
