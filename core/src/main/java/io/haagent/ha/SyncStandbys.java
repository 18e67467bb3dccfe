package io.haagent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
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

    static State current(LocalState local, ClusterView cluster, SyncTracking previous) {
        DynamicConfig cfg = cluster.dynamic();
        SyncTracking tracking = previous == null ? SyncTracking.EMPTY : previous;
        Set<String> ssnMembers = ssnMembers(local.synchronousStandbyNames());
        if (!java.util.Objects.equals(local.synchronousStandbyNames(), tracking.standbyNames())) {
            // s_s_n changed: newly listed standbys count only once they reach the flush LSN of this moment
            Map<String, Integer> ready = new HashMap<>();
            tracking.ready().forEach((k, v) -> {
                if (ssnMembers.contains(k.toLowerCase(Locale.ROOT))) {
                    ready.put(k, v);
                }
            });
            tracking = new SyncTracking(local.synchronousStandbyNames(), local.walPosition(), ready);
        }

        String sortCol = switch (String.valueOf(local.synchronousCommit())) {
            case "remote_apply" -> "replay";
            case "remote_write" -> "write";
            default -> "flush";
        };
        Map<String, Member> members = new HashMap<>();
        for (Member m : cluster.members()) {
            members.put(m.name().toLowerCase(Locale.ROOT), m);
        }
        record Replica(int pid, String name, String syncState, long lsn, boolean nofailover) {
        }
        List<Replica> replicas = new ArrayList<>();
        for (LocalState.ReplicationConnection row : local.replication()) {
            Member m = row.applicationName() == null ? null : members.get(row.applicationName().toLowerCase(Locale.ROOT));
            Long lsn = switch (sortCol) {
                case "replay" -> row.replayLsn();
                case "write" -> row.writeLsn();
                default -> row.flushLsn();
            };
            if (m != null && lsn != null && m.isRunning() && !m.tags().nosync()) {
                replicas.add(new Replica(row.pid(), row.applicationName(), String.valueOf(row.syncState()), lsn,
                        m.nofailover()));
            }
        }
        // prefer standbys already 'sync', then the most advanced (stable sort keeps the order for equal keys)
        replicas.sort(Comparator.comparing(Replica::syncState).thenComparingLong(Replica::lsn).reversed());
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
