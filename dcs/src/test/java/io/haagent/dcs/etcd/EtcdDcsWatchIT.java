package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.haagent.cluster.ClusterView;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.codec.GarbageLog;
import io.haagent.testing.EtcdExtension;
import io.haagent.testing.TcpProxy;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The watch cache across outages and compaction, and what it makes of garbage in etcd. */
class EtcdDcsWatchIT {
    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.singleMember();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final String scope = "watch-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    private final DcsKeys keys = DcsKeys.of("service", scope);

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private EtcdDcs member(String name, List<String> endpoints) {
        EtcdDcs d = EtcdDcs.connect(EtcdContractSupport.config(endpoints), "service", scope, name, 20, 3,
                Clock.SYSTEM);
        toClose.add(d);
        return d;
    }

    private static void drain(Dcs d) {
        await().atMost(Duration.ofSeconds(15)).until(() -> !d.awaitChange(Duration.ofMillis(300)));
    }

    private long currentRevision() {
        Matcher m = Pattern.compile("\"revision\":(\\d+)").matcher(
                ETCD.cluster().etcdctl("endpoint", "status", "-w", "json"));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aLeaderChangeDuringAnOutageWithCompactedHistoryWakesTheWaiterOnReconnect() throws Exception {
        EtcdDcs a = member("a", ETCD.clientUrls());
        EtcdDcs c = member("c", ETCD.clientUrls());
        try (TcpProxy proxy = TcpProxy.inFrontOf(ETCD.cluster().member(0))) {
            toClose.add(proxy);
            EtcdDcs b = member("b", List.of(proxy.url("http")));
            assertThat(a.acquireLeader()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> "a".equals(b.cluster().leaderName()));
            drain(b);

            proxy.refuse();
            Future<Boolean> woken = pool.submit(() -> b.awaitChange(Duration.ofSeconds(60)));
            assertThat(a.releaseLeader(null)).isTrue();
            assertThat(c.acquireLeader()).isTrue();
            for (int i = 0; i < 5; i++) {
                assertThat(c.setConfig(Map.of("ttl", 20 + i), Dcs.ANY_REVISION)).isTrue();
            }
            // b's last revision is history now: it cannot resume, it must read everything again
            ETCD.cluster().etcdctl("compact", Long.toString(currentRevision()));
            assertThat(woken.isDone()).isFalse();

            proxy.pass();
            assertThat(woken.get(10, TimeUnit.SECONDS)).isTrue();
            ClusterView v = b.cluster();
            assertThat(v.leaderName()).isEqualTo("c");
            assertThat(v.config().dynamic().ttl()).isEqualTo(24);

            // and the new watch delivers again
            drain(b);
            Future<Boolean> again = pool.submit(() -> b.awaitChange(Duration.ofSeconds(60)));
            assertThat(c.releaseLeader(null)).isTrue();
            assertThat(again.get(1, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * With Patroni's minimum ttl of 20 s (the contract suite uses 6 s to stay short): the lease's expiry
     * removes the member and leader keys, and wakes a waiting member, within ttl + 1 s of the last renewal.
     */
    @Test
    void withPatronisMinimumTtlTheLockExpiresAndWakesWithinTtlPlusOneSecond() throws Exception {
        EtcdDcs a = member("a", ETCD.clientUrls());
        EtcdDcs b = member("b", ETCD.clientUrls());
        a.touchMember(io.haagent.cluster.Member.builder("a").connUrl("postgres://127.0.0.11:5432/postgres")
                .apiUrl("http://127.0.0.11:8008/patroni").state("running").role("master").version("3.3.1").build());
        assertThat(a.acquireLeader()).isTrue();
        drain(b);
        long lastRenewal = System.nanoTime();
        assertThat(a.renewLeader()).isTrue();
        Future<Boolean> woken = pool.submit(() -> b.awaitChange(Duration.ofSeconds(60)));

        Duration ttlPlusOne = Duration.ofSeconds(21);
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).during(Duration.ofSeconds(15))
                .atMost(Duration.ofSeconds(25)).until(() -> "a".equals(b.freshCluster().leaderName()));
        assertThat(woken.isDone()).as("no wake-up while the lock lives").isFalse();
        Duration left = ttlPlusOne.minus(Duration.ofNanos(System.nanoTime() - lastRenewal));
        assertThat(woken.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - lastRenewal)).isBetween(Duration.ofSeconds(19), ttlPlusOne);
        ClusterView v = b.freshCluster();
        assertThat(v.isUnlocked()).isTrue();
        assertThat(v.member("a")).isEmpty();
    }

    /**
     * While etcd answers, {@code cluster()} is served from the watch copy once a progress notification confirms it,
     * and that copy already holds every write another member finished before the call (read-your-peers'-writes).
     */
    @Test
    void theConfirmedCopyServesAndHoldsEveryWriteFinishedBeforeTheCall() {
        EtcdDcs a = member("a", ETCD.clientUrls());
        EtcdDcs b = member("b", ETCD.clientUrls());
        await("the copy is ready").atMost(Duration.ofSeconds(10)).until(() -> {
            long before = a.servedFromCopy();
            a.cluster();
            return a.servedFromCopy() > before;
        });
        long before = a.servedFromCopy();
        for (int i = 0; i < 20; i++) {
            assertThat(b.setConfig(Map.of("ttl", 30 + i), Dcs.ANY_REVISION)).isTrue();
            assertThat(a.cluster().config().data()).as("write %d", i).isEqualTo(Map.of("ttl", 30 + i));
        }
        assertThat(a.servedFromCopy() - before).as("calls the copy answered").isEqualTo(20);
    }

    /**
     * Issue 17: a leader stepping down hands over its last WAL position in the transaction that deletes its key, so
     * a candidate woken by the deletion already reads that position (the status key carries the deletion's
     * revision), and a member that does not hold the key writes no status through a release.
     */
    @Test
    void releasingWithAPositionWritesTheStatusInTheDeletionsTransaction() throws Exception {
        EtcdDcs a = member("a", ETCD.clientUrls());
        EtcdDcs b = member("b", ETCD.clientUrls());
        assertThat(a.acquireLeader()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> "a".equals(b.cluster().leaderName()));
        drain(b);
        Future<Boolean> woken = pool.submit(() -> b.awaitChange(Duration.ofSeconds(60)));
        assertThat(a.releaseLeader(0x5000060L)).isTrue();
        assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
        ClusterView v = b.cluster();
        assertThat(v.isUnlocked()).isTrue();
        assertThat(v.lastLsn()).isEqualTo(0x5000060L);
        assertThat(v.status().modRevision()).as("one revision: the status and the deletion")
                .isEqualTo(currentRevision());
        assertThat(a.cluster().lastLsn()).as("the releasing member's own copy").isEqualTo(0x5000060L);

        assertThat(b.releaseLeader(0x6000000L)).as("b holds no key").isFalse();
        assertThat(a.freshCluster().lastLsn()).isEqualTo(0x5000060L);
    }

    @Test
    void compactionWhileWatchingChangesNothing() throws Exception {
        EtcdDcs a = member("a", ETCD.clientUrls());
        EtcdDcs b = member("b", ETCD.clientUrls());
        for (int i = 0; i < 5; i++) {
            a.setConfig(Map.of("ttl", 20 + i), Dcs.ANY_REVISION);
        }
        ETCD.cluster().etcdctl("compact", Long.toString(currentRevision()));
        assertThat(a.acquireLeader()).isTrue();
        drain(b);
        Future<Boolean> woken = pool.submit(() -> b.awaitChange(Duration.ofSeconds(60)));
        assertThat(a.releaseLeader(null)).isTrue();
        assertThat(woken.get(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void garbageInEveryKeyIsReadAsEmptyAndReportedOncePerRevision() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger garbageLogger = (Logger) LoggerFactory.getLogger(GarbageLog.class);
        garbageLogger.addAppender(logs);
        try {
            for (String k : List.of("config", "status", "failover", "sync", "history", "failsafe", "members/x")) {
                ETCD.cluster().etcdctl("put", keys.key(k), "{not json");
            }
            ETCD.cluster().etcdctl("put", keys.key("leader"), "");
            EtcdDcs a = member("a", ETCD.clientUrls());
            for (int i = 0; i < 3; i++) {
                ClusterView v = a.cluster();
                assertThat(v.config().isEmpty()).isTrue();
                assertThat(v.isUnlocked()).isTrue();
                assertThat(v.lastLsn()).isZero();
                assertThat(v.failover()).isNull();
                assertThat(v.sync().isEmpty()).isTrue();
                assertThat(v.timeline()).isZero();
                assertThat(v.failsafe()).isNull();
                assertThat(v.member("x")).isPresent();
                assertThat(a.freshCluster().member("x")).isPresent();
            }
            // a CAS on the unreadable config key replaces it
            long rev = a.cluster().config().modRevision();
            assertThat(a.setConfig(Map.of("ttl", 30), rev)).isTrue();

            long configReports = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .filter(e -> e.getFormattedMessage().contains(keys.key("config") + " ")).count();
            assertThat(configReports).as("one report per key and revision, however often it is read").isEqualTo(1);
            assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains(keys.key("members/x")))
                    .noneMatch(m -> m.contains("{not json"));
        } finally {
            garbageLogger.detachAppender(logs);
        }
    }
}
