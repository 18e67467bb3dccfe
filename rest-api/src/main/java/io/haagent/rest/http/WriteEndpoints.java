package io.haagent.rest.http;

import io.haagent.api.ActionOutcome;
import io.haagent.api.CandidateCheck;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RestartRequest;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.rest.status.Json;
import io.haagent.rest.write.Answer;
import io.haagent.rest.write.ApiError;
import io.haagent.rest.write.ConfigChange;
import io.haagent.rest.write.FailsafeHeartbeats;
import io.haagent.rest.write.ManualFailover;
import io.haagent.rest.write.RequestBody;
import io.haagent.rest.write.RestartRequests;
import io.haagent.text.SafeText;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write endpoints (§2.6), each with Patroni's validation order, codes and messages. They only validate and
 * hand the request to the agent through {@link io.haagent.api.NodeActions}; bodies are already parsed and the
 * caller already passed the access check.
 */
final class WriteEndpoints {
    private static final Logger log = LoggerFactory.getLogger(WriteEndpoints.class);
    private static final List<String> REINITIALIZE_FIELDS = List.of("force", "from_leader");

    private final ApiContext api;

    WriteEndpoints(ApiContext api) {
        this.api = api;
    }

    Reply patchConfig(Map<String, Object> patch) {
        ClusterView c = api.actions.readCluster();
        if (c.config() == null || c.config().modRevision() == 0) {
            return Reply.text(503, "the cluster has no configuration in etcd to patch (the config key is absent);"
                    + " use PUT /config to write a whole one");
        }
        Map<String, Object> data = ConfigChange.copy(c.config().data());
        boolean changed = ConfigChange.patch(data, patch);
        ConfigChange.validate(data);
        if (changed) {
            log.info("PATCH /config: changing {}", SafeText.of(patch.keySet().toString()));
            if (!api.actions.writeConfig(data, c.config().modRevision())) {
                return Reply.text(409, "the configuration was changed concurrently (its revision moved); read it"
                        + " again and retry");
            }
        }
        api.actions.wakeUp();
        return Reply.json(200, Json.bytes(data));
    }

    Reply putConfig(Map<String, Object> config) {
        ConfigChange.validate(config);
        ClusterView c = api.actions.readCluster();
        if (c.config() == null || !ConfigChange.sameConfig(config, c.config().data())) {
            log.info("PUT /config: replacing the configuration (keys {})", SafeText.of(config.keySet().toString()));
            boolean written;
            try {
                written = api.actions.writeConfig(config, Dcs.ANY_REVISION);
            } catch (DcsUnavailableException e) {
                written = false;
            }
            if (!written) {
                return Reply.text(502, "failed to write the configuration into etcd");
            }
        }
        return Reply.json(200, Json.bytes(config));
    }

    Reply reload() {
        api.actions.scheduleReload();
        return Reply.text(202, "reload scheduled");
    }

    /**
     * Validates a restart request. A scheduled one is answered by {@link #scheduleRestart}; an immediate one blocks
     * until postgres is back and runs on the action pool via {@link #restartNow}.
     */
    RestartRequest restartRequest(Map<String, Object> body) {
        NodeSnapshot s = api.board.current();
        return RestartRequests.parse(body, s.paused(), api.clock.now());
    }

    Reply scheduleRestart(RestartRequest r) {
        log.info("scheduling a restart at {}", r.schedule());
        return api.actions.scheduleRestart(r) ? Reply.text(202, "Restart scheduled")
                : Reply.text(409, "Another restart is already scheduled");
    }

    Reply restartNow(RestartRequest r) {
        log.info("restart requested (role={}, postgres_version={}, restart_pending={}, timeout={})", r.role(),
                r.postgresVersion(), r.restartPending(), r.timeoutSeconds());
        ActionOutcome o;
        try {
            o = api.actions.restart(r);
        } catch (RuntimeException e) {
            log.error("restart failed", e);
            return Reply.text(400, "restart failed");
        }
        return Reply.text(o.ok() ? 200 : 503, o.message());
    }

    Reply cancelRestart() {
        return api.actions.cancelScheduledRestart() ? Reply.text(200, "scheduled restart deleted")
                : Reply.text(404, "no restarts are scheduled");
    }

    Reply reinitialize(Map<String, Object> body) {
        boolean force = RequestBody.optionalBoolean(body, "force");
        boolean fromLeader = RequestBody.optionalBoolean(body, "from_leader");
        RequestBody.rejectUnknown(body, "reinitialize", REINITIALIZE_FIELDS);
        log.info("reinitialize requested (force={}, from_leader={})", force, fromLeader);
        ActionOutcome o = api.actions.reinitialize(force, fromLeader);
        return o.ok() ? Reply.text(200, "reinitialize started") : Reply.text(503, o.message());
    }

    /** Before the body is read: 502 unless failsafe mode is on (Patroni checks this first). */
    Reply failsafeDisabled() {
        return api.board.current().dynamic().failsafeMode() ? null
                : Reply.text(502, "failsafe_mode is not enabled in the cluster configuration");
    }

    Reply failsafe(Map<String, Object> body) {
        ActionOutcome o = api.actions.acceptFailsafe(FailsafeHeartbeats.parse(body));
        return o.ok() ? Reply.text(200, "Accepted") : Reply.text(500, o.message());
    }

    /**
     * {@code POST /failover} and {@code /switchover}. An immediate one blocks (on the action pool) until the
     * cluster shows the outcome, at most {@code 2*max(10, loop_wait)} seconds as in Patroni, polling every
     * {@link io.haagent.rest.RestApiOptions#failoverPollInterval()}.
     */
    Reply failover(String action, Map<String, Object> body) {
        ClusterView c = api.actions.readCluster();
        ManualFailover.Intent intent = ManualFailover.validate(action, body, c, api.clock.now());
        log.info("received {} request with leader={} candidate={} scheduled_at={}", intent.action(), intent.leader(),
                intent.candidate(), intent.scheduledAt());
        if (intent.scheduledAt() == null) {
            ManualFailover.Probe probe = ManualFailover.probe(intent, c);
            if (probe.refusal() != null) {
                return Reply.text(412, probe.refusal());
            }
            List<CandidateCheck> checks = api.actions.checkCandidates(c, probe.members());
            String refusal = ManualFailover.refusal(intent, checks);
            if (refusal != null) {
                log.warn("{}", refusal.replace('\n', ';'));
                return Reply.text(412, refusal);
            }
        }
        boolean written;
        try {
            written = api.actions.writeFailover(
                    FailoverRequest.of(intent.leader(), intent.candidate(), intent.scheduledAt()), Dcs.ANY_REVISION);
        } catch (DcsUnavailableException e) {
            written = false;
        }
        if (!written) {
            return Reply.text(503, "failed to write failover key into DCS");
        }
        api.actions.wakeUp();
        if (intent.scheduledAt() != null) {
            return Reply.text(202, intent.title() + " scheduled");
        }
        return awaitOutcome(intent, c.leaderName(), Math.max(10, c.dynamic().loopWait()) * 2L);
    }

    private Reply awaitOutcome(ManualFailover.Intent intent, String oldLeader, long budgetSeconds) {
        long deadline = api.clock.nanoTime() + Duration.ofSeconds(budgetSeconds).toNanos();
        long pause = api.options.failoverPollInterval().toNanos();
        while (api.clock.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(pause);
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                Answer a = ManualFailover.outcome(intent, oldLeader, api.actions.readCluster());
                if (a != null) {
                    log.info("{} outcome: {}", intent.action(), a.message());
                    return Reply.text(a.status(), a.message());
                }
            } catch (DcsUnavailableException e) {
                log.debug("polling the {} outcome: {}", intent.action(), e.getMessage());
            }
        }
        Answer a = ManualFailover.unknown(intent);
        return Reply.text(a.status(), a.message());
    }

    Reply cancelSwitchover() {
        ClusterView c = api.actions.readCluster();
        FailoverRequest f = c.failover();
        if (f == null || f.scheduledAt() == null) {
            return Reply.text(404, "no switchover is scheduled");
        }
        if (!api.actions.writeFailover(FailoverRequest.of(null, null, null), f.modRevision())) {
            return Reply.text(409, "the scheduled switchover changed concurrently; read it again and retry");
        }
        return Reply.text(200, "scheduled switchover deleted");
    }

    /** MPP (Citus) coordinator events: not supported; answered like a Patroni node that is not a coordinator. */
    Reply mpp() {
        return Reply.text(200, "OK");
    }

    /** Patroni's Windows-only test hook; a no-op here as on Linux Patroni. */
    Reply sigterm() {
        return Reply.text(202, "shutdown scheduled");
    }

    static Reply error(Throwable t) {
        Throwable e = t;
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ApiError a) {
            return a.json() != null ? Reply.json(a.status(), Json.bytes(a.json())) : Reply.text(a.status(), a.getMessage());
        }
        if (e instanceof DcsUnavailableException) {
            return Reply.text(503, "DCS is not accessible: " + e.getMessage());
        }
        log.error("unexpected error while handling a REST request", e);
        return Reply.text(500, "internal error: " + e.getClass().getSimpleName());
    }
}
