package io.haagent.ctl.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.Prompts;
import io.haagent.ctl.UsageException;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reinit CLUSTER MEMBER...}: wipe replicas and clone them again from the leader. With {@code --wait},
 * returns once each is running again on a new postmaster (or says which did not make it).
 */
@Command(name = "reinit", description = "Rebuild replicas from the leader (pg_basebackup).")
public final class ReinitCommand extends CtlCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "Cluster name")
    String cluster;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER", description = "Replicas to rebuild")
    List<String> members = new ArrayList<>();

    @Option(names = "--force", description = "Ask nothing; cancel an action already running on the member")
    boolean force;

    @Option(names = "--from-leader", description = "Get basebackup from leader")
    boolean fromLeader;

    @Option(names = "--wait", description = "Wait until the rebuilt members run again")
    boolean wait;

    @Override
    int execute() {
        ClusterStore store = session.store(cluster);
        ClusterView v = store.readExisting();
        Prompts prompts = session.prompts();
        List<String> names = members;
        Listing.printBeforeQuestions(session, cluster, store, v, force);
        if (names.isEmpty()) {
            if (force || !prompts.interactive()) {
                throw new UsageException("name the replicas to reinitialize (e.g. agentctl reinit " + cluster + " "
                        + MemberSelection.withRole(v, "replica").stream().map(Member::name).findFirst().orElse("pg2")
                        + ")");
            }
            names = List.of(prompts.ask("Which member do you want to reinitialize ["
                    + MemberSelection.names(MemberSelection.withRole(v, "replica")) + "]?", "", "MEMBER"));
        }
        List<Member> chosen = MemberSelection.select(v, cluster, names, "replica");
        if (!force) {
            prompts.confirm("Are you sure you want to reinitialize members " + MemberSelection.names(chosen) + "?",
                    "--force", "Aborted reinitialize");
        }
        Map<String, String> startedBefore = new LinkedHashMap<>();
        List<Member> started = new ArrayList<>();
        int failed = 0;
        for (Member m : chosen) {
            MemberApi.Status before = session.api().status(m);
            startedBefore.put(m.name(), before.answered() ? before.document().path("postmaster_start_time").asText("")
                    : "");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("force", force);
            body.put("from_leader", fromLeader);
            MemberApi.Reply r = session.api().send(m, "POST", "reinitialize", body, session.apiTimeout());
            if (r.status() >= 400 && r.body().strip().endsWith("already in progress") && !force
                    && prompts.interactive()) {
                prompts.confirm("Do you want to cancel it and reinitialize anyway?", "--force",
                        "Aborted reinitialize of " + m.name());
                body.put("force", true);
                r = session.api().send(m, "POST", "reinitialize", body, session.apiTimeout());
            }
            if (r.status() >= 400) {
                session.err().println("Failed: reinitialize for member " + m.name() + ", status code=" + r.status()
                        + ", (" + r.body().strip() + ")" + (r.body().contains("already in progress")
                                ? " (--force cancels it)" : ""));
                failed++;
            } else {
                session.out().println("Success: reinitialize for member " + m.name());
                started.add(m);
            }
        }
        if (wait && !started.isEmpty()) {
            failed += await(started, startedBefore);
        }
        return failed == 0 ? 0 : 1;
    }

    /**
     * Polls each member until postgres runs on a new postmaster (a rebuilt replica always starts a new one) or a
     * state says the rebuild failed. No overall limit: cloning a large database takes as long as it takes.
     */
    private int await(List<Member> waiting, Map<String, String> startedBefore) {
        session.out().println("Waiting for reinitialize to complete on: " + MemberSelection.names(waiting));
        List<Member> left = new ArrayList<>(waiting);
        int failed = 0;
        while (!left.isEmpty()) {
            HandoverCommand.pause(Duration.ofSeconds(1));
            for (Member m : List.copyOf(left)) {
                MemberApi.Status st = session.api().status(m);
                if (!st.answered()) {
                    continue;
                }
                JsonNode d = st.document();
                String state = d.path("state").asText("");
                String start = d.path("postmaster_start_time").asText("");
                if (state.equals("running") && !start.isEmpty() && !start.equals(startedBefore.get(m.name()))) {
                    session.out().println("Reinitialize is completed on: " + m.name());
                    left.remove(m);
                } else if (state.contains("failed")) {
                    session.err().println("Failed: reinitialize of " + m.name() + " ended in state '" + state + "'");
                    left.remove(m);
                    failed++;
                }
            }
        }
        return failed;
    }
}
