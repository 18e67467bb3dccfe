package io.haagent.ctl.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.api.Version;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.remote.MemberApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code version [CLUSTER [MEMBER...]]}: agentctl's version, then each member's agent and PostgreSQL versions. */
@Command(name = "version", description = "Print agentctl's version and, given a cluster, its members' versions.")
public final class VersionCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name")
    String cluster;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER", description = "Members (default: all)")
    List<String> members = new ArrayList<>();

    @Override
    int execute() {
        session.out().println("agentctl version " + Version.AGENT + " (patronictl " + Version.PATRONI_COMPATIBLE
                + " compatible)");
        if (cluster == null) {
            return 0;
        }
        session.out().println();
        ClusterView v = session.store(cluster).readExisting();
        List<Member> chosen = members.isEmpty() ? v.members()
                : MemberSelection.select(v, cluster, members, "any");
        Map<String, MemberApi.Status> st = session.api().statusOfAll(chosen, session.apiTimeout());
        int failed = 0;
        for (Member m : chosen) {
            MemberApi.Status s = st.get(m.name());
            if (!s.answered()) {
                session.out().println(m.name() + ": failed to get version: " + s.problem());
                failed++;
                continue;
            }
            JsonNode d = s.document();
            String version = d.path("patroni").path("version").asText("unknown");
            int pg = d.path("server_version").asInt(0);
            session.out().println(m.name() + ": Patroni " + version + (pg > 0 ? " PostgreSQL " + pgVersion(pg) : ""));
        }
        return failed == 0 ? 0 : 1;
    }

    static String pgVersion(int v) {
        return v < 100000 ? (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100) : (v / 10000) + "." + (v % 100);
    }
}
