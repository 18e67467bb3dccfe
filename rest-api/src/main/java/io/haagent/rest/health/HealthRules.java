package io.haagent.rest.health;

import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Tags;
import io.haagent.config.Units;
import java.util.List;
import java.util.Map;

/**
 * Patroni's health-check answers (§2.3): the status code of {@code GET|HEAD|OPTIONS <path>} for a node in the
 * given state. Pure: the same facts and request always give the same code.
 */
public final class HealthRules {
    public static final int OK = 200;
    public static final int UNAVAILABLE = 503;

    private static final String TAG_PREFIX = "tag_";

    private HealthRules() {
    }

    /**
     * @param path  the request path without the query string ({@code /} means {@code /primary})
     * @param query the query parameters, each with its values in order (only the first is used)
     */
    public static int status(String path, Map<String, List<String>> query, HealthFacts f) {
        String p = path == null || path.isEmpty() || "/".equals(path) ? "/primary" : path;

        boolean lagging = f.leaderOptime() > 0 && f.leaderOptime() > saturatedAdd(f.replayedLocation(), maxLag(query));
        boolean replicaOk = !f.tags().noloadbalance() && !lagging && "replica".equals(f.role())
                && PostgresState.RUNNING.equals(f.state());

        boolean leaderOk;
        boolean primaryOk;
        boolean standbyLeaderOk;
        if (!f.clusterFresh() && f.paused()) {
            // Maintenance mode with no fresh view of etcd: nobody is failing over, so the role postgres reports
            // is the best answer (Patroni does the same).
            leaderOk = isPrimaryRole(f.role()) || "standby_leader".equals(f.role());
            primaryOk = isPrimaryRole(f.role());
            standbyLeaderOk = "standby_leader".equals(f.role());
        } else if (f.holdsLeaderLock()) {
            leaderOk = true;
            if (f.standbyCluster()) {
                // A standby leader never accepts writes: it must not pass /primary even with the lock.
                primaryOk = false;
                replicaOk = false;
                standbyLeaderOk = "replica".equals(f.role()) || "standby_leader".equals(f.role());
            } else {
                // Safety rule 1: /primary follows the lock belief, so a primary that may have lost its lease stops
                // receiving writes through the load balancer before anyone else can promote. Stricter than Patroni
                // (§2.3 answers 200 on the lock alone), and what a client needs (issue 17): 200 only while postgres
                // is the primary, so a new leader answers 200 the moment its promotion ends, not while it is still
                // read-only, and a stepping-down primary answers 503 the moment it stops taking writes (its
                // checkpoint done, its stop about to begin), not after its shutdown and the release of the lock.
                // /leader keeps following the lock alone.
                primaryOk = f.writable();
                standbyLeaderOk = false;
            }
        } else {
            leaderOk = false;
            primaryOk = false;
            standbyLeaderOk = false;
        }

        int code = UNAVAILABLE;
        boolean ignoreTags = false;
        if (p.contains("standby_leader") || p.contains("standby-leader")) {
            code = ok(standbyLeaderOk);
            ignoreTags = true;
        } else if (p.contains("leader")) {
            code = ok(leaderOk);
            ignoreTags = true;
        } else if (p.contains("master") || p.contains("primary") || p.contains("read-write")) {
            code = ok(primaryOk);
            ignoreTags = true;
        } else if (p.contains("replica")) {
            code = ok(replicaOk);
        } else if (p.contains("read-only") && !p.contains("sync") && !p.contains("quorum")) {
            code = ok(primaryOk || standbyLeaderOk || replicaOk);
        } else if (p.contains("health")) {
            code = ok(PostgresState.RUNNING.equals(f.state()));
        } else if (f.clusterFresh()) {
            switch (p) {
                case "/sync", "/synchronous" -> code = ok(f.syncStandby() && replicaOk);
                case "/quorum" -> code = ok(f.quorumStandby() && replicaOk);
                case "/async", "/asynchronous" -> code = ok(!f.syncStandby() && !f.quorumStandby() && replicaOk);
                case "/read-only-quorum" -> code = ok(primaryOk || standbyLeaderOk || (f.quorumStandby() && replicaOk));
                case "/read-only-sync", "/read-only-synchronous" ->
                        code = ok(primaryOk || standbyLeaderOk || (f.syncStandby() && replicaOk));
                default -> code = UNAVAILABLE;
            }
        }

        if (!ignoreTags && code == OK && !tagsMatch(query, f.tags())) {
            code = UNAVAILABLE;
        }
        return code;
    }

    /** Every {@code tag_<k>=<v>} parameter names a tag of this node with that value. */
    static boolean tagsMatch(Map<String, List<String>> query, Tags tags) {
        if (query == null) {
            return true;
        }
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (!e.getKey().startsWith(TAG_PREFIX) || e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            Object mine = tags.get(e.getKey().substring(TAG_PREFIX.length()));
            if (mine == null || !Tags.queryForm(mine).equals(e.getValue().get(0))) {
                return false;
            }
        }
        return true;
    }

    /** {@code ?lag=} in bytes or with a unit; absent or unreadable means no limit (as in Patroni). */
    static long maxLag(Map<String, List<String>> query) {
        List<String> v = query == null ? null : query.get("lag");
        if (v == null || v.isEmpty()) {
            return Long.MAX_VALUE;
        }
        Long lag = Units.parseInt(v.get(0), "B");
        return lag == null ? Long.MAX_VALUE : lag;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    private static boolean isPrimaryRole(String role) {
        return "master".equals(role) || "primary".equals(role);
    }

    private static int ok(boolean b) {
        return b ? OK : UNAVAILABLE;
    }
}
