package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.Prompts;
import io.haagent.ctl.handover.Handover;
import io.haagent.ctl.remote.ClusterStore;
import java.time.OffsetDateTime;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchover [CLUSTER]}: the leader hands over to a replica (the named candidate, else the healthiest one),
 * now or at a scheduled time. agentctl waits for the outcome and prints it with its timing:
 * {@code switched over from pg1 to pg2 in 0.48 s; writes were unavailable for 0.41 s}.
 */
@Command(name = "switchover", description = "Hand the leader role over to a replica, now or at a given time.")
public final class SwitchoverCommand extends HandoverCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = {"--leader", "--primary", "--master"}, paramLabel = "NAME",
            description = "The current leader (checked; default: asked, or the leader with --force)")
    String leader;

    @Option(names = "--candidate", paramLabel = "NAME",
            description = "The member to promote (default: asked, or the healthiest replica with --force)")
    String candidate;

    @Option(names = "--scheduled", paramLabel = "TIME",
            description = "When: ISO 8601 with a time zone (2024-05-01T03:00+02:00), or now (default)")
    String scheduled;

    @Option(names = "--force", description = "Ask nothing")
    boolean force;

    @Override
    int execute() {
        String name = session.clusterName(cluster);
        ClusterStore store = session.store(name);
        ClusterView v = store.readExisting();
        Prompts prompts = session.prompts();

        if (v.leaderName() == null) {
            Handover.checkLeader(v, name, leader); // says there is none
        }
        String from = leader;
        if (from == null && !force) {
            from = prompts.ask(v.dynamic().isStandbyCluster() ? "Standby Leader" : "Primary", v.leaderName(),
                    "--leader (or --force for the current leader)");
        }
        from = Handover.checkLeader(v, name, from);
        Handover.checkSomeoneCanTakeOver(v, name, Handover.SWITCHOVER);
        String to = candidate;
        if (to == null && !force) {
            List<String> c = Handover.candidates(v);
            to = prompts.ask("Candidate " + c, "", "--candidate NAME (or --force for the healthiest replica)");
            to = to == null || to.isBlank() ? null : to;
        }
        if (to != null) {
            Handover.checkCandidate(v, name, Handover.SWITCHOVER, to);
        }
        String when = scheduled;
        if (when == null && !force) {
            when = prompts.ask("When should the switchover take place (e.g. " + nextHour() + " )", "now",
                    "--scheduled TIME (or --force for now)");
        }
        OffsetDateTime at = Handover.schedule(when, Handover.SWITCHOVER, session.clock().now());
        if (at != null && v.isPaused()) {
            throw new CtlException("Can't schedule switchover in the paused state: cluster " + name
                    + " is in maintenance mode (agentctl resume)");
        }
        if (to == null && v.isPaused()) {
            throw new CtlException("cluster " + name + " is paused: a switchover then needs --candidate");
        }
        Request r = new Request(Handover.SWITCHOVER, name, from, to, at, memberOrFail(v, name, from, "the leader"));
        session.out().println("Current cluster topology");
        Listing.print(session, name, store, v);
        confirm(prompts, force, r);
        return send(store, v, r);
    }
}
