package io.haagent.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.cluster.TimelineHistory;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The {@link Dcs} contract, run against every implementation: {@code InMemoryDcs} on a {@code FakeClock}
 * (core), {@code EtcdDcs} against one real etcd and against a three-member cluster (dcs module). Each test works
 * in its own cluster scope. Where time must pass, {@link Time} advances the fake clock or waits for the real
 * one, so "within ttl + 1 s" means the same thing for both.
 */
public abstract class DcsContractTest {
    private final List<Dcs> opened = new ArrayList<>();
    private final ExecutorService waiters = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "contract-waiter");
        t.setDaemon(true);
        return t;
    });
    private String scope;

    /** A member of cluster {@code scope} with {@link #ttl()}; the suite closes it after the test. */
    protected abstract Dcs open(String scope, String member);

    /** The lease TTL the members use, in seconds. */
    protected abstract int ttl();

    protected abstract Time time();

    /** Revoke a lease as an operator would ({@code etcdctl lease revoke}): its keys go at once. */
    protected abstract void revokeLease(long leaseId);

    /** A plain put of {@code leader = name} without a lease (what Patroni 3.0.2's repair or an operator leaves). */
    protected abstract void putLeaderWithoutLease(String scope, String name);

    /** How the suite lets time pass. */
    public interface Time {
        /** Now on the clock that runs the leases, in nanoseconds. */
        long nanos();

        /** Asserts {@code condition} holds throughout {@code d}. */
        void holdsFor(Duration d, Callable<Boolean> condition);

        /** Waits until {@code condition} holds, failing after {@code d}. */
        void within(Duration d, Callable<Boolean> condition);

        /** What a waiter in {@code awaitChange(timeout)} returned, the time it waits on passing meanwhile. */
        default boolean waited(Future<Boolean> waiter, Duration timeout) throws Exception {
            return waiter.get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
        }
    }

    /** {@code d.awaitChange(timeout)} on a thread of its own, the time passing. */
    private boolean awaitChange(Dcs d, Duration timeout) throws Exception {
        return time().waited(waitInBackground(d, timeout), timeout);
    }

    @BeforeEach
    void newScope(TestInfo info) {
        scope = info.getTestMethod().map(m -> m.getName()).orElse("t") + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    @AfterEach
    void closeMembers() {
        waiters.shutdownNow();
        opened.forEach(Dcs::close);
        opened.clear();
    }

    protected String scope() {
        return scope;
    }

    protected Dcs member(String name) {
        Dcs d = open(scope, name);
        opened.add(d);
        return d;
    }

    protected static Member memberData(String name, Role role) {
        int n = Math.abs(name.hashCode() % 200) + 10;
        return Member.builder(name).connUrl("postgres://127.0.0." + n + ":5432/postgres")
                .apiUrl("http://127.0.0." + n + ":8008/patroni").state("running").role(role).version("3.3.1")
                .xlogLocation(1000L).timeline(1).build();
    }

    private Duration ttlPlus(long millis) {
        return Duration.ofSeconds(ttl()).plusMillis(millis);
    }

    private Duration since(long startNanos) {
        return Duration.ofNanos(time().nanos() - startNanos);
    }

    /** Waits until {@code d} reports no pending change for a moment, so a later wake-up has one cause. */
    private void drain(Dcs d) {
        await("pending wake-ups of " + d.memberName() + " drained").atMost(Duration.ofSeconds(15))
                .until(() -> !awaitChange(d, Duration.ofMillis(300)));
    }

    private Future<Boolean> waitInBackground(Dcs d, Duration timeout) {
        return waiters.submit(() -> d.awaitChange(timeout));
    }

    // ------------------------------------------------------------------ the leader lock

    @Test
    void aSecondAcquireFailsWhileTheLockIsHeld() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.acquireLeader()).isTrue();
        assertThat(b.acquireLeader()).isFalse();
        assertThat(b.acquireLeader()).isFalse();
        ClusterView v = b.freshCluster();
        assertThat(v.leaderName()).isEqualTo("a");
        assertThat(a.acquireLeader()).as("the holder acquiring again").isTrue();
        assertThat(a.cluster().leaderName()).isEqualTo("a");
    }

    @Test
    void leaseExpiryRemovesMemberAndLeaderKeysWithinTtlPlusOneSecond() {
        Dcs a = member("a");
        Dcs observer = member("observer");
        a.touchMember(memberData("a", Role.PRIMARY));
        assertThat(a.acquireLeader()).isTrue();
        long lastRenewal = time().nanos();
        assertThat(a.renewLeader()).isTrue();

        Callable<Boolean> bothPresent = () -> {
            ClusterView v = observer.freshCluster();
            return "a".equals(v.leaderName()) && v.member("a").isPresent();
        };
        Callable<Boolean> bothGone = () -> {
            ClusterView v = observer.freshCluster();
            return v.isUnlocked() && v.member("a").isEmpty();
        };
        // the lease carries both keys; nobody renews it any more
        time().holdsFor(Duration.ofSeconds(ttl()).dividedBy(2), bothPresent);
        time().within(ttlPlus(1000).minus(since(lastRenewal)), bothGone);
        assertThat(since(lastRenewal)).isLessThanOrEqualTo(ttlPlus(1000));
    }

    @Test
    void renewingKeepsTheLockPastTheTtl() {
        Dcs a = member("a");
        Dcs observer = member("observer");
        assertThat(a.acquireLeader()).isTrue();
        long start = time().nanos();
        while (since(start).compareTo(ttlPlus(1000)) <= 0) {
            time().holdsFor(Duration.ofSeconds(ttl()).dividedBy(3),
                    () -> "a".equals(observer.freshCluster().leaderName()));
            assertThat(a.renewLeader()).isTrue();
        }
        assertThat(observer.freshCluster().leaderName()).isEqualTo("a");
    }

    @Test
    void renewAfterTheLeaseWasRevokedGrantsANewLeaseAndTakesTheFreeKeyBack() {
        Dcs a = member("a");
        Dcs observer = member("observer");
        a.touchMember(memberData("a", Role.PRIMARY));
        assertThat(a.acquireLeader()).isTrue();
        long oldLease = observer.freshCluster().leader().lease();
        revokeLease(oldLease);
        time().within(Duration.ofSeconds(2), () -> observer.freshCluster().isUnlocked());

        assertThat(a.renewLeader()).isTrue();
        ClusterView v = observer.freshCluster();
        assertThat(v.leaderName()).isEqualTo("a");
        assertThat(v.leader().lease()).isNotEqualTo(oldLease).isNotZero();

        // the member key went with the old lease; the next touch writes it again on the new one
        a.touchMember(memberData("a", Role.PRIMARY));
        assertThat(observer.freshCluster().member("a").orElseThrow().lease()).isEqualTo(v.leader().lease());
    }

    @Test
    void renewNeverOverwritesAnotherMembersKey() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.acquireLeader()).isTrue();
        revokeLease(b.freshCluster().leader().lease());
        time().within(Duration.ofSeconds(2), () -> b.freshCluster().isUnlocked());
        assertThat(b.acquireLeader()).isTrue();
        long bLease = b.freshCluster().leader().lease();

        assertThat(a.renewLeader()).isFalse();
        ClusterView v = b.freshCluster();
        assertThat(v.leaderName()).isEqualTo("b");
        assertThat(v.leader().lease()).isEqualTo(bLease);
        assertThat(a.renewLeader()).isFalse();
        assertThat(b.renewLeader()).isTrue();
    }

    @Test
    void renewMovesOurKeyFromAnotherLeaseOntoOurs() {
        Dcs a = member("a");
        a.touchMember(memberData("a", Role.PRIMARY));
        assertThat(a.acquireLeader()).isTrue();
        long ours = a.freshCluster().member("a").orElseThrow().lease();
        putLeaderWithoutLease(scope, "a");
        time().within(Duration.ofSeconds(2), () -> a.freshCluster().leader().lease() == 0);

        assertThat(a.renewLeader()).isTrue();
        ClusterView v = a.freshCluster();
        assertThat(v.leaderName()).isEqualTo("a");
        assertThat(v.leader().lease()).isEqualTo(ours);
    }

    @Test
    void takeLeaderPutsTheKeyUnconditionally() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(b.acquireLeader()).isTrue();
        assertThat(a.takeLeader()).isTrue();
        assertThat(b.freshCluster().leaderName()).isEqualTo("a");
        assertThat(b.renewLeader()).isFalse();
    }

    @Test
    void anUnusableLeaderKeyIsDeletedOnlyAtTheRevisionSeen() {
        Dcs a = member("a");
        putLeaderWithoutLease(scope, "ghost");
        time().within(Duration.ofSeconds(2), () -> "ghost".equals(a.freshCluster().leaderName()));
        long seen = a.freshCluster().leader().modRevision();
        assertThat(a.deleteLeader(seen - 1)).isFalse();
        assertThat(a.freshCluster().leaderName()).isEqualTo("ghost");
        assertThat(a.deleteLeader(seen)).isTrue();
        assertThat(a.freshCluster().isUnlocked()).isTrue();
        // a lock taken meanwhile is never touched
        assertThat(a.acquireLeader()).isTrue();
        assertThat(a.deleteLeader(seen)).isFalse();
        assertThat(a.freshCluster().leaderName()).isEqualTo("a");
    }

    @Test
    void releaseByANonOwnerDoesNothing() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.acquireLeader()).isTrue();
        assertThat(b.releaseLeader(null)).isFalse();
        assertThat(b.freshCluster().leaderName()).isEqualTo("a");
        assertThat(a.renewLeader()).isTrue();
    }

    @Test
    void releaseByTheOwnerPublishesTheLastLsnThenDeletesTheKey() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.acquireLeader()).isTrue();
        a.writeStatus(ClusterStatus.of(100000L, Map.of("a", 100000L), List.of("a", "c")));
        assertThat(a.releaseLeader(123456L)).isTrue();
        ClusterView v = b.freshCluster();
        assertThat(v.isUnlocked()).isTrue();
        assertThat(v.lastLsn()).isEqualTo(123456L);
        // as Patroni's write_status: the last slots and retain_slots stay beside the new optime (a new leader adopts them)
        assertThat(v.status().retainSlots()).containsExactly("a", "c");
        assertThat(v.status().slots()).containsEntry("a", 100000L);
        assertThat(a.releaseLeader(null)).as("nothing left to release").isFalse();
        assertThat(b.acquireLeader()).isTrue();
    }

    @Test
    void aNewTtlGetsANewLeaseAtTheNextRenewalWithoutWaiting() throws InterruptedException {
        Dcs a = member("a");
        assertThat(a.acquireLeader()).isTrue();
        long before = a.freshCluster().leader().lease();
        a.setTimeouts(ttl() + 1, 3);
        assertThat(a.awaitChange(Duration.ofSeconds(30))).as("the sleep after a ttl change is skipped").isTrue();
        assertThat(a.renewLeader()).isTrue();
        long after = a.freshCluster().leader().lease();
        assertThat(after).isNotEqualTo(before).isNotZero();
    }

    // ------------------------------------------------------------------ CAS writes

    @Test
    void configCasReportsAConflictAsFalse() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.setConfig(Map.of("ttl", 30), 0)).as("create only").isTrue();
        assertThat(b.setConfig(Map.of("ttl", 40), 0)).as("create only, key exists").isFalse();
        long rev = b.freshCluster().config().modRevision();
        assertThat(b.setConfig(Map.of("ttl", 40), rev)).isTrue();
        assertThat(a.setConfig(Map.of("ttl", 50), rev)).as("stale revision").isFalse();
        assertThat(a.freshCluster().config().data()).isEqualTo(Map.of("ttl", 40));
        assertThat(a.setConfig(Map.of("ttl", 60), Dcs.ANY_REVISION)).isTrue();
        assertThat(b.freshCluster().config().dynamic().ttl()).isEqualTo(60);
    }

    @Test
    void failoverCasReportsAConflictAsFalse() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.setFailover(FailoverRequest.of("a", "b", null), Dcs.ANY_REVISION)).isTrue();
        FailoverRequest seen = b.freshCluster().failover();
        assertThat(seen.leader()).isEqualTo("a");
        assertThat(seen.candidate()).isEqualTo("b");
        assertThat(b.setFailover(FailoverRequest.of(null, "c", null), seen.modRevision())).isTrue();
        assertThat(a.setFailover(null, seen.modRevision())).as("stale revision").isFalse();
        assertThat(a.freshCluster().failover().candidate()).isEqualTo("c");
        long rev = a.freshCluster().failover().modRevision();
        assertThat(a.setFailover(null, rev)).as("clearing with {}").isTrue();
        assertThat(b.freshCluster().failover()).isNull();
    }

    @Test
    void syncCasReportsAConflictAsFalse() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.setSync(new SyncState("a", List.of("c", "b"), 0), 0)).isTrue();
        SyncState s = b.freshCluster().sync();
        assertThat(s.leader()).isEqualTo("a");
        assertThat(s.syncStandbys()).containsExactly("b", "c");
        assertThat(b.setSync(new SyncState("b", List.of(), 0), 0)).as("create only, key exists").isFalse();
        assertThat(a.setSync(new SyncState("a", List.of("b"), 0), s.modRevision())).isTrue();
        assertThat(b.setSync(new SyncState("b", List.of(), 0), s.modRevision())).as("stale revision").isFalse();
        assertThat(b.deleteSync(s.modRevision())).as("stale delete").isFalse();
        long rev = b.freshCluster().sync().modRevision();
        assertThat(b.freshCluster().sync().syncStandbys()).containsExactly("b");
        assertThat(b.deleteSync(rev)).isTrue();
        assertThat(a.freshCluster().sync().isEmpty()).isTrue();
    }

    @Test
    void syncKeepsTheQuorumField() {
        // Patroni 4's quorum commit: a sync key read back without its quorum lets a voter promote on no votes
        Dcs a = member("a");
        assertThat(a.setSync(new SyncState("a", List.of("b", "c"), 1, 0), 0)).isTrue();
        SyncState s = member("b").freshCluster().sync();
        assertThat(s.quorum()).isEqualTo(1);
        assertThat(a.setSync(new SyncState("a", List.of("b"), null, 0), s.modRevision())).isTrue();
        assertThat(member("c").freshCluster().sync().quorum()).as("absent outside quorum mode").isNull();
    }

    @Test
    void theInitializeRaceHasOneWinner() {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.initialize(true, "")).isTrue();
        assertThat(b.initialize(true, "")).isFalse();
        assertThat(b.freshCluster().isInitializing()).isTrue();
        assertThat(a.initialize(false, "7302012345678901234")).isTrue();
        assertThat(b.freshCluster().initialize()).isEqualTo("7302012345678901234");
        assertThat(a.cancelInitialization()).isTrue();
        assertThat(b.freshCluster().initialize()).isNull();
        assertThat(b.initialize(true, "")).isTrue();
    }

    // ------------------------------------------------------------------ plain writes and the view

    @Test
    void everyKeyReadsBackAsWritten() {
        Dcs a = member("a");
        Dcs b = member("b");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ttl", 30);
        config.put("loop_wait", 10);
        config.put("postgresql", Map.of("use_pg_rewind", true, "parameters", Map.of("max_connections", 100)));
        assertThat(a.setConfig(config, Dcs.ANY_REVISION)).isTrue();
        OffsetDateTime at = OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 0, ZoneOffset.UTC);
        assertThat(a.setFailover(FailoverRequest.of("a", "b", at), Dcs.ANY_REVISION)).isTrue();
        TimelineHistory history = new TimelineHistory(List.of(
                new TimelineHistory.Line(1, 50331808, "no recovery target specified", "2026-01-01T10:00:00+00:00", "b"),
                new TimelineHistory.Line(2, 83886240, "no recovery target specified", null, null)), false, 0);
        a.setHistory(history);
        Map<String, String> failsafe = new LinkedHashMap<>();
        failsafe.put("a", "http://127.0.0.11:8008/patroni");
        failsafe.put("b", "http://127.0.0.12:8008/patroni");
        a.writeFailsafe(failsafe);
        a.writeStatus(ClusterStatus.of(67108864, Map.of("perm", 67100000L)));
        Member data = memberData("a", Role.PRIMARY).toBuilder()
                .tags(new Tags(Map.of("nofailover", false, "zone", "b\u00e9ta"))).checkpointAfterPromote(false)
                .pendingRestart(true).replicationState(null).pause(true).build();
        a.touchMember(data);
        assertThat(a.acquireLeader()).isTrue();

        ClusterView v = b.freshCluster();
        assertThat(v.config().data()).isEqualTo(config);
        assertThat(v.failover().leader()).isEqualTo("a");
        assertThat(v.failover().candidate()).isEqualTo("b");
        assertThat(v.failover().scheduledAt()).isEqualTo(at);
        assertThat(v.history().lines()).isEqualTo(history.lines());
        assertThat(v.timeline()).isEqualTo(3);
        assertThat(v.failsafe()).containsExactlyEntriesOf(failsafe);
        assertThat(v.status().optime()).isEqualTo(67108864);
        assertThat(v.status().slots()).isEqualTo(Map.of("perm", 67100000L));
        Member read = v.member("a").orElseThrow();
        assertThat(read.toBuilder().modRevision(0).lease(0).build()).isEqualTo(data);
        assertThat(read.lease()).isEqualTo(v.leader().lease()).isNotZero();
        assertThat(v.leaderMember()).contains(read);
        assertThat(v.revision()).isGreaterThanOrEqualTo(read.modRevision());
        assertThat(a.cluster().leaderName()).isEqualTo("a");
    }

    @Test
    void touchMemberSkipsAnUnchangedValueAndWritesAChangedOne() {
        Dcs a = member("a");
        Dcs observer = member("observer");
        a.touchMember(memberData("a", Role.REPLICA));
        long first = observer.freshCluster().member("a").orElseThrow().modRevision();
        a.touchMember(memberData("a", Role.REPLICA));
        assertThat(observer.freshCluster().member("a").orElseThrow().modRevision()).isEqualTo(first);
        a.touchMember(memberData("a", Role.REPLICA).toBuilder().xlogLocation(2000L).build());
        Member m = observer.freshCluster().member("a").orElseThrow();
        assertThat(m.modRevision()).isGreaterThan(first);
        assertThat(m.xlogLocation()).isEqualTo(2000L);
    }

    @Test
    void statusAndFailsafeAreWrittenOnlyWhenChanged() {
        Dcs a = member("a");
        Dcs observer = member("observer");
        a.writeStatus(ClusterStatus.of(100, Map.of()));
        long r1 = observer.freshCluster().status().modRevision();
        a.writeStatus(ClusterStatus.of(100, Map.of()));
        assertThat(observer.freshCluster().status().modRevision()).isEqualTo(r1);
        a.writeStatus(ClusterStatus.of(200, Map.of()));
        assertThat(observer.freshCluster().status().modRevision()).isGreaterThan(r1);
        assertThat(observer.freshCluster().lastLsn()).isEqualTo(200);

        a.writeFailsafe(Map.of("a", "http://a/patroni"));
        long f1 = observer.freshCluster().revision();
        a.writeFailsafe(Map.of("a", "http://a/patroni"));
        assertThat(observer.freshCluster().revision()).isEqualTo(f1);
        a.writeFailsafe(Map.of("a", "http://a/patroni", "b", "http://b/patroni"));
        assertThat(observer.freshCluster().failsafe()).containsOnlyKeys("a", "b");
    }

    @Test
    void deleteClusterRemovesEveryKey() {
        Dcs a = member("a");
        a.touchMember(memberData("a", Role.PRIMARY));
        assertThat(a.acquireLeader()).isTrue();
        assertThat(a.setConfig(Map.of("ttl", 30), Dcs.ANY_REVISION)).isTrue();
        assertThat(a.initialize(true, "1")).isTrue();
        a.deleteCluster();
        ClusterView v = a.freshCluster();
        assertThat(v.members()).isEmpty();
        assertThat(v.isUnlocked()).isTrue();
        assertThat(v.config()).isNull();
        assertThat(v.initialize()).isNull();
    }

    // ------------------------------------------------------------------ wake-ups

    @Test
    void theWatchWakesAWaiterWithinOneSecondOfTheLeaderKeysDeletion() throws Exception {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.acquireLeader()).isTrue();
        drain(b);
        Future<Boolean> woken = waitInBackground(b, Duration.ofSeconds(60));
        assertThat(a.releaseLeader(null)).isTrue();
        assertThat(woken.get(1, TimeUnit.SECONDS)).isTrue();
        assertThat(b.cluster().isUnlocked()).isTrue();
    }

    @Test
    void theWatchWakesAWaiterWhenTheLeaderLeaseExpires() throws Exception {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.acquireLeader()).isTrue();
        drain(b);
        long lastRenewal = time().nanos();
        assertThat(a.renewLeader()).isTrue();
        Future<Boolean> woken = waitInBackground(b, Duration.ofSeconds(3L * ttl()));
        long[] wokeAt = {0};
        time().within(ttlPlus(1000).minus(since(lastRenewal)), () -> {
            if (woken.isDone() && wokeAt[0] == 0) {
                wokeAt[0] = time().nanos();
            }
            return woken.isDone();
        });
        assertThat(woken.get()).isTrue();
        Duration after = Duration.ofNanos(wokeAt[0] - lastRenewal);
        assertThat(after).as("woken by the expiry, not before it")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(ttl()).minusMillis(1000))
                .isLessThanOrEqualTo(ttlPlus(1000));
        assertThat(b.cluster().isUnlocked()).isTrue();
    }

    @Test
    void statusWakesOnlyMembersWithoutTheLockAndMemberKeysWakeNobody() throws Exception {
        Dcs a = member("a");
        Dcs b = member("b");
        Dcs c = member("c");
        assertThat(a.acquireLeader()).isTrue();
        c.touchMember(memberData("c", Role.REPLICA));
        drain(a);
        drain(c);

        Future<Boolean> leader = waitInBackground(a, Duration.ofMillis(700));
        Future<Boolean> replica = waitInBackground(c, Duration.ofSeconds(60));
        b.writeStatus(ClusterStatus.of(4242, Map.of()));
        assertThat(replica.get(1, TimeUnit.SECONDS)).as("a member without the lock").isTrue();
        assertThat(time().waited(leader, Duration.ofMillis(700))).as("the lock holder").isFalse();

        drain(c);
        Future<Boolean> byMember = waitInBackground(c, Duration.ofMillis(700));
        b.touchMember(memberData("b", Role.REPLICA));
        assertThat(time().waited(byMember, Duration.ofMillis(700))).as("a member key change").isFalse();
    }

    @Test
    void aChangedConfigWakesEverybody() throws Exception {
        Dcs a = member("a");
        Dcs b = member("b");
        assertThat(a.acquireLeader()).isTrue();
        assertThat(a.setConfig(Map.of("ttl", 30), Dcs.ANY_REVISION)).isTrue();
        drain(a);
        Future<Boolean> leader = waitInBackground(a, Duration.ofSeconds(60));
        assertThat(b.setConfig(Map.of("ttl", 40), Dcs.ANY_REVISION)).isTrue();
        assertThat(leader.get(1, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void wakeUpWakesAWaiterAndAwaitChangeTimesOutOtherwise() throws Exception {
        Dcs a = member("a");
        drain(a);
        assertThat(awaitChange(a, Duration.ofMillis(200))).isFalse();
        Future<Boolean> woken = waitInBackground(a, Duration.ofSeconds(60));
        a.wakeUp();
        assertThat(woken.get(1, TimeUnit.SECONDS)).isTrue();
        a.wakeUp();
        assertThat(a.awaitChange(Duration.ofSeconds(60))).as("a change since the last wait returns at once").isTrue();
    }
}
