package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.Prompts;
import io.haagent.ctl.UsageException;
import io.haagent.ctl.output.Format;
import io.haagent.ctl.remote.ClusterStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code remove CLUSTER}: delete every key of the cluster from etcd (the nodes' data stays). patronictl's three
 * questions: the cluster name (here it must be typed again, or given by being on the command line with
 * {@code --force}), "Yes I am aware", and, when the cluster has a leader, the leader's name ({@code --leader}).
 */
@Command(name = "remove", description = "Delete the cluster's keys from etcd.")
public final class RemoveCommand extends CtlCommand {
    static final String AWARE = "Yes I am aware";

    @Parameters(index = "0", paramLabel = "CLUSTER", description = "Cluster name (required: no default)")
    String cluster;

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", converter = Format.Converter.class,
            paramLabel = "FORMAT", description = "Format of the member table shown first")
    Format format;

    @Option(names = "--leader", paramLabel = "NAME",
            description = "The current leader's name: required to remove a cluster that has one")
    String leader;

    @Option(names = "--force", description = "Ask nothing (a cluster with a leader still needs --leader)")
    boolean force;

    @Override
    int execute() {
        ClusterStore store = session.store(cluster);
        ClusterView v = store.readExisting();
        String current = v.leaderName();
        if (current != null && leader != null && !current.equals(leader)) {
            throw new CtlException("--leader " + leader + ": the leader of cluster " + cluster + " is " + current
                    + "; nothing was removed");
        }
        if (current != null && leader == null && force) {
            throw new UsageException("cluster " + cluster + " has a leader (" + current + "): add --leader " + current
                    + " to confirm you mean to remove a running cluster");
        }
        Prompts prompts = session.prompts();
        if (!force && !prompts.interactive()) {
            throw new UsageException("remove asks three questions and there is no terminal to ask them: add --force"
                    + (current == null ? "" : " --leader " + current));
        }
        session.out().println(Listing.render(session, cluster, Listing.gather(session, store, v), false, format,
                false));
        if (!force) {
            String typed = prompts.ask("Please confirm the cluster name to remove", "", "--force");
            if (!cluster.equals(typed)) {
                throw new CtlException("Cluster names specified do not match; nothing was removed");
            }
            String aware = prompts.ask("You are about to remove all information in DCS for " + cluster
                    + ", please type: \"" + AWARE + "\"", "", "--force");
            if (!AWARE.equals(aware)) {
                throw new CtlException("You did not exactly type \"" + AWARE + "\"; nothing was removed");
            }
            if (current != null && leader == null) {
                String named = prompts.ask("This cluster currently is healthy. Please specify the leader name to"
                        + " continue", "", "--leader");
                if (!current.equals(named)) {
                    throw new CtlException("You did not specify the current leader of the cluster (" + named
                            + " is not the leader); nothing was removed");
                }
            }
        }
        store.deleteCluster();
        session.out().println("Removed every key under " + store.prefix());
        return 0;
    }
}
