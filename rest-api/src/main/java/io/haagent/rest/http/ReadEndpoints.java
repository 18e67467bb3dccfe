package io.haagent.rest.http;

import io.haagent.api.PostgresStatus;

import io.haagent.api.NodeSnapshot;
import io.haagent.cluster.ClusterView;
import io.haagent.rest.health.HealthFacts;
import io.haagent.rest.health.HealthRules;
import io.haagent.rest.status.ClusterDocument;
import io.haagent.rest.status.Json;
import io.haagent.rest.status.RenderedSnapshot;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The GET endpoints (§2.3-2.5). Health checks, {@code /patroni}, {@code /metrics}, {@code /liveness} and
 * {@code /readiness} answer from the published snapshot only: no SQL, no etcd. {@code /cluster} reads etcd afresh,
 * and {@code /config}/{@code /history} do when the snapshot's view is stale; those run on the action pool.
 */
final class ReadEndpoints {
    private final ApiContext api;

    ReadEndpoints(ApiContext api) {
        this.api = api;
    }

    Reply health(String path, Map<String, List<String>> query, boolean statusOnly) {
        RenderedSnapshot r = api.rendered();
        NodeSnapshot s = r.snapshot();
        long now = api.clock.nanoTime();
        int code = HealthRules.status(path, query, HealthFacts.of(s, now));
        return statusOnly ? Reply.statusOnly(code) : Reply.json(code, r.status(s.freshCluster(now)));
    }

    Reply patroni() {
        RenderedSnapshot r = api.rendered(true);
        return Reply.json(200, r.status(r.snapshot().freshCluster(api.clock.nanoTime())));
    }

    Reply metrics() {
        RenderedSnapshot r = api.rendered();
        byte[] body = r.metrics(r.snapshot().freshCluster(api.clock.nanoTime()));
        return new Reply(200, Reply.METRICS, body, Map.of());
    }

    /**
     * 200 while paused or while the HA loop's next run is due within the threshold: ttl on a running primary
     * (its lease expires after that anyway), twice that elsewhere.
     */
    Reply liveness() {
        NodeSnapshot s = api.board.current();
        long now = api.clock.nanoTime();
        boolean primary = s.postgres().primaryRole() && s.postgres().isRunning();
        long threshold = s.dynamic().ttl() * (primary ? 1L : 2L) * 1_000_000_000L;
        boolean alive = s.paused() || (s.nextRunNanos() + threshold) - now > 0;
        return Reply.statusOnly(alive ? 200 : 503);
    }

    /**
     * Patroni 4.1's readiness: 200 when holding the leader lock; else postgres must run and stream, the view of etcd
     * be fresh (or failsafe stand in for it), and the replica lag behind the leader's last position no more than
     * {@code ?lag=} (bytes or units such as {@code 16MB}; default {@code maximum_lag_on_failover}), measured on the
     * replayed WAL ({@code ?mode=apply}, the default) or the received WAL ({@code ?mode=write}).
     */
    Reply readiness(Map<String, List<String>> query) {
        NodeSnapshot s = api.board.current();
        long now = api.clock.nanoTime();
        if (s.holdsLeaderLock(now)) {
            return Reply.statusOnly(200);
        }
        PostgresStatus pg = s.postgres();
        if (!pg.isRunning() || !"streaming".equals(pg.replicationState())) {
            return Reply.statusOnly(503);
        }
        ClusterView fresh = s.freshCluster(now);
        if (fresh == null) {
            return Reply.statusOnly(s.failsafeActive() ? 200 : 503);
        }
        boolean write = "write".equals(first(query, "mode"));
        Long position = write ? pg.receivedLocation() : pg.replayedLocation();
        long lag = fresh.lastLsn() - (position == null ? 0 : position);
        String lagParam = first(query, "lag");
        Long max = lagParam == null ? null : io.haagent.config.Units.parseInt(lagParam, "B");
        long allowed = max != null ? max : s.dynamic().maximumLagOnFailover();
        return Reply.statusOnly(lag > allowed ? 503 : 200);
    }

    private static String first(Map<String, List<String>> query, String key) {
        List<String> v = query == null ? null : query.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    Reply cluster() {
        ClusterView c = api.actions.readCluster();
        return Reply.json(200, Json.bytes(ClusterDocument.cluster(c, api.board.current().scope())));
    }

    /** The snapshot's view when fresh, else null (the caller then reads etcd on the action pool). */
    ClusterView freshView() {
        return api.board.current().freshCluster(api.clock.nanoTime());
    }

    Reply history(ClusterView c) {
        return Reply.json(200, Json.bytes(ClusterDocument.history(c)));
    }

    Reply config(ClusterView c) {
        if (c.config() == null) {
            return Reply.text(502, "the cluster has no configuration in etcd (the config key is absent)");
        }
        return Reply.json(200, Json.bytes(c.config().data()));
    }

    /** The last seen {@code failsafe} key; 502 when it is absent or invalid (failsafe mode off). */
    Reply failsafe() {
        ClusterView c = api.board.current().cluster();
        Map<String, String> f = c == null ? null : c.failsafe();
        if (f == null) {
            return Reply.text(502, "no failsafe key in etcd: failsafe_mode is not enabled");
        }
        return Reply.json(200, Json.bytes(f));
    }

    /** Runs {@code read} with the fresh view, or with a fresh read of etcd. */
    Supplier<Reply> withView(java.util.function.Function<ClusterView, Reply> read) {
        return () -> read.apply(api.actions.readCluster());
    }
}
