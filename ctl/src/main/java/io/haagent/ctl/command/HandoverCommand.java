package io.haagent.ctl.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.Prompts;
import io.haagent.ctl.handover.Handover;
import io.haagent.ctl.handover.HandoverReport;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import io.haagent.dcs.codec.FailoverCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What switchover and failover share: check everything on one snapshot, ask what was not given (only on a
 * terminal, never with --force), send the request to the node that acts on it, then wait for the outcome and print
 * it with its timing, or print why it was refused, member by member.
 */
abstract class HandoverCommand extends CtlCommand {

    /** A checked request: what to send, and to whom. */
    record Request(String action, String cluster, String leader, String candidate, OffsetDateTime scheduledAt,
            Member target) {
        Map<String, Object> body() {
            Map<String, Object> b = new LinkedHashMap<>();
            if (leader != null && Handover.SWITCHOVER.equals(action)) {
                b.put("leader", leader);
            }
            if (candidate != null) {
                b.put("candidate", candidate);
            }
            if (scheduledAt != null) {
                b.put("scheduled_at", FailoverCodec.isoformat(scheduledAt));
            }
            return b;
        }
    }

    /** The prompt's example time: an hour from now, as patronictl offers it. */
    static String nextHour() {
        return LocalDateTime.now().plusHours(1).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm"));
    }

    static Member memberOrFail(ClusterView v, String cluster, String name, String what) {
        return v.member(name).orElseThrow(() -> new CtlException(what + " " + name + " has no member key in"
                + " cluster " + cluster + ": its REST API cannot be found"));
    }

    void confirm(Prompts prompts, boolean force, Request r) {
        if (force) {
            return;
        }
        String demote = r.leader() == null ? "" : ", demoting current leader " + r.leader();
        if (r.scheduledAt() != null) {
            prompts.confirm("Are you sure you want to schedule " + r.action() + " of cluster " + r.cluster() + " at "
                    + FailoverCodec.isoformat(r.scheduledAt()) + demote + "?", "--force",
                    "Aborting scheduled " + r.action());
        } else {
            prompts.confirm("Are you sure you want to " + r.action() + " cluster " + r.cluster() + demote + "?",
                    "--force", "Aborting " + r.action());
        }
    }

    /** Sends the request and reports the outcome. */
    int send(ClusterStore store, ClusterView before, Request r) {
        int loopWait = before.dynamic().loopWait();
        // the node answers once the leader changed, after at most 2*max(10, loop_wait) seconds (as Patroni polls)
        Duration nodeWaits = Duration.ofSeconds(2L * Math.max(10, loopWait));
        Instant requestedAt = session.clock().now();
        MemberApi.Reply reply = session.api().send(r.target(), "POST", r.action(), r.body(),
                nodeWaits.plus(session.apiTimeout()).plusSeconds(5));
        String body = reply.body() == null ? "" : reply.body().strip();
        if (reply.status() == 202) {
            session.out().println(Listing.timestamp() + " " + body);
            session.out().println(r.action().substring(0, 1).toUpperCase() + r.action().substring(1)
                    + " scheduled at " + FailoverCodec.isoformat(r.scheduledAt()) + ": from " + r.leader() + " to "
                    + (r.candidate() == null ? "the healthiest replica" : r.candidate()));
            return 0;
        }
        if (reply.status() == 412) {
            List<String> lines = HandoverReport.refusal(body, before,
                    r.candidate() == null ? Handover.candidates(before) : List.of(r.candidate()));
            StringBuilder b = new StringBuilder(r.action() + " refused by " + r.target().name() + ": " + lines.get(0));
            lines.subList(1, lines.size()).forEach(l -> b.append("\n  ").append(l));
            b.append("\nnothing was changed");
            throw new CtlException(b.toString());
        }
        if (reply.status() != 200) {
            throw new CtlException(r.action() + " failed: " + r.target().name() + " answered " + reply.status() + ": "
                    + body.replace('\n', ' ') + lastDecision(r.target()));
        }
        // 200: the leader key moved. Wait until the new leader runs as primary, then tell how long it all took.
        String oldLeader = before.leaderName();
        Instant deadline = requestedAt.plus(nodeWaits).plusSeconds(10);
        String newLeader = null;
        JsonNode newStatus = null;
        ClusterView now = before;
        Instant runningSince = null;
        while (session.clock().now().isBefore(deadline)) {
            now = store.read();
            String l = now.leaderName();
            if (l != null && !l.equals(oldLeader) && now.member(l).isPresent()) {
                MemberApi.Status st = session.api().status(now.member(l).get());
                if (st.answered() && st.document().path("role").asText("").matches("master|primary")
                        && "running".equals(st.document().path("state").asText())) {
                    runningSince = runningSince == null ? session.clock().now() : runningSince;
                    // ha-agent completes its role-change record just after postgres reports the new role: wait for
                    // it (briefly) so the timing is the node's own; nodes without records are done at once
                    if (HandoverReport.settled(st.document(), requestedAt)
                            || session.clock().now().isAfter(runningSince.plusSeconds(3))) {
                        newLeader = l;
                        newStatus = st.document();
                        break;
                    }
                }
            }
            pause(Duration.ofMillis(100));
        }
        if (newLeader == null) {
            throw new CtlException(r.target().name() + " answered \"" + body + "\" but no new leader was seen running as"
                    + " primary within " + Duration.between(requestedAt, deadline).toSeconds() + " s; check 'agentctl"
                    + " list'");
        }
        Instant observedAt = session.clock().now();
        JsonNode oldStatus = null;
        if (oldLeader != null && now.member(oldLeader).isPresent()) {
            MemberApi.Status st = session.api().status(now.member(oldLeader).get());
            oldStatus = st.document();
        }
        session.out().println(HandoverReport.describe(r.action(), oldLeader, newLeader, requestedAt, observedAt,
                newStatus, oldStatus));
        Listing.print(session, r.cluster(), store, store.read());
        return 0;
    }

    /** The node's last decision (ha-agent publishes it in /patroni), to explain a failure; empty when unknown. */
    private String lastDecision(Member m) {
        try {
            MemberApi.Status st = session.api().status(m);
            String summary = st.answered() ? st.document().path("last_decision").path("summary").asText("") : "";
            return summary.isEmpty() ? "" : " (" + m.name() + "'s last decision: " + summary + ")";
        } catch (CtlException e) {
            return "";
        }
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted while waiting for the outcome");
        }
    }
}
