package io.haagent.ctl.command;

import io.haagent.api.RestartRequest;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.Prompts;
import io.haagent.ctl.handover.Handover;
import io.haagent.ctl.remote.ClusterStore;
import io.haagent.ctl.remote.MemberApi;
import io.haagent.dcs.codec.FailoverCodec;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code restart CLUSTER [MEMBER...]}: restart postgres on members, now or at a time, with patronictl's filters. */
@Command(name = "restart", description = "Restart PostgreSQL on members (now or scheduled).")
public final class RestartCommand extends CtlCommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "Cluster name")
    String cluster;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MEMBER", description = "Members (default: all with the role)")
    List<String> members = new ArrayList<>();

    @Option(names = {"-r", "--role"}, paramLabel = "ROLE", defaultValue = "any",
            description = "Only members with this role: leader, primary, standby-leader, replica, standby, any")
    String role;

    @Option(names = "--any", description = "Restart one member picked at random among those selected")
    boolean any;

    @Option(names = "--scheduled", paramLabel = "TIME", description = "When: ISO 8601 with a time zone, or now")
    String scheduled;

    @Option(names = "--pg-version", paramLabel = "VERSION",
            description = "Only if the running PostgreSQL is older than this (e.g. 15.5)")
    String pgVersion;

    @Option(names = "--pending", description = "Only members with a pending restart")
    boolean pending;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "Give up waiting for postgres to start after this long (then fail over if needed)")
    String timeout;

    @Option(names = "--force", description = "Ask nothing (replaces an existing scheduled restart)")
    boolean force;

    @Override
    int execute() {
        ClusterStore store = session.store(cluster);
        ClusterView v = store.readExisting();
        List<Member> chosen = MemberSelection.select(v, cluster, members, MemberSelection.role(role));
        Prompts prompts = session.prompts();
        // what the command line says is checked before anything is shown or asked
        OffsetDateTime at = scheduled == null ? null : Handover.schedule(scheduled, "restart", session.clock().now());
        checkVersion(pgVersion);
        if (timeout != null) {
            seconds(timeout);
        }
        Listing.printBeforeQuestions(session, cluster, store, v, force);
        if (scheduled == null && !force) {
            String when = prompts.ask("When should the restart take place (e.g. " + HandoverCommand.nextHour() + ")",
                    "now", "--scheduled TIME (or --force for now)");
            at = Handover.schedule(when, "restart", session.clock().now());
        }
        if (at != null && v.isPaused()) {
            throw new CtlException("Can't schedule restart in the paused state: cluster " + cluster
                    + " is in maintenance mode (agentctl resume)");
        }
        if (!force) {
            prompts.confirm(at == null ? "Are you sure you want to restart members " + MemberSelection.names(chosen) + "?"
                    : "Are you sure you want to schedule restart of members " + MemberSelection.names(chosen) + " at "
                            + FailoverCodec.isoformat(at) + "?", "--force", "Aborted restart");
        }
        if (any) {
            List<Member> shuffled = new ArrayList<>(chosen);
            Collections.shuffle(shuffled);
            chosen = shuffled.subList(0, 1);
        }
        String version = pgVersion;
        if (version == null && !force) {
            version = prompts.ask("Restart if the PostgreSQL version is less than provided (e.g. 15.5)", "",
                    "--pg-version VERSION (or --force for any version)");
            checkVersion(version);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (pending) {
            body.put("restart_pending", true);
        }
        if (version != null && !version.isBlank()) {
            body.put("postgres_version", version);
        }
        if (at != null) {
            body.put("schedule", FailoverCodec.isoformat(at));
        }
        Duration wait = Duration.ofSeconds(360);
        if (timeout != null) {
            long seconds = seconds(timeout);
            body.put("timeout", timeout);
            wait = Duration.ofSeconds(seconds + 60);
        }
        int failed = 0;
        for (Member m : chosen) {
            if (body.containsKey("schedule") && force && m.scheduledRestart() != null) {
                MemberApi.Reply r = session.api().send(m, "DELETE", "restart", null, session.apiTimeout());
                if (r.status() >= 400) {
                    session.err().println("Failed: flush scheduled restart for member " + m.name() + ", status code="
                            + r.status() + ", (" + r.body().strip() + ")");
                }
            }
            // an immediate restart answers when postgres is back (or the restart failed)
            MemberApi.Reply r = session.api().send(m, "POST", "restart", body,
                    at == null ? wait : session.apiTimeout());
            switch (r.status()) {
                case 200 -> session.out().println("Success: restart on member " + m.name());
                case 202 -> session.out().println("Success: restart scheduled on member " + m.name());
                case 503 -> {
                    if (r.body().contains("restart conditions are not satisfied")) {
                        // the filters (--pending, --pg-version, --role) said no: nothing to do there
                        session.out().println("Skipped: member " + m.name() + " does not match the restart conditions"
                                + conditions(body));
                    } else {
                        session.err().println("Failed: restart for member " + m.name() + ", status code=503, ("
                                + r.body().strip() + ")");
                        failed++;
                    }
                }
                case 409 -> {
                    session.err().println("Failed: another restart is already scheduled on member " + m.name()
                            + " (flush it with 'agentctl flush " + cluster + " " + m.name() + " restart', or use"
                            + " --force)");
                    failed++;
                }
                default -> {
                    session.err().println("Failed: restart for member " + m.name() + ", status code=" + r.status()
                            + ", (" + r.body().strip() + ")");
                    failed++;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static String conditions(Map<String, Object> body) {
        List<String> c = new ArrayList<>();
        if (body.containsKey("restart_pending")) {
            c.add("a pending restart");
        }
        if (body.containsKey("postgres_version")) {
            c.add("PostgreSQL older than " + body.get("postgres_version"));
        }
        return c.isEmpty() ? "" : " (" + String.join(", ", c) + ")";
    }

    private static void checkVersion(String version) {
        if (version == null || version.isBlank()) {
            return;
        }
        try {
            RestartRequest.postgresVersionToInt(version);
        } catch (IllegalArgumentException e) {
            throw new CtlException("--pg-version '" + version + "': " + e.getMessage());
        }
    }

    /** The timeout as a number of seconds, for how long to wait for the node's answer. */
    static long seconds(String t) {
        String s = t.trim().toLowerCase(java.util.Locale.ROOT);
        long mult = 1;
        if (s.endsWith("min")) {
            mult = 60;
            s = s.substring(0, s.length() - 3);
        } else if (s.endsWith("h")) {
            mult = 3600;
            s = s.substring(0, s.length() - 1);
        } else if (s.endsWith("s")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            long n = (long) Math.ceil(Double.parseDouble(s.trim()) * mult);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CtlException("--timeout '" + t + "' is not a positive number of seconds");
        }
    }
}
