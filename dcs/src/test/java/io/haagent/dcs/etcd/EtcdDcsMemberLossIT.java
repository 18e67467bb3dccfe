package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.dcs.Dcs;
import io.haagent.testing.EtcdCluster;
import io.haagent.testing.EtcdExtension;
import io.haagent.testing.EtcdMember;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One of three etcd members lost (SIGKILL), or hung (SIGSTOP): the lock, the CAS writes, the member keys, the
 * reads and the watch keep working through the other two, each call within {@code retry_timeout}.
 */
class EtcdDcsMemberLossIT {
    private static final int RETRY_TIMEOUT = 5;
    private static final int TTL = 20;

    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.threeMembers();

    private final List<Dcs> opened = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final String scope = "loss-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());

    @AfterEach
    void restore() {
        pool.shutdownNow();
        opened.forEach(Dcs::close);
        for (EtcdMember m : ETCD.cluster().members()) {
            if (!m.isRunning()) {
                ETCD.cluster().restart(m);
            }
        }
        ETCD.cluster().awaitHealthy();
    }

    private Dcs member(String name) {
        Dcs d = EtcdDcs.connect(EtcdContractSupport.config(ETCD.clientUrls()), "service", scope, name, TTL,
                RETRY_TIMEOUT, Clock.SYSTEM);
        opened.add(d);
        return d;
    }

    private static Member data(String name) {
        return Member.builder(name).connUrl("postgres://127.0.0.11:5432/postgres")
                .apiUrl("http://127.0.0.11:8008/patroni").state("running").role(Role.REPLICA).version("3.3.1")
                .xlogLocation(1L).build();
    }

    @Test
    void killingAFollowerChangesNothing() throws Exception {
        EtcdCluster etcd = ETCD.cluster();
        everythingWorksAfter(() -> etcd.member((etcd.leaderIndex() + 1) % 3).kill(), Duration.ofSeconds(1));
    }

    @Test
    void killingTheRaftLeaderCostsOneElectionWithinRetryTimeout() throws Exception {
        EtcdCluster etcd = ETCD.cluster();
        everythingWorksAfter(() -> etcd.member(etcd.leaderIndex()).kill(), Duration.ofSeconds(1));
    }

    /**
     * A frozen member keeps its connections open and answers nothing: calls routed to it time out after one
     * attempt ({@code retry_timeout / 3}) and go to another member. A watch stream on it is abandoned after
     * its heartbeat goes unanswered (2 to 4 s), and may land on it again by round robin before gRPC's
     * keepalive (10 s) drops the connection: wake-ups are late by that much, never lost.
     */
    @Test
    void aHungMemberIsWorkedAroundWithinRetryTimeout() throws Exception {
        EtcdCluster etcd = ETCD.cluster();
        EtcdMember hung = etcd.member((etcd.leaderIndex() + 1) % 3);
        try {
            everythingWorksAfter(hung::freeze, Duration.ofSeconds(15));
        } finally {
            hung.thaw();
        }
    }

    private void everythingWorksAfter(Runnable fault, Duration wakeBound) throws Exception {
        Dcs a = member("a");
        Dcs b = member("b");
        a.touchMember(data("a"));
        b.touchMember(data("b"));
        assertThat(a.acquireLeader()).isTrue();
        assertThat(a.setConfig(Map.of("ttl", TTL), Dcs.ANY_REVISION)).isTrue();

        fault.run();

        Duration bound = Duration.ofSeconds(RETRY_TIMEOUT + 1);
        timed(bound, () -> assertThat(a.renewLeader()).isTrue());
        timed(bound, () -> assertThat(b.acquireLeader()).isFalse());
        timed(bound, () -> a.touchMember(data("a").toBuilder().xlogLocation(2L).build()));
        ClusterView[] seen = new ClusterView[1];
        // b's view comes from its watch copy, which a follower of the raft leader serves up to a heartbeat behind a's
        // last write (the config): b sees it within the bound, as an agent does by its next cycle
        timed(bound, () -> await().atMost(bound).until(() -> (seen[0] = b.cluster()).config() != null));
        assertThat(seen[0].leaderName()).isEqualTo("a");
        long rev = seen[0].config().modRevision();
        timed(bound, () -> assertThat(b.setConfig(Map.of("ttl", 30), rev)).isTrue());
        timed(bound, () -> assertThat(a.setConfig(Map.of("ttl", 40), rev)).isFalse());
        timed(bound, () -> assertThat(a.freshCluster().config().dynamic().ttl()).isEqualTo(30));

        // the watch: b's wait is answered by a's release
        await().atMost(Duration.ofSeconds(30)).until(() -> !b.awaitChange(Duration.ofMillis(300)));
        Future<Boolean> woken = pool.submit(() -> b.awaitChange(Duration.ofSeconds(60)));
        timed(bound, () -> assertThat(a.releaseLeader(null)).isTrue());
        assertThat(woken.get(wakeBound.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        timed(bound, () -> assertThat(b.acquireLeader()).isTrue());
        timed(bound, () -> assertThat(a.freshCluster().leaderName()).isEqualTo("b"));
        // the watch copy follows (a follower applies a commit up to a heartbeat later than the leader)
        await().atMost(Duration.ofSeconds(1)).until(() -> "b".equals(a.cluster().leaderName()));
    }

    private static void timed(Duration bound, Runnable call) {
        long start = System.nanoTime();
        call.run();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(bound);
    }
}
