package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code reload CLUSTER [MEMBER...]}: each node re-reads its configuration file (as on SIGHUP). */
@Command(name = "reload", description = "Make members re-read their configuration file.")
public final class ReloadCommand extends CtlCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "Cluster name")
    String cluster;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER", description = "Members (default: all)")
    List<String> members = new ArrayList<>();

    @Option(names = {"-r", "--role"}, paramLabel = "ROLE", defaultValue = "any",
            description = "Only members with this role: leader, primary, standby-leader, replica, standby, any")
    String role;

    @Option(names = "--force", description = "Ask nothing")
    boolean force;

    @Override
    int execute() {
        ClusterStore store = session.store(cluster);
        ClusterView v = store.readExisting();
        List<Member> chosen = MemberSelection.select(v, cluster, members, MemberSelection.role(role));
        Listing.printBeforeQuestions(session, cluster, store, v, force);
        if (!force) {
            session.prompts().confirm("Are you sure you want to reload members " + MemberSelection.names(chosen) + "?",
                    "--force", "Aborted reload");
        }
        int failed = 0;
        for (Member m : chosen) {
            MemberApi.Reply r = session.api().send(m, "POST", "reload", null, session.apiTimeout());
            if (r.status() == 200) {
                session.out().println("No changes to apply on member " + m.name());
            } else if (r.status() == 202) {
                session.out().println("Reload request received for member " + m.name()
                        + " and will be processed within " + v.dynamic().loopWait() + " seconds");
            } else {
                session.err().println("Failed: reload for member " + m.name() + ", status code=" + r.status() + ", ("
                        + r.body().strip() + ")");
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
