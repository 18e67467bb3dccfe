package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.config.DynamicConfig;
import io.haagent.ha.SyncStandbys.Replica;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Quorum commit on the primary (§4.9; Patroni 4's {@code _process_quorum_replication} and its sync handler's
 * {@code current_state}): what postgres waits for ({@code synchronous_standby_names = 'ANY numsync (sync)'}), who
 * is known to have caught up, who is eligible, and the ordered changes {@link QuorumResolver} derives from them,
 * turned into actions. Pure.
 */
final class QuorumSync {

    private QuorumSync() {
    }

    /** What postgres waits for and who qualifies: numsync and sync from s_s_n, confirmed and active from the walsenders. */
    record State(int numsync, Set<String> sync, Set<String> confirmed, Set<String> active, SyncTracking tracking) {
    }

    static State current(LocalState local, ClusterView cluster, SyncTracking previous) {
        DynamicConfig cfg = cluster.dynamic();
        String ssn = local.synchronousStandbyNames();
        Set<String> listed = SyncStandbys.ssnMembers(ssn);
        boolean star = listed.contains("*");
        SyncTracking tracking = SyncStandbys.retrack(previous, local, listed);
        Map<String, Member> members = SyncStandbys.membersByName(cluster);
        List<Replica> replicas = new ArrayList<>();
        for (LocalState.ReplicationConnection row : local.replication()) {
            Member m = row.applicationName() == null ? null : members.get(row.applicationName().toLowerCase(Locale.ROOT));
            Long lsn = SyncStandbys.position(row, local.synchronousCommit());
            if (m != null && lsn != null && m.isRunning() && !m.tags().nosync()
                    && !m.name().equalsIgnoreCase(cluster.leaderName())) {
                replicas.add(new Replica(row.pid(), m.name(), String.valueOf(row.syncState()), lsn, m.nofailover(),
                        m.tags().syncPriority()));
            }
        }
        long maxLsn = replicas.size() > 1 ? replicas.stream().mapToLong(Replica::lsn).max().orElse(0)
                : local.walPosition();
        // a listed standby is confirmed once it reached the flush LSN of the s_s_n change while reported 'quorum'
        Map<String, Integer> ready = new HashMap<>(tracking.ready());
        for (Replica r : replicas) {
            boolean known = ready.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(r.name()));
            if (!known && listed.contains(r.name().toLowerCase(Locale.ROOT)) && r.lsn() >= tracking.flushLsnAtChange()
                    && "quorum".equals(r.syncState())) {
                ready.put(r.name(), r.pid());
            }
        }
        tracking = new SyncTracking(tracking.standbyNames(), tracking.flushLsnAtChange(), ready);
        // Patroni's order (higher sync_priority, then sync state, then position), then members without nofailover
        // first (a stable sort); nofailover ones only to reach synchronous_node_count
        replicas.sort(Comparator.comparingInt(Replica::syncPriority).thenComparing(Replica::syncState)
                .thenComparingLong(Replica::lsn).reversed());
        replicas.sort(Comparator.comparing(Replica::nofailover));
        Set<String> active = QuorumResolver.names(null);
        Set<String> confirmed = QuorumResolver.names(null);
        long maxLag = cfg.maximumLagOnSyncnode();
        for (Replica r : replicas) {
            if ((maxLag <= 0 || maxLsn - r.lsn() <= maxLag) && (!r.nofailover() || active.size() < cfg.synchronousNodeCount())) {
                active.add(r.name());
                if (ready.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(r.name()))) {
                    confirmed.add(r.name());
                }
            }
        }
        Set<String> sync = QuorumResolver.names(star ? List.of() : listed);
        int numsync = star || listed.isEmpty() ? 0 : numSync(ssn, listed.size());
        return new State(numsync, sync, confirmed, active, tracking);
    }

    /** The number in {@code ANY n (...)} / {@code FIRST n (...)} / {@code n (...)}; 1 for a single name. */
    static int numSync(String ssn, int listed) {
        String s = ssn == null ? "" : ssn.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("any ") || lower.startsWith("first ")) {
            s = s.substring(s.indexOf(' ') + 1).trim();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\s*\\(").matcher(s);
        return m.find() ? Integer.parseInt(m.group(1)) : Math.min(1, listed);
    }

    /**
     * The primary {@code me} brings s_s_n and the sync key to the wanted state, in QuorumResolver's order. Each sync
     * key write is a CAS on the revision read this cycle, so at most one is planned: later steps wait for the next
     * cycle (an early one). A state the resolver cannot leave safely changes nothing.
     */
    static SyncStandbys.Plan plan(String me, LocalState local, ClusterView cluster, SyncTracking tracking) {
        DynamicConfig cfg = cluster.dynamic();
        List<Action> out = new ArrayList<>();
        SyncState sync = cluster.sync();
        State st = current(local, cluster, tracking);
        if (sync.isEmpty()) {
            // name ourselves in the sync key, or quorum commit never starts (Patroni's _maybe_enable_synchronous_mode)
            out.add(new Action.WriteSync(new SyncState(me, List.of(), 0, 0), sync.modRevision(), null));
            return new SyncStandbys.Plan(out, st.tracking(), 1000L);
        }
        if (st.active().isEmpty() && cfg.synchronousModeStrict() && !(st.sync().isEmpty() && sync.syncStandbys().isEmpty())
                && me.equalsIgnoreCase(sync.leader())) {
            // strict: no standby qualifies, so keep the last known synchronous set (postgres keeps waiting for it, the
            // voters keep guarding the commits it acknowledged) instead of opening s_s_n to '*'
            return new SyncStandbys.Plan(out, st.tracking(), null);
        }
        List<QuorumResolver.Transition> transitions;
        try {
            transitions = QuorumResolver.transitions(sync.leader(), sync.quorumOrZero(), sync.syncStandbys(),
                    st.numsync(), st.sync(), st.confirmed().size(), st.active(), cfg.synchronousNodeCount(), me);
        } catch (QuorumResolver.QuorumError e) {
            return new SyncStandbys.Plan(out, st.tracking(), null);
        }
        int minSync = cfg.synchronousModeStrict() ? 1 : 0;
        boolean wroteSync = false;
        Long next = null;
        for (QuorumResolver.Transition t : transitions) {
            if (t.type() == QuorumResolver.Type.RESTART) {
                next = 1000L;
                break;
            }
            if (t.type() == QuorumResolver.Type.QUORUM) {
                if (wroteSync) {
                    next = 1000L;
                    break;
                }
                out.add(new Action.WriteSync(new SyncState(t.leader(), List.copyOf(t.names()), t.num(), 0),
                        sync.modRevision(), null));
                wroteSync = true;
            } else {
                // commits wait for at least min_synchronous_nodes (strict: one) even when fewer are listed
                int num = Math.max(t.num(), minSync);
                String value = io.haagent.pg.SynchronousStandbyNames.renderAny(num, t.names());
                if (!value.equals(local.synchronousStandbyNames() == null ? "" : local.synchronousStandbyNames())) {
                    out.add(Action.SetSynchronousStandbyNames.anyOf(num, List.copyOf(t.names())));
                }
            }
        }
        return new SyncStandbys.Plan(out, st.tracking(), next);
    }

    /**
     * Before promoting with quorum commit active (Patroni 4's {@code process_sync_replication_prepromote}): postgres
     * waits for enough of the former leader and voters that the quorum stays intact; the sync key is left to the
     * first cycle as primary, which makes this node its leader and the old one a voter.
     */
    static Action prePromote(String me, ClusterView cluster) {
        SyncState sync = cluster.sync();
        Set<String> names = QuorumResolver.names(sync.members());
        int numsync = names.size() - sync.quorumOrZero() - 1;
        if (names.contains(me)) {
            names.remove(me);
        } else {
            numsync += 1; // a node outside the voters reached the quorum and got the lock
        }
        return Action.SetSynchronousStandbyNames.anyOf(Math.max(numsync, 0), List.copyOf(names));
    }
}
