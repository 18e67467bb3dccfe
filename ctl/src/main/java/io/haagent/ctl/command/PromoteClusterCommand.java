package io.haagent.ctl.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code promote-cluster [CLUSTER] [--force]} (Patroni 4.1): the standby cluster runs standalone again. */
@Command(name = "promote-cluster", description = "Promote cluster, make it run standalone")
public final class PromoteClusterCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = "--force", description = "Do not ask for confirmation at any point")
    boolean force;

    @Override
    int execute() {
        return ClusterRoleChange.run(session, session.clusterName(cluster), force, null);
    }
}
