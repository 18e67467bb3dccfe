package io.haagent.sim;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.ha.Action;
import io.haagent.ha.Decision;
import io.haagent.ha.HaInput;
import io.haagent.ha.PeerStatus;
import io.haagent.pg.Divergence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Deliberately broken deciders (issue 13): each wraps the real {@link io.haagent.ha.HaDecider} through
 * {@code HaLoop.decideWith}, changing what it is told or what it says, never the production code. The invariants
 * must catch every one ({@code scripts/simulate.sh --mutants}); a mutant that survives means they, or the fault
 * schedules, are too weak.
 */
public enum Mutant {
    /** A replica that sees the leader key free promotes at once, without taking the lock (or being the healthiest). */
    PROMOTE_WITHOUT_LOCK("promote without holding the lock", d -> in -> {
        Decision.Outcome out = d.apply(in);
        if (out.decision() == null || in.cluster() == null || !in.cluster().isUnlocked() || !in.local().running()
                || in.local().primary() || in.longAction() != null) {
            return out;
        }
        List<Action> actions = new ArrayList<>(out.decision().actions());
        actions.removeIf(a -> a instanceof Action.AcquireLock);
        if (actions.stream().noneMatch(a -> a instanceof Action.Promote)) {
            actions.add(new Action.Promote());
        }
        return Decision.Outcome.of(new Decision(actions, "promoted self without the lock (mutant)",
                out.decision().memory(), out.decision().roleChange(), out.decision().nextCycleInMillis()));
    }),

    /** The election ignores replication lag: maximum_lag_on_failover unlimited, and no peer is ever ahead. */
    IGNORE_LAG("ignore lag in the election", d -> in -> {
        HaInput changed = in;
        if (in.cluster() != null && in.cluster().config() != null) {
            Map<String, Object> cfg = new LinkedHashMap<>(in.cluster().config().data());
            cfg.put("maximum_lag_on_failover", Long.MAX_VALUE / 4);
            changed = withCluster(in, view(in.cluster(), ClusterConfig.of(cfg, in.cluster().config().modRevision()),
                    in.cluster().sync()));
        }
        if (in.peers() != null) {
            Map<String, PeerStatus> peers = new LinkedHashMap<>();
            in.peers().forEach((k, p) -> peers.put(k, new PeerStatus(p.name(), p.reachable(), p.inRecovery(), 0,
                    p.timeline(), p.tags(), p.watchdogFailed(), p.error())));
            changed = changed.withPeers(peers);
        }
        return d.apply(changed);
    }),

    /** A primary that cannot renew the lock (or reach the DCS) keeps running instead of demoting. */
    KEEP_PRIMARY_WITHOUT_LOCK("keep the primary running when the lock cannot be renewed", d -> in -> {
        Decision.Outcome out = d.apply(in);
        if (out.decision() == null || !in.local().primary() || in.hasLock()
                || !out.decision().has(Action.Demote.class) && !out.decision().has(Action.StopPostgres.class)) {
            return out;
        }
        return Decision.Outcome.of(new Decision(List.of(), "kept running as primary without the lock (mutant)",
                out.decision().memory(), null, null));
    }),

    /** After stepping down, the divergence check always answers "not diverged": no pg_rewind ever runs. */
    SKIP_REWIND_CHECK("skip the post-demote rewind check", d -> in -> {
        Decision.Outcome out = d.apply(in);
        if (out.decision() == null && out.divergenceCheckAgainst() != null) {
            return d.apply(in.withDivergence(new Divergence.NotDiverged("not checked (mutant)")));
        }
        return out;
    }),

    /**
     * A running replica checks for divergence only after a change of upstream or a start, not when its leader's
     * timeline is ahead of its own (the real bug simulator seed 3967 found): such a check always says "not diverged".
     */
    NO_TIMELINE_CHECK("no divergence check when the leader's timeline is ahead", d -> in -> {
        Decision.Outcome out = d.apply(in);
        if (out.decision() == null && out.divergenceCheckAgainst() != null
                && in.memory().rewind() != io.haagent.ha.RewindState.CHECK) {
            return d.apply(in.withDivergence(new Divergence.NotDiverged("not checked (mutant)")));
        }
        return out;
    }),

    /**
     * Patroni's rules in pause, the two real bugs simulator seeds 2592 and 8617 found: a paused primary that cannot
     * reach etcd runs on (it does not see the resume or the manual failover that follows), and the named candidate of
     * a manual failover takes over without asking whether another member still runs as a primary (every primary's
     * answer is lost). Either fix alone closes seed 2592's hole, so the mutant reverts both.
     */
    CANDIDATE_IGNORES_LIVE_PRIMARY("a paused primary runs on without etcd, a failover candidate ignores it", d -> in -> {
        ClusterView v = in.cluster();
        if (v == null) {
            Decision.Outcome out = d.apply(in);
            if (out.decision() == null || !in.memory().wasPaused() || !in.local().primary()
                    || !out.decision().has(Action.Demote.class)) {
                return out;
            }
            return Decision.Outcome.of(new Decision(List.of(), "DCS is not accessible", out.decision().memory(),
                    null, null));
        }
        if (!v.isUnlocked() || v.failover() == null || !in.name().equals(v.failover().candidate())
                || in.peers() == null) {
            return d.apply(in);
        }
        Map<String, PeerStatus> peers = new LinkedHashMap<>();
        in.peers().forEach((k, p) -> peers.put(k, p.reachable() && !p.inRecovery()
                ? PeerStatus.unreachable(k, "ignored (mutant)") : p));
        return d.apply(in.withPeers(peers));
    }),

    /** Quorum commit counts every member as a voter of the sync key, synchronous or not. */
    NON_VOTER_IN_QUORUM("count a non-voter in quorum", d -> in -> {
        ClusterView v = in.cluster();
        if (v == null || !v.isQuorumCommitActive() || v.sync() == null || v.sync().isEmpty()) {
            return d.apply(in);
        }
        List<String> all = v.members().stream().map(Member::name).filter(n -> !n.equals(v.sync().leader())).toList();
        SyncState everyone = new SyncState(v.sync().leader(), all, v.sync().quorum(), v.sync().modRevision());
        return d.apply(withCluster(in, view(v, v.config(), everyone)));
    });

    private final String label;
    private final UnaryOperator<Function<HaInput, Decision.Outcome>> wrap;

    Mutant(String label, UnaryOperator<Function<HaInput, Decision.Outcome>> wrap) {
        this.label = label;
        this.wrap = wrap;
    }

    public String label() {
        return label;
    }

    public UnaryOperator<Function<HaInput, Decision.Outcome>> wrap() {
        return wrap;
    }

    private static ClusterView view(ClusterView v, ClusterConfig config, SyncState sync) {
        return new ClusterView(v.initialize(), config, v.leader(), v.status(), v.members(), v.failover(), sync,
                v.history(), v.failsafe(), v.revision());
    }

    /** The input with another cluster view: every other component as it was (by reflection: HaInput grows). */
    private static HaInput withCluster(HaInput in, ClusterView v) {
        try {
            var components = HaInput.class.getRecordComponents();
            Object[] values = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = components[i].getName().equals("cluster") ? v : components[i].getAccessor().invoke(in);
            }
            return HaInput.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy " + in, e);
        }
    }
}
