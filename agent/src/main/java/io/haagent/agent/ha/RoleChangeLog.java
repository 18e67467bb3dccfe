package io.haagent.agent.ha;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.ha.RoleChangeRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one structured log line of a role-changing decision (safety rule 5). */
final class RoleChangeLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RoleChangeLog() {
    }

    static String json(RoleChangeRecord r, String node, Instant at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", at.toString());
        m.put("node", node);
        m.put("kind", r.kind().label());
        m.put("decision", r.decision());
        m.put("leader_before", r.leaderBefore());
        m.put("cluster_timeline", r.clusterTimeline());
        m.put("last_leader_lsn", io.haagent.cluster.Lsn.of(r.lastLeaderLsn()).toString());
        List<Map<String, Object>> cs = new ArrayList<>();
        for (RoleChangeRecord.Candidate c : r.candidates()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", c.name());
            x.put("lsn", io.haagent.cluster.Lsn.of(c.walPosition()).toString());
            x.put("lag", c.lag());
            x.put("timeline", c.timeline());
            x.put("failover_priority", c.failoverPriority());
            x.put("nofailover", c.nofailover());
            x.put("chosen_over_me", c.eligible());
            x.put("reason", c.reason());
            cs.add(x);
        }
        m.put("candidates", cs);
        try {
            return JSON.writeValueAsString(m);
        } catch (Exception e) {
            return m.toString();
        }
    }
}
