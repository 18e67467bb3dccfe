package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.ctl.Prompts;
import io.haagent.ctl.UsageException;
import io.haagent.ctl.handover.Handover;
import io.haagent.ctl.remote.ClusterStore;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code failover [CLUSTER] --candidate NAME}: promote that member now, whether or not the cluster has a healthy
 * leader (with one, it demotes first). As switchover, agentctl waits and prints the outcome with its timing.
 */
@Command(name = "failover", description = "Promote a given member now (the leader, if any, steps down).")
public final class FailoverCommand extends HandoverCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = {"--leader", "--primary", "--master"}, paramLabel = "NAME", hidden = true,
            description = "Deprecated: naming the leader makes this a switchover")
    String leader;

    @Option(names = "--candidate", paramLabel = "NAME", description = "The member to promote (default: asked)")
    String candidate;

    @Option(names = "--force", description = "Ask nothing")
    boolean force;

    @Override
    int execute() {
        String name = session.clusterName(cluster);
        ClusterStore store = session.store(name);
        ClusterView v = store.readExisting();
        Prompts prompts = session.prompts();

        String action = Handover.FAILOVER;
        String from = v.leaderName();
        if (leader != null) {
            // patronictl: a failover that names the leader is a switchover
            action = Handover.SWITCHOVER;
            from = Handover.checkLeader(v, name, leader);
        }
        Handover.checkSomeoneCanTakeOver(v, name, action);
        String to = candidate;
        if (to == null && !force) {
            List<String> c = Handover.candidates(v);
            to = prompts.ask("Candidate " + c, "", "--candidate NAME");
            to = to == null || to.isBlank() ? null : to;
        }
        if (to == null) {
            throw new UsageException("a failover needs --candidate NAME (a failover goes to a specific member; for"
                    + " the healthiest replica use switchover)");
        }
        Handover.checkCandidate(v, name, action, to);
        if (!force && v.dynamic().synchronousModeEffective() && !v.sync().isEmpty() && !v.sync().matches(to)) {
            prompts.confirm("Are you sure you want to failover to the asynchronous node " + to + "?", "--force",
                    "Aborting " + action);
        }
        Request r = new Request(action, name, from, to, null,
                from != null ? memberOrFail(v, name, from, "the leader") : memberOrFail(v, name, to, "the candidate"));
        session.out().println("Current cluster topology");
        Listing.print(session, name, store, v);
        confirm(prompts, force, r);
        return send(store, v, r);
    }
}
