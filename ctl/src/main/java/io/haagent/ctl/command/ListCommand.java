package io.haagent.ctl.command;

import io.haagent.ctl.output.Format;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code list [CLUSTER...]}: the members of each cluster as patronictl lists them, plus the lag in bytes and in
 * seconds; a member whose API is silent or whose key is no longer renewed says so in State. With {@code -W} or
 * {@code -w SEC} the table is redrawn in place (on a terminal) until interrupted.
 */
@Command(name = "list", description = "List the members of a cluster (default: the configuration's scope).")
public final class ListCommand extends CtlCommand {
    @Parameters(arity = "0..*", paramLabel = "CLUSTER", description = "Cluster names (default: scope)")
    List<String> clusters = new ArrayList<>();

    @Option(names = {"-e", "--extended"}, description = "Always show pending restarts, scheduled restarts and tags")
    boolean extended;

    @Option(names = {"-t", "--timestamp"}, description = "Print a timestamp before the table")
    boolean timestamp;

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", converter = Format.Converter.class,
            paramLabel = "FORMAT", description = "pretty, tsv, json or yaml (default: pretty)")
    Format format;

    @Option(names = "-W", description = "Refresh every 2 seconds")
    boolean watchEvery2;

    @Option(names = {"-w", "--watch"}, paramLabel = "SECONDS", description = "Refresh every SECONDS")
    Double watch;

    @Override
    int execute() throws InterruptedException {
        return Watch.loop(session, watchEvery2, watch, () -> {
            String tables = Listing.screens(session, clusters, extended, format, false);
            return timestamp ? Listing.timestamp() + "\n" + tables : tables;
        });
    }
}
