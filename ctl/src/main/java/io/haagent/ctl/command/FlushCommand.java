package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.UsageException;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flush CLUSTER [MEMBER...] restart|switchover}: cancel scheduled restarts, or the scheduled switchover
 * (through the leader's API; when no member answers, by clearing the failover key with a CAS write).
 */
@Command(name = "flush", description = "Cancel scheduled restarts or the scheduled switchover.")
public final class FlushCommand extends CtlCommand {
    @Parameters(arity = "2..*", paramLabel = "CLUSTER [MEMBER...] restart|switchover",
            description = "Cluster name, optional members, then what to cancel: restart or switchover")
    List<String> args = new ArrayList<>();

    @Option(names = {"-r", "--role"}, paramLabel = "ROLE", defaultValue = "any",
            description = "Only members with this role (restart)")
    String role;

    @Option(names = "--force", description = "Ask nothing")
    boolean force;

    @Override
    int execute() {
        String cluster = args.get(0);
        String target = args.get(args.size() - 1);
        List<String> names = args.subList(1, args.size() - 1);
        if (!target.equals("restart") && !target.equals("switchover")) {
            throw new UsageException("flush cancels 'restart' or 'switchover', not '" + target + "' (it comes last:"
                    + " agentctl flush CLUSTER [MEMBER...] restart)");
        }
        ClusterStore store = session.store(cluster);
        ClusterView v = store.readExisting();
        if (target.equals("restart")) {
            List<Member> chosen = MemberSelection.select(v, cluster, names, MemberSelection.role(role));
            Listing.printBeforeQuestions(session, cluster, store, v, force);
            if (!force) {
                session.prompts().confirm("Are you sure you want to flush members " + MemberSelection.names(chosen)
                        + "?", "--force", "Aborted flush");
            }
            int failed = 0;
            for (Member m : chosen) {
                if (m.scheduledRestart() == null) {
                    session.out().println("No scheduled restart for member " + m.name());
                    continue;
                }
                MemberApi.Reply r = session.api().send(m, "DELETE", "restart", null, session.apiTimeout());
                if (r.status() >= 400) {
                    session.err().println("Failed: flush scheduled restart for member " + m.name() + ", status code="
                            + r.status() + ", (" + r.body().strip() + ")");
                    failed++;
                } else {
                    session.out().println("Success: flush scheduled restart for member " + m.name());
                }
            }
            return failed == 0 ? 0 : 1;
        }
        if (!names.isEmpty()) {
            throw new UsageException("flush switchover takes no member names");
        }
        FailoverRequest f = v.failover();
        if (f == null || f.scheduledAt() == null) {
            session.out().println("No pending scheduled switchover");
            return 0;
        }
        List<String> problems = new ArrayList<>();
        for (Member m : leaderFirst(v)) {
            try {
                MemberApi.Reply r = session.api().send(m, "DELETE", "switchover", null, session.apiTimeout());
                if (r.status() == 200) {
                    session.out().println("Success: " + r.body().strip());
                    return 0;
                }
                if (r.status() == 404) {
                    session.out().println("Failed: " + r.body().strip());
                    return 1;
                }
                problems.add(m.name() + " answered " + r.status() + " (" + r.body().strip() + ")");
            } catch (CtlException e) {
                problems.add(e.getMessage());
            }
        }
        // nobody answered: clear the key ourselves, only if it still holds the request we read
        if (store.writeFailover(FailoverRequest.of(null, null, null), f.modRevision())) {
            session.out().println("Success: scheduled switchover deleted (no member answered: " + String.join("; ",
                    problems) + "; the failover key was cleared in etcd)");
            return 0;
        }
        throw new CtlException("the scheduled switchover changed while it was being cancelled; nothing was written:"
                + " check 'agentctl list " + cluster + "'");
    }

    static List<Member> leaderFirst(ClusterView v) {
        List<Member> out = new ArrayList<>();
        v.leaderMember().filter(m -> m.apiUrl() != null).ifPresent(out::add);
        for (Member m : v.members()) {
            if (m.apiUrl() != null && !out.contains(m)) {
                out.add(m);
            }
        }
        return out;
    }
}
