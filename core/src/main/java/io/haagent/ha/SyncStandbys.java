package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.config.DynamicConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which standbys should be synchronous, and which may be trusted as synchronous (§4.9, Patroni's
 * {@code SyncHandler.current_state}). Pure: the tracking state comes in and goes out.
 */
final class SyncStandbys {

    record State(Set<String> picked, Set<String> allowPromote, SyncTracking tracking) {
    }

    private SyncStandbys() {
    }

    /** A walsender of a member that may be synchronous, at the position {@code synchronous_commit} waits for. */
    record Replica(int pid, String name, String syncState, long lsn, boolean nofailover, int syncPriority) {
    }

    /**
     * The tracking carried on: when s_s_n changed since it was made, newly listed standbys count only once they
     * reach the flush LSN of this moment (those still listed keep their readiness).
     */
    static SyncTracking retrack(SyncTracking previous, LocalState local, Set<String> listed) {
        SyncTracking tracking = previous == null ? SyncTracking.EMPTY : previous;
        String ssn = local.synchronousStandbyNames();
        if (java.util.Objects.equals(ssn, tracking.standbyNames())) {
            return tracking;
        }
        Map<String, Integer> ready = new HashMap<>();
        tracking.ready().forEach((k, v) -> {
            if (listed.contains(k.toLowerCase(Locale.ROOT))) {
                ready.put(k, v);
            }
        });
        return new SyncTracking(ssn, local.walPosition(), ready);
    }

    /** The members by lower-case name (application_name is matched without case, as Patroni does). */
    static Map<String, Member> membersByName(ClusterView cluster) {
        Map<String, Member> members = new HashMap<>();
        for (Member m : cluster.members()) {
            members.put(m.name().toLowerCase(Locale.ROOT), m);
        }
        return members;
    }

    /** The walsender's position that {@code synchronous_commit} waits for: replay, write or flush. */
    static Long position(LocalState.ReplicationConnection row, String synchronousCommit) {
        return switch (String.valueOf(synchronousCommit)) {
            case "remote_apply" -> row.replayLsn();
            case "remote_write" -> row.writeLsn();
            default -> row.flushLsn();
        };
    }

    static State current(LocalState local, ClusterView cluster, SyncTracking previous) {
        DynamicConfig cfg = cluster.dynamic();
        Set<String> ssnMembers = ssnMembers(local.synchronousStandbyNames());
        SyncTracking tracking = retrack(previous, local, ssnMembers);

        Map<String, Member> members = membersByName(cluster);
        List<Replica> replicas = new ArrayList<>();
        for (LocalState.ReplicationConnection row : local.replication()) {
            Member m = row.applicationName() == null ? null : members.get(row.applicationName().toLowerCase(Locale.ROOT));
            Long lsn = position(row, local.synchronousCommit());
            if (m != null && lsn != null && m.isRunning() && !m.tags().nosync()) {
                replicas.add(new Replica(row.pid(), row.applicationName(), String.valueOf(row.syncState()), lsn,
                        m.nofailover(), m.tags().syncPriority()));
            }
        }
        // prefer a higher sync_priority tag (Patroni 4.1), then standbys already 'sync', then the most advanced
        // (stable sort keeps the order for equal keys)
        replicas.sort(Comparator.comparingInt(Replica::syncPriority).thenComparing(Replica::syncState)
                .thenComparingLong(Replica::lsn).reversed());
        long maxLsn = replicas.size() > 1 ? replicas.stream().mapToLong(Replica::lsn).max().orElse(0)
                : local.walPosition();

        Map<String, Integer> ready = new HashMap<>(tracking.ready());
        for (Replica r : replicas) {
            String key = r.name();
            boolean known = ready.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(key));
            if (!known && ssnMembers.contains(key.toLowerCase(Locale.ROOT))
                    && (cluster.sync().matches(key) || "sync".equals(r.syncState()) && r.lsn() >= tracking.flushLsnAtChange())) {
                ready.put(key, r.pid());
            }
        }
        tracking = new SyncTracking(tracking.standbyNames(), tracking.flushLsnAtChange(), ready);

        List<Replica> byFailover = new ArrayList<>(replicas);
        byFailover.sort(Comparator.comparing(Replica::nofailover)); // members without nofailover first
        Set<String> picked = new LinkedHashSet<>();
        Set<String> allow = new LinkedHashSet<>();
        long maxLag = cfg.maximumLagOnSyncnode();
        for (Replica r : byFailover) {
            if (maxLag <= 0 || maxLsn - r.lsn() <= maxLag) {
                picked.add(r.name());
                boolean isReady = ready.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(r.name()));
                if ("sync".equals(r.syncState()) && isReady) {
                    allow.add(r.name());
                }
            }
            if (picked.size() >= cfg.synchronousNodeCount()) {
                break;
            }
        }
        return new State(picked, allow, tracking);
    }

    /** What the primary does about synchronous replication this cycle: actions, new tracking, an early next cycle. */
    record Plan(List<Action> actions, SyncTracking tracking, Long nextCycleInMillis) {
    }

    /**
     * Patroni's {@code process_sync_replication} (§4.9) for the primary {@code me}. Order matters: shrink
     * {@code /sync} to standbys both listed and verified, then change postgres, and widen {@code /sync} only once
     * the new standbys are verified synchronous. At no point does {@code /sync} name a standby that acknowledged
     * commits might be missing from, so a failover to any {@code /sync} member loses nothing (no writes lost in
     * synchronous mode).
     */
    static Plan plan(String me, LocalState local, ClusterView cluster, SyncTracking tracking) {
        DynamicConfig cfg = cluster.dynamic();
        List<Action> out = new ArrayList<>();
        if (!cfg.synchronousModeEffective()) {
            if (!cluster.sync().isEmpty()) {
                out.add(new Action.DeleteSync(cluster.sync().modRevision()));
            }
            if (local.synchronousStandbyNames() != null && !local.synchronousStandbyNames().isEmpty()) {
                out.add(new Action.SetSynchronousStandbyNames(List.of(), false, 0));
            }
            return new Plan(out, tracking, null);
        }
        if (cfg.quorumCommit()) {
            return QuorumSync.plan(me, local, cluster, tracking);
        }
        SyncState sync = cluster.sync();
        State st = current(local, cluster, tracking);
        if (sync.isEmpty() || !me.equalsIgnoreCase(sync.leader())) {
            // Name ourselves in /sync even with no eligible standby yet, or synchronous mode never starts. Its new
            // revision is unknown until the next read, so /sync waits for the next cycle; postgres can already wait
            // for the standbys we pick (only widening /sync needs them verified).
            out.add(new Action.WriteSync(new SyncState(me, List.of(), 0), sync.modRevision(), null));
            if (!st.picked().isEmpty() || cfg.synchronousModeStrict()) {
                standbyNames(out, local, cfg, st.picked());
            }
            return new Plan(out, st.tracking(), 1000L);
        }
        long rev = sync.modRevision();
        Set<String> current = new LinkedHashSet<>(sync.syncStandbys());
        if (sameNames(st.picked(), current) && !sameNames(st.allowPromote(), current)) {
            // /sync names standbys postgres does not wait for: repair /sync first (it only shrinks trust)
            out.add(new Action.WriteSync(new SyncState(me, List.copyOf(st.allowPromote()), 0), rev, null));
            return new Plan(out, st.tracking(), null);
        }
        Long next = null;
        if (!sameNames(st.picked(), current)) {
            Set<String> common = new LinkedHashSet<>();
            for (String c : current) {
                if (st.allowPromote().stream().anyMatch(a -> a.equalsIgnoreCase(c))) {
                    common.add(c);
                }
            }
            if (!sameNames(common, current)) {
                out.add(new Action.WriteSync(new SyncState(me, List.copyOf(common), 0), rev, null));
                standbyNames(out, local, cfg, st.picked());
                return new Plan(out, st.tracking(), null);
            }
            standbyNames(out, local, cfg, st.picked());
            if (!st.allowPromote().isEmpty() && !sameNames(st.allowPromote(), common)) {
                out.add(new Action.WriteSync(new SyncState(me, List.copyOf(st.allowPromote()), 0), rev, null));
            } else {
                // check again soon whether the new standbys are verified, rather than after loop_wait
                next = 1000L;
            }
        }
        return new Plan(out, st.tracking(), next);
    }

    /** Set synchronous_standby_names to {@code picked} ({@code *} in strict mode without any), unless it is so. */
    private static void standbyNames(List<Action> out, LocalState local, DynamicConfig cfg, Set<String> picked) {
        boolean star = picked.isEmpty() && cfg.synchronousModeStrict();
        String desired = star ? "*" : picked.isEmpty() ? "" : null;
        if (desired != null && desired.equals(local.synchronousStandbyNames())) {
            return;
        }
        if (desired == null && sameNames(picked, ssnMembers(local.synchronousStandbyNames()))) {
            return;
        }
        out.add(new Action.SetSynchronousStandbyNames(List.copyOf(picked), star, picked.size()));
    }

    /** Names listed in a synchronous_standby_names value, lowercased; {@code *} is kept as is. */
    static Set<String> ssnMembers(String ssn) {
        Set<String> out = new LinkedHashSet<>();
        if (ssn == null || ssn.isBlank()) {
            return out;
        }
        String s = ssn.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("first ") || lower.startsWith("any ")) {
            s = s.substring(s.indexOf(' ') + 1).trim();
        }
        int open = s.indexOf('(');
        if (open >= 0 && s.endsWith(")")) {
            s = s.substring(open + 1, s.length() - 1);
        }
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.startsWith("\"") && p.endsWith("\"") && p.length() >= 2) {
                p = p.substring(1, p.length() - 1).replace("\"\"", "\"");
            } else {
                p = p.toLowerCase(Locale.ROOT);
            }
            if (!p.isEmpty()) {
                out.add(p.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** Case-insensitive set equality, as Patroni's CaseInsensitiveSet compares. */
    static boolean sameNames(Set<String> a, Iterable<String> b) {
        Set<String> x = new LinkedHashSet<>();
        a.forEach(n -> x.add(n.toLowerCase(Locale.ROOT)));
        Set<String> y = new LinkedHashSet<>();
        b.forEach(n -> y.add(n.toLowerCase(Locale.ROOT)));
        return x.equals(y);
    }
}
