package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.TimelineHistory;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.testing.EtcdExtension;
import io.haagent.testing.TcpProxy;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd unreachable: stopped, refusing connections, or silent behind a black hole. Every call must fail within
 * {@code retry_timeout + 1 s} with {@link DcsUnavailableException} (nothing hangs), and work again once etcd is
 * back. A write whose answer is lost is resolved by reading back, never repeated blindly.
 */
class EtcdDcsUnavailableIT {
    private static final int RETRY_TIMEOUT = 3;
    private static final Duration BOUND = Duration.ofSeconds(RETRY_TIMEOUT + 1);

    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.singleMember();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "unavailable-it");
        t.setDaemon(true);
        return t;
    });
    private final String scope = "unavailable-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());

    @AfterEach
    void cleanUp() throws Exception {
        pool.shutdownNow();
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (!ETCD.cluster().member(0).isRunning()) {
            ETCD.cluster().restart(ETCD.cluster().member(0));
        }
    }

    private EtcdDcs connect(List<String> endpoints, String name, int retryTimeout) {
        EtcdDcs d = EtcdDcs.connect(EtcdContractSupport.config(endpoints), "service", scope, name, 20, retryTimeout,
                Clock.SYSTEM);
        toClose.add(d);
        return d;
    }

    private static Member data(String name) {
        return Member.builder(name).connUrl("postgres://127.0.0.11:5432/postgres")
                .apiUrl("http://127.0.0.11:8008/patroni").state("running").role(Role.PRIMARY).version("3.3.1").build();
    }

    /** Every call of the port that talks to etcd. */
    private static Map<String, Consumer<Dcs>> everyCall() {
        Map<String, Consumer<Dcs>> calls = new LinkedHashMap<>();
        calls.put("cluster", Dcs::cluster);
        calls.put("freshCluster", Dcs::freshCluster);
        calls.put("acquireLeader", Dcs::acquireLeader);
        calls.put("takeLeader", Dcs::takeLeader);
        calls.put("renewLeader", Dcs::renewLeader);
        calls.put("releaseLeader", d -> d.releaseLeader(777L));
        calls.put("touchMember", d -> d.touchMember(data(d.memberName()).toBuilder().xlogLocation(5L).build()));
        calls.put("initialize(create)", d -> d.initialize(true, ""));
        calls.put("initialize(put)", d -> d.initialize(false, "123"));
        calls.put("cancelInitialization", Dcs::cancelInitialization);
        calls.put("setConfig(cas)", d -> d.setConfig(Map.of("ttl", 30), 5));
        calls.put("setConfig(any)", d -> d.setConfig(Map.of("ttl", 30), Dcs.ANY_REVISION));
        calls.put("setFailover", d -> d.setFailover(FailoverRequest.of("a", "b", null), 7));
        calls.put("setSync", d -> d.setSync(new SyncState("a", List.of("b"), 0), 0));
        calls.put("deleteSync", d -> d.deleteSync(9));
        calls.put("setHistory", d -> d.setHistory(new TimelineHistory(List.of(), false, 0)));
        calls.put("writeStatus", d -> d.writeStatus(ClusterStatus.of(99, Map.of())));
        calls.put("writeFailsafe", d -> d.writeFailsafe(Map.of("a", "http://a/patroni")));
        calls.put("deleteCluster", Dcs::deleteCluster);
        return calls;
    }

    /**
     * One member per call, connected and warmed up while etcd answers; then {@code cut} runs and every call
     * goes at once, each on its own member.
     */
    private Map<String, EtcdDcs> membersPerCall(List<String> endpoints) {
        Map<String, EtcdDcs> members = new LinkedHashMap<>();
        int i = 0;
        for (String call : everyCall().keySet()) {
            EtcdDcs d = connect(endpoints, "m" + i++, RETRY_TIMEOUT);
            d.cluster();
            members.put(call, d);
        }
        return members;
    }

    private void assertEveryCallFailsInTime(Map<String, EtcdDcs> members) throws Exception {
        Map<String, Future<Duration>> running = new LinkedHashMap<>();
        for (Map.Entry<String, Consumer<Dcs>> c : everyCall().entrySet()) {
            Dcs d = members.get(c.getKey());
            running.put(c.getKey(), pool.submit(() -> {
                long start = System.nanoTime();
                try {
                    c.getValue().accept(d);
                } catch (DcsUnavailableException e) {
                    assertThat(e.getMessage()).contains("etcd").contains("retry_timeout=" + RETRY_TIMEOUT);
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                throw new AssertionError(c.getKey() + " succeeded without etcd");
            }));
        }
        for (Map.Entry<String, Future<Duration>> r : running.entrySet()) {
            Duration took = r.getValue().get(BOUND.toMillis() + 5000, TimeUnit.MILLISECONDS);
            assertThat(took).as(r.getKey()).isLessThanOrEqualTo(BOUND);
        }
    }

    private static void awaitWorking(Dcs d) {
        await("calls work again").atMost(Duration.ofSeconds(15)).ignoreException(DcsUnavailableException.class)
                .until(() -> d.freshCluster() != null && d.cluster() != null);
    }

    @Test
    void withEtcdStoppedEveryCallFailsWithinRetryTimeoutPlusOneSecondAndWorksAfterItsRestart() throws Exception {
        Map<String, EtcdDcs> members = membersPerCall(ETCD.clientUrls());
        EtcdDcs leader = members.get("renewLeader");
        leader.touchMember(data(leader.memberName()));
        assertThat(leader.acquireLeader()).isTrue();

        ETCD.cluster().member(0).stop();
        assertEveryCallFailsInTime(members);

        ETCD.cluster().restart(ETCD.cluster().member(0));
        awaitWorking(leader);
        assertThat(leader.renewLeader()).as("the lease outlived a short etcd restart").isTrue();
        assertThat(members.get("cluster").cluster().leaderName()).isEqualTo(leader.memberName());
    }

    @Test
    void behindABlackHoleEveryCallFailsWithinRetryTimeoutPlusOneSecond() throws Exception {
        try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.cluster().member(0))) {
            Map<String, EtcdDcs> members = membersPerCall(List.of(proxy.url("http")));
            EtcdDcs leader = members.get("renewLeader");
            assertThat(leader.acquireLeader()).isTrue();

            proxy.blackhole();
            assertEveryCallFailsInTime(members);

            proxy.pass();
            awaitWorking(leader);
            assertThat(leader.renewLeader()).isTrue();
        }
    }

    /**
     * An outage is timed once, from the first attempt that met it: after one call spent {@code retry_timeout}
     * finding etcd silent (the member key at the end of a cycle), the next cycle's calls (the read, the lock, the
     * status key) make one short attempt each instead of waiting {@code retry_timeout} again, so a primary in
     * failsafe mode reaches its replicas within one {@code retry_timeout} of the outage (Patroni's
     * dcs_failsafe_mode.feature). All of them work again once etcd answers, and the lease survived.
     */
    @Test
    void afterOneCallMetASilentEtcdTheNextCallsDoNotEachWaitRetryTimeoutAgain() throws Exception {
        int retryTimeout = 8;
        try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.cluster().member(0))) {
            EtcdDcs d = connect(List.of(proxy.url("http")), "outage", retryTimeout);
            d.touchMember(data("outage"));
            assertThat(d.acquireLeader()).isTrue();

            proxy.blackhole();
            assertThatThrownBy(() -> d.touchMember(data("outage").toBuilder().xlogLocation(7L).build()))
                    .isInstanceOf(DcsUnavailableException.class);
            long start = System.nanoTime();
            assertThatThrownBy(d::cluster).isInstanceOf(DcsUnavailableException.class);
            assertThatThrownBy(d::renewLeader).isInstanceOf(DcsUnavailableException.class);
            assertThatThrownBy(() -> d.writeStatus(ClusterStatus.of(99, Map.of())))
                    .isInstanceOf(DcsUnavailableException.class)
                    .hasMessageContaining("retry_timeout=" + retryTimeout);
            Duration three = Duration.ofNanos(System.nanoTime() - start);
            assertThat(three).as("three calls once the outage is retry_timeout old (each alone could wait %ss)",
                    retryTimeout).isLessThan(Duration.ofSeconds(retryTimeout));

            proxy.pass();
            awaitWorking(d);
            assertThat(d.renewLeader()).as("the lease outlived the outage").isTrue();
            d.writeStatus(ClusterStatus.of(100, Map.of()));
        }
    }

    /**
     * The race CI once lost: an event already on its way when the network went silent reaches the watch after
     * {@code cluster()} asked for progress. It proves nothing about now, so the copy must not be served.
     */
    @Test
    void anEventArrivingAfterTheNetworkWentSilentDoesNotConfirmTheCopy() throws Exception {
        EtcdDcs observer = connect(ETCD.clientUrls(), "observer", RETRY_TIMEOUT);
        try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.cluster().member(0))) {
            EtcdDcs d = connect(List.of(proxy.url("http")), "cut-off", RETRY_TIMEOUT);
            await("the copy serves").atMost(Duration.ofSeconds(10)).until(() -> {
                observer.touchMember(data("observer"));
                return d.cluster().member("observer").isPresent();
            });

            proxy.hold();
            observer.touchMember(data("observer").toBuilder().xlogLocation(42L).build());
            await("the event is on its way").atMost(Duration.ofSeconds(5)).until(() -> proxy.heldBytes() > 0);
            long before = proxy.swallowedBytes();
            Future<Object> read = pool.submit(() -> {
                long start = System.nanoTime();
                try {
                    return d.cluster();
                } catch (DcsUnavailableException e) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            });
            await("cluster() asked for progress").atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.swallowedBytes() > before);
            proxy.releaseHeld();

            assertThat(read.get(BOUND.toMillis() + 5000, TimeUnit.MILLISECONDS))
                    .as("cluster() behind a black hole, a late event notwithstanding")
                    .isInstanceOfSatisfying(Duration.class, took -> assertThat(took).isLessThanOrEqualTo(BOUND));
        }
    }

    @Test
    void withConnectionsRefusedEveryCallFailsWithinRetryTimeoutPlusOneSecond() throws Exception {
        try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.cluster().member(0))) {
            Map<String, EtcdDcs> members = membersPerCall(List.of(proxy.url("http")));
            proxy.refuse();
            assertEveryCallFailsInTime(members);
            proxy.pass();
            awaitWorking(members.get("cluster"));
        }
    }

    @Test
    void connectingWhileEtcdIsDownTakesAtMostRetryTimeoutAndCallsWorkOnceItIsUp() {
        ETCD.cluster().member(0).stop();
        long start = System.nanoTime();
        EtcdDcs d = connect(ETCD.clientUrls(), "late", RETRY_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(BOUND);
        assertThat(d.memberName()).isEqualTo("late");

        ETCD.cluster().restart(ETCD.cluster().member(0));
        awaitWorking(d);
        d.touchMember(data("late"));
        assertThat(d.acquireLeader()).isTrue();
        assertThat(d.cluster().member("late")).isPresent();
    }

    @Test
    void writesWhoseAnswersWereLostAreResolvedByReadingBack() throws Exception {
        EtcdDcs observer = connect(ETCD.clientUrls(), "observer", RETRY_TIMEOUT);
        try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.cluster().member(0))) {
            EtcdDcs a = connect(List.of(proxy.url("http")), "a", 6);
            a.touchMember(data("a"));

            // a create-only CAS: applied by etcd, its answer dropped; a blind retry would now say "conflict"
            assertThat(lostAnswer(proxy, () -> a.setConfig(Map.of("ttl", 30), 0),
                    () -> observer.freshCluster().config() != null)).isTrue();
            assertThat(observer.freshCluster().config().data()).isEqualTo(Map.of("ttl", 30));

            // the leader race, won by an attempt whose answer never came
            assertThat(lostAnswer(proxy, a::acquireLeader, () -> "a".equals(observer.freshCluster().leaderName())))
                    .isTrue();
            assertThat(observer.freshCluster().leader().lease())
                    .isEqualTo(observer.freshCluster().member("a").orElseThrow().lease());
            assertThat(a.renewLeader()).isTrue();

            // the release: deleted, answer lost
            assertThat(lostAnswer(proxy, () -> a.releaseLeader(null), () -> observer.freshCluster().isUnlocked()))
                    .isTrue();

            // a CAS that lost the race stays lost after an unknown outcome too
            long rev = observer.freshCluster().config().modRevision();
            assertThat(observer.setConfig(Map.of("ttl", 40), rev)).isTrue();
            assertThat(a.setConfig(Map.of("ttl", 50), rev)).isFalse();
        }
    }

    /** Runs {@code write} while answers are dropped, waits until etcd applied it, then lets answers through. */
    private boolean lostAnswer(TcpProxy proxy, java.util.concurrent.Callable<Boolean> write,
            java.util.concurrent.Callable<Boolean> applied) throws Exception {
        proxy.dropAnswers();
        Future<Boolean> result = pool.submit(write);
        await("etcd applied the write").atMost(Duration.ofSeconds(5)).until(applied);
        assertThat(result.isDone()).as("the writer heard nothing yet").isFalse();
        proxy.pass();
        return result.get(7, TimeUnit.SECONDS);
    }
}
