package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.PrimaryWatch;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Switchover and failover on request, through the {@code failover} key: written by the REST API (immediate and
 * scheduled, and cancelled by {@code DELETE /switchover}) and written straight into etcd as Patroni 3.0.2's
 * patronictl does when it cannot reach the REST API.
 */
class ManualFailoverIT {
    /** Python's {@code datetime.isoformat()} of an aware UTC time, as patronictl writes {@code scheduled_at}. */
    private static final DateTimeFormatter PYTHON_ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @Test
    void switchoverAndFailoverThroughTheRestApi() {
        TestCluster c = clusters.start(ClusterSpec.of(3));
        ClusterNode first = c.awaitHealthy(Duration.ofSeconds(90));
        first.sql("CREATE TABLE handover AS SELECT 1 AS step");
        PrimaryWatch watch = c.watchPrimaries();
        List<ClusterNode> replicas = others(c, first);
        ClusterNode second = replicas.get(0);
        ClusterNode third = replicas.get(1);

        awaitReadyToTakeOver(second);
        ClusterNode.Answer switchover = first.post("/switchover",
                "{\"leader\":\"" + first.name() + "\",\"candidate\":\"" + second.name() + "\"}");
        assertThat(switchover.status()).as(switchover.body()).isEqualTo(200);
        assertThat(switchover.body()).contains("Successfully switched over to \"" + second.name() + "\"");
        assertThat(c.leaderName()).contains(second.name());
        assertThat(c.awaitHealthy(Duration.ofSeconds(60))).isEqualTo(second);
        assertThat(first.logCount("INFO: switchover: demoting myself")).as("one switchover, one demotion").isEqualTo(1);
        second.sql("INSERT INTO handover VALUES (2)");

        // a failover names only the candidate, and may be asked of any member
        awaitReadyToTakeOver(third);
        ClusterNode.Answer failover = first.post("/failover", "{\"candidate\":\"" + third.name() + "\"}");
        assertThat(failover.status()).as(failover.body()).isEqualTo(200);
        assertThat(failover.body()).contains("Successfully failed over to \"" + third.name() + "\"");
        assertThat(c.awaitHealthy(Duration.ofSeconds(60))).isEqualTo(third);
        assertThat(c.view().failover()).as("the new leader clears the request").isNull();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> third.sql("SELECT count(*) FROM handover").equals(List.of("2")));
        assertThat(c.writablePrimaries()).containsExactly(third);
        watch.assertNeverTwoPrimaries();
    }

    @Test
    void scheduledSwitchoverHappensAtItsTimeAndDeleteSwitchoverCancelsOne() {
        TestCluster c = clusters.start(ClusterSpec.of(3));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));
        ClusterNode candidate = others(c, leader).get(0);
        PrimaryWatch watch = c.watchPrimaries();

        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(8).truncatedTo(ChronoUnit.MICROS);
        long atNanos = nanoTimeOf(at.toInstant());
        // Patroni 3.3: only a switchover can be scheduled
        ClusterNode.Answer scheduledFailover = leader.post("/failover", "{\"leader\":\"" + leader.name()
                + "\",\"candidate\":\"" + candidate.name() + "\",\"scheduled_at\":\"" + at + "\"}");
        assertThat(scheduledFailover.status()).as(scheduledFailover.body()).isEqualTo(400);
        assertThat(scheduledFailover.body()).isEqualTo("Failover can't be scheduled");
        assertThat(c.view().failover()).isNull();
        ClusterNode.Answer scheduled = leader.post("/switchover", "{\"leader\":\"" + leader.name()
                + "\",\"candidate\":\"" + candidate.name() + "\",\"scheduled_at\":\"" + at + "\"}");
        assertThat(scheduled.status()).as(scheduled.body()).isEqualTo(202);
        assertThat(scheduled.body()).isEqualTo("Switchover scheduled");
        var request = c.view().failover();
        assertThat(request.leader()).isEqualTo(leader.name());
        assertThat(request.candidate()).isEqualTo(candidate.name());
        assertThat(request.scheduledAt().toInstant()).isEqualTo(at.toInstant());

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(candidate.name()::equals).isPresent());
        assertThat(c.awaitHealthy(Duration.ofSeconds(60))).isEqualTo(candidate);
        watch.awaitNextSample();
        assertThat(watch.firstWritable(candidate.name(), 0).orElseThrow().endNanos())
                .as("the candidate took over no earlier than scheduled").isGreaterThan(atNanos);

        // scheduled again, back to the first leader, and cancelled: nothing happens at that time
        OffsetDateTime again = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(4).truncatedTo(ChronoUnit.MICROS);
        ClusterNode.Answer second = candidate.post("/switchover", "{\"leader\":\"" + candidate.name()
                + "\",\"candidate\":\"" + leader.name() + "\",\"scheduled_at\":\"" + again + "\"}");
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        ClusterNode.Answer deleted = leader.delete("/switchover");
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("scheduled switchover deleted");
        assertThat(c.view().failover()).isNull();
        assertThat(leader.delete("/switchover").status()).isEqualTo(404);
        long cancelledAt = System.nanoTime();
        long loopWait = 3;
        Duration pastIt = Duration.between(Instant.now(), again.toInstant()).plusSeconds(2 * loopWait);
        await().during(pastIt).atMost(pastIt.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> c.leaderName().filter(leader.name()::equals).isEmpty());
        watch.awaitNextSample();
        assertThat(watch.firstWritable(leader.name(), cancelledAt)).as("the cancelled switchover happened").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> c.leaderName().filter(candidate.name()::equals).isPresent());
        watch.assertNeverTwoPrimaries();
    }

    @Test
    void failoverKeyWrittenStraightIntoEtcdAsAnOldPatronictlDoes() {
        TestCluster c = clusters.start(ClusterSpec.of(3));
        ClusterNode leader = c.awaitHealthy(Duration.ofSeconds(90));
        ClusterNode candidate = others(c, leader).get(0);
        PrimaryWatch watch = c.watchPrimaries();

        // immediate: no REST call wakes anybody, the leader finds the request at its next cycle
        awaitReadyToTakeOver(candidate);
        c.putKey("failover", "{\"leader\":\"" + leader.name() + "\",\"member\":\"" + candidate.name() + "\"}");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(candidate.name()::equals).isPresent());
        assertThat(c.awaitHealthy(Duration.ofSeconds(60))).isEqualTo(candidate);
        assertThat(c.view().failover()).isNull();

        // scheduled, with Python's isoformat()
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(6).truncatedTo(ChronoUnit.MICROS);
        long atNanos = nanoTimeOf(at.toInstant());
        long before = System.nanoTime();
        c.putKey("failover", "{\"leader\":\"" + candidate.name() + "\",\"member\":\"" + leader.name()
                + "\",\"scheduled_at\":\"" + PYTHON_ISO.format(at) + "\"}");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> c.leaderName().filter(leader.name()::equals).isPresent());
        assertThat(c.awaitHealthy(Duration.ofSeconds(60))).isEqualTo(leader);
        watch.awaitNextSample();
        assertThat(watch.firstWritable(leader.name(), before).orElseThrow().endNanos())
                .as("no switchover before its time").isGreaterThan(atNanos);
        assertThat(c.view().failover()).isNull();
        watch.assertNeverTwoPrimaries();
    }

    /**
     * A replica that has just started streaming may still be receiving the segments the base backups switched:
     * wait until its REST API says it is within maximum_lag_on_failover (1 MB here) of the leader, as the switchover
     * checks will.
     */
    private static void awaitReadyToTakeOver(ClusterNode replica) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> replica.get("/replica?lag=1048576").status() == 200);
    }

    private static List<ClusterNode> others(TestCluster c, ClusterNode leader) {
        return c.nodes().stream().filter(n -> n != leader).toList();
    }

    /** The System.nanoTime() value of a wall-clock instant (same machine, same clock). */
    private static long nanoTimeOf(Instant at) {
        return System.nanoTime() + Duration.between(Instant.now(), at).toNanos();
    }
}
