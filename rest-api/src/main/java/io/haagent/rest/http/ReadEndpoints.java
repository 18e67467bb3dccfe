package io.haagent.rest.http;

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
        RenderedSnapshot r = api.rendered();
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

    /** 200 when holding the leader lock, or when postgres runs and the view of etcd is fresh. */
    Reply readiness() {
        NodeSnapshot s = api.board.current();
        long now = api.clock.nanoTime();
        boolean ready = s.holdsLeaderLock(now)
                || (s.postgres().isRunning() && s.freshCluster(now) != null);
        return Reply.statusOnly(ready ? 200 : 503);
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
