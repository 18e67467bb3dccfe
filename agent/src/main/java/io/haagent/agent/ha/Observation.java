package io.haagent.agent.ha;

import io.haagent.ha.LocalState;
import io.haagent.pg.ControlData;
import io.haagent.pg.ServerStatus;

/**
 * What the loop read about the local node this cycle: the decider's view ({@link LocalState}) plus the raw
 * monitoring result for the member key and the REST snapshot.
 *
 * @param status      the monitoring query's result, null when postgres is down or the query failed
 * @param queryFailed postgres runs, is not starting, and the monitoring query failed: skip deciding this cycle
 */
public record Observation(LocalState local, ServerStatus status, ControlData controlData, boolean queryFailed,
        String queryError) {
}
