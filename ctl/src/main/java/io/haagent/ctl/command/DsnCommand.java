package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.UsageException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsn [CLUSTER]}: {@code host=H port=P} of the leader, of a member with a role, or of a named member. */
@Command(name = "dsn", description = "Print a libpq connection string of the leader (or a member).")
public final class DsnCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = {"-r", "--role"}, paramLabel = "ROLE", description = "A member with this role")
    String role;

    @Option(names = {"-m", "--member"}, paramLabel = "NAME", description = "This member")
    String member;

    @Override
    int execute() {
        String name = session.clusterName(cluster);
        ClusterView v = session.store(name).readExisting();
        Member m = pick(v, name, role, member);
        if (m.host() == null) {
            throw new CtlException(m.name() + " publishes no usable conn_url (" + m.connUrl() + ")");
        }
        session.out().println("host=" + m.host() + " port=" + m.port());
        return 0;
    }

    /** patronictl's get_any_member: the named member, else the first with the role (default: the leader). */
    static Member pick(ClusterView v, String cluster, String role, String member) {
        if (member != null && role != null) {
            throw new UsageException("--role and --member are mutually exclusive options");
        }
        if (member != null) {
            return MemberSelection.select(v, cluster, List.of(member), "any").get(0);
        }
        String r = MemberSelection.role(role == null ? "leader" : role);
        List<Member> ms = MemberSelection.withRole(v, r);
        if (ms.isEmpty()) {
            throw new CtlException("cluster " + cluster + " has no member with role " + r
                    + (v.leaderName() == null ? " (it has no leader)" : ""));
        }
        return ms.get(0);
    }
}
