package io.haagent.ctl.members;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.dcs.etcd.LeaseTtl;

/**
 * What agentctl learned about a member beyond its key: the {@code GET /patroni} document (or why there is none)
 * and the state of the lease its key hangs on.
 *
 * @param status     the status document, or null when the API did not answer (or was not asked)
 * @param apiProblem why there is no document; null when it answered or was not asked
 * @param lease      the key's lease as etcd reports it, or null when unknown
 */
public record Liveness(JsonNode status, String apiProblem, LeaseTtl lease) {
    public static final Liveness UNKNOWN = new Liveness(null, null, null);
}
