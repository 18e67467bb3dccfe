package io.haagent.ctl.command;

import io.haagent.ctl.output.Format;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code topology [CLUSTER...]}: the member list with replicas indented under the member they replicate from. */
@Command(name = "topology", description = "Show the members as a replication tree.")
public final class TopologyCommand extends CtlCommand {
    @Parameters(arity = "0..*", paramLabel = "CLUSTER", description = "Cluster names (default: scope)")
    List<String> clusters = new ArrayList<>();

    @Option(names = "-W", description = "Refresh every 2 seconds")
    boolean watchEvery2;

    @Option(names = {"-w", "--watch"}, paramLabel = "SECONDS", description = "Refresh every SECONDS")
    Double watch;

    @Override
    int execute() throws InterruptedException {
        return Watch.loop(session, watchEvery2, watch,
                () -> Listing.screens(session, clusters, false, Format.PRETTY, true));
    }
}
