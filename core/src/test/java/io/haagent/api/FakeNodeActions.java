package io.haagent.api;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An in-memory agent behind the {@link NodeActions} port, with the semantics the REST API relies on: the cluster
 * view lives here, config and failover writes compare-and-set on revisions that move with every write, etcd can
 * be made unreachable, and every request is recorded for assertions. Not a mock: it keeps state and answers from
 * it. Thread-safe.
 */
public final class FakeNodeActions implements NodeActions {
    private final Object lock = new Object();
    private final AtomicLong revision;
    private ClusterView cluster;
    private volatile boolean etcdReachable = true;
    private RestartRequest scheduledRestart;

    private final List<Map<String, Object>> configWrites = new CopyOnWriteArrayList<>();
    private final List<FailoverRequest> failoverWrites = new CopyOnWriteArrayList<>();
    private final List<RestartRequest> restarts = new CopyOnWriteArrayList<>();
    private final List<Boolean> reinitializations = new CopyOnWriteArrayList<>();
    private final List<Boolean> reinitializationsFromLeader = new CopyOnWriteArrayList<>();
    private final List<FailsafeHeartbeat> heartbeats = new CopyOnWriteArrayList<>();
    private final List<List<String>> candidateQueries = new CopyOnWriteArrayList<>();
    private final AtomicInteger wakeUps = new AtomicInteger();
    private final AtomicInteger reloads = new AtomicInteger();
    private final AtomicInteger clusterReads = new AtomicInteger();

    private volatile Function<RestartRequest, ActionOutcome> onRestart = r -> ActionOutcome.ok("restarted successfully");
    private volatile Function<Boolean, ActionOutcome> onReinitialize = f -> ActionOutcome.ok("reinitialize started");
    private volatile Function<FailsafeHeartbeat, ActionOutcome> onFailsafe = h -> ActionOutcome.ok("Accepted");
    private volatile Consumer<FailoverRequest> onFailoverWritten = r -> { };
    private volatile Runnable onClusterRead = () -> { };
    private final Map<String, String> rejectedCandidates = Collections.synchronizedMap(new HashMap<>());

    public FakeNodeActions(ClusterView initial) {
        this.cluster = initial == null ? ClusterView.EMPTY : initial;
        this.revision = new AtomicLong(Math.max(100, this.cluster.revision()));
    }

    // ---- the port ----

    @Override
    public ClusterView readCluster() {
        checkReachable();
        clusterReads.incrementAndGet();
        ClusterView view;
        synchronized (lock) {
            view = cluster;
        }
        onClusterRead.run();
        return view;
    }

    @Override
    public boolean writeConfig(Map<String, Object> config, long expectedRevision) {
        checkReachable();
        synchronized (lock) {
            long current = cluster.config() == null ? 0 : cluster.config().modRevision();
            if (expectedRevision != Dcs.ANY_REVISION && expectedRevision != current) {
                return false;
            }
            long rev = revision.incrementAndGet();
            configWrites.add(Collections.unmodifiableMap(new LinkedHashMap<>(config)));
            cluster = with(cluster, ClusterConfig.of(new LinkedHashMap<>(config), rev), cluster.leader(),
                    cluster.failover(), rev);
            return true;
        }
    }

    @Override
    public boolean writeFailover(FailoverRequest request, long expectedRevision) {
        checkReachable();
        synchronized (lock) {
            long current = cluster.failover() == null ? 0 : cluster.failover().modRevision();
            if (expectedRevision != Dcs.ANY_REVISION && expectedRevision != current) {
                return false;
            }
            long rev = revision.incrementAndGet();
            FailoverRequest stored = new FailoverRequest(request.leader(), request.candidate(),
                    request.scheduledAt(), rev);
            failoverWrites.add(stored);
            cluster = with(cluster, cluster.config(), cluster.leader(), stored, rev);
        }
        onFailoverWritten.accept(request);
        return true;
    }

    @Override
    public void wakeUp() {
        wakeUps.incrementAndGet();
    }

    @Override
    public void scheduleReload() {
        reloads.incrementAndGet();
    }

    @Override
    public ActionOutcome restart(RestartRequest request) {
        restarts.add(request);
        return onRestart.apply(request);
    }

    @Override
    public boolean scheduleRestart(RestartRequest request) {
        synchronized (lock) {
            if (scheduledRestart != null) {
                return false;
            }
            scheduledRestart = request;
            return true;
        }
    }

    @Override
    public boolean cancelScheduledRestart() {
        synchronized (lock) {
            boolean had = scheduledRestart != null;
            scheduledRestart = null;
            return had;
        }
    }

    @Override
    public ActionOutcome reinitialize(boolean force, boolean fromLeader) {
        reinitializations.add(force);
        reinitializationsFromLeader.add(fromLeader);
        return onReinitialize.apply(force);
    }

    @Override
    public ActionOutcome acceptFailsafe(FailsafeHeartbeat heartbeat) {
        heartbeats.add(heartbeat);
        return onFailsafe.apply(heartbeat);
    }

    /**
     * A member is eligible unless it was marked with {@link #rejectCandidate}, is tagged {@code nofailover}
     * ({@code not allowed to promote}) or has no {@code api_url} ({@code not reachable}).
     */
    @Override
    public List<CandidateCheck> checkCandidates(ClusterView view, List<Member> members) {
        candidateQueries.add(members.stream().map(Member::name).toList());
        List<CandidateCheck> out = new ArrayList<>();
        for (Member m : members) {
            String reason = rejectedCandidates.get(m.name());
            if (reason == null && m.apiUri() == null) {
                reason = "not reachable";
            }
            if (reason == null && m.nofailover()) {
                reason = "not allowed to promote";
            }
            out.add(reason == null ? CandidateCheck.eligible(m.name()) : CandidateCheck.rejected(m.name(), reason));
        }
        return out;
    }

    // ---- steering the fake ----

    public void etcdReachable(boolean reachable) {
        etcdReachable = reachable;
    }

    public void rejectCandidate(String member, String reason) {
        rejectedCandidates.put(member, reason);
    }

    public void onRestart(Function<RestartRequest, ActionOutcome> f) {
        onRestart = f;
    }

    public void onReinitialize(Function<Boolean, ActionOutcome> f) {
        onReinitialize = f;
    }

    public void onFailsafe(Function<FailsafeHeartbeat, ActionOutcome> f) {
        onFailsafe = f;
    }

    /** Runs after each successful failover write, e.g. to simulate the cluster's reaction with {@link #leaderIs}. */
    public void onFailoverWritten(Consumer<FailoverRequest> f) {
        onFailoverWritten = f;
    }

    /**
     * Runs after each cluster read has taken its view, e.g. to change the cluster behind the reader's back (a
     * concurrent writer) or to move a fake clock.
     */
    public void onClusterRead(Runnable r) {
        onClusterRead = r;
    }

    /** The leader lock now belongs to {@code name} (null: nobody) and the failover key is cleared, as the winner does. */
    public void leaderIs(String name) {
        synchronized (lock) {
            long rev = revision.incrementAndGet();
            Leader leader = name == null ? null : new Leader(name, rev, 7);
            cluster = with(cluster, cluster.config(), leader, null, rev);
        }
    }

    /** The failover key is cleared without a leader change (the leader found no healthy candidate). */
    public void failoverCleared() {
        synchronized (lock) {
            long rev = revision.incrementAndGet();
            cluster = with(cluster, cluster.config(), cluster.leader(), null, rev);
        }
    }

    public void cluster(ClusterView view) {
        synchronized (lock) {
            cluster = view;
        }
    }

    // ---- what happened ----

    public List<Map<String, Object>> configWrites() {
        return List.copyOf(configWrites);
    }

    public List<FailoverRequest> failoverWrites() {
        return List.copyOf(failoverWrites);
    }

    public List<RestartRequest> restarts() {
        return List.copyOf(restarts);
    }

    public RestartRequest scheduledRestart() {
        synchronized (lock) {
            return scheduledRestart;
        }
    }

    /** The from_leader flag of each reinitialize, in order. */
    public List<Boolean> reinitializationsFromLeader() {
        return List.copyOf(reinitializationsFromLeader);
    }

    public List<Boolean> reinitializations() {
        return List.copyOf(reinitializations);
    }

    public List<FailsafeHeartbeat> heartbeats() {
        return List.copyOf(heartbeats);
    }

    public List<List<String>> candidateQueries() {
        return List.copyOf(candidateQueries);
    }

    public int wakeUps() {
        return wakeUps.get();
    }

    public int reloads() {
        return reloads.get();
    }

    public int clusterReads() {
        return clusterReads.get();
    }

    private void checkReachable() {
        if (!etcdReachable) {
            throw new DcsUnavailableException("etcd is not reachable (FakeNodeActions)");
        }
    }

    private static ClusterView with(ClusterView v, ClusterConfig config, Leader leader, FailoverRequest failover,
            long rev) {
        return new ClusterView(v.initialize(), config, leader, v.status(), v.members(), failover, v.sync(),
                v.history(), v.failsafe(), rev);
    }
}
