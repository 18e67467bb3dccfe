package io.haagent.ctl.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resume [CLUSTER]}: leave maintenance mode (PATCH /config {"pause": null}). */
@Command(name = "resume", description = "Resume automatic failover (leave maintenance mode).")
public final class ResumeCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = "--wait", description = "Wait until every member shows the new state")
    boolean wait;

    @Override
    int execute() {
        return PauseCommand.toggle(session, session.clusterName(cluster), false, wait);
    }
}
