package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.Session;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pause [CLUSTER]}: maintenance mode, no automatic failover (PATCH /config {"pause": true}). */
@Command(name = "pause", description = "Stop automatic failover (maintenance mode).")
public final class PauseCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = "--wait", description = "Wait until every member shows the new state")
    boolean wait;

    @Override
    int execute() {
        return toggle(session, session.clusterName(cluster), true, wait);
    }

    /** patronictl's toggle_pause, with the wait bounded and its outcome in the exit status. */
    static int toggle(Session session, String cluster, boolean paused, boolean wait) {
        ClusterStore store = session.store(cluster);
        ClusterView v = store.readExisting();
        if (v.isPaused() == paused) {
            throw new CtlException("Cluster " + cluster + " is " + (paused ? "already paused" : "not paused"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pause", paused ? Boolean.TRUE : null);
        List<String> problems = new ArrayList<>();
        for (Member m : FlushCommand.leaderFirst(v)) {
            MemberApi.Reply r;
            try {
                r = session.api().send(m, "PATCH", "config", body, session.apiTimeout());
            } catch (CtlException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (r.status() != 200) {
                throw new CtlException((paused ? "pause" : "resume") + " failed: " + m.name() + " answered "
                        + r.status() + " (" + r.body().strip() + ")");
            }
            if (wait) {
                return await(session, store, v, paused);
            }
            session.out().println("Success: cluster management is " + (paused ? "paused" : "resumed"));
            return 0;
        }
        throw new CtlException("no member of cluster " + cluster + " answered: " + String.join("; ", problems));
    }

    /** Until every member that was there publishes the new pause flag, for at most loop_wait + 1 s... and a bit. */
    private static int await(Session session, ClusterStore store, ClusterView before, boolean paused) {
        session.out().println("'" + (paused ? "pause" : "resume")
                + "' request sent, waiting until it is recognized by all nodes");
        List<String> names = before.members().stream().filter(m -> m.apiUrl() != null).map(Member::name).toList();
        int seconds = before.dynamic().loopWait() + 1;
        Instant end = session.clock().now().plusSeconds(seconds * 2L);
        List<String> remaining = names;
        while (true) {
            ClusterView now = store.read();
            remaining = names.stream().filter(n -> now.member(n).map(m -> m.pause() != paused).orElse(false))
                    .toList();
            if (remaining.isEmpty()) {
                session.out().println("Success: cluster management is " + (paused ? "paused" : "resumed"));
                return 0;
            }
            if (!session.clock().now().isBefore(end)) {
                throw new CtlException(String.join(", ", remaining) + " did not recognize the "
                        + (paused ? "pause" : "resume") + " within " + seconds * 2 + " seconds (the configuration"
                        + " is written; check 'agentctl list')");
            }
            HandoverCommand.pause(Duration.ofMillis(500));
        }
    }
}
