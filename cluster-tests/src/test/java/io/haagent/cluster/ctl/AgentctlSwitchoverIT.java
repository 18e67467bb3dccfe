package io.haagent.cluster.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.dist.Dist;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * switchover, failover and their bad inputs through the real launcher, on a cluster whose REST API requires
 * authentication (agentctl sends the configuration's credentials): the outcome is waited for and printed with its
 * timing, refusals name each member's reason, and every bad input is one line, exit 1, nothing changed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentctlSwitchoverIT {
    static final String OUTCOME = "(switched|failed) over from (pg\\d) to (pg\\d) in \\d+\\.\\d\\d s;"
            + " writes were unavailable for \\d+\\.\\d\\d s";

    @RegisterExtension
    static final SharedCluster CLUSTER = new SharedCluster(ClusterSpec.of(3).firstOctet(44)
            .restAuthentication("operator", "rest-secret-pw"));

    static TestCluster cluster() {
        return CLUSTER.get();
    }

    static Agentctl ctl() {
        return new Agentctl(cluster().node(1).config());
    }

    static ClusterNode leader() {
        return cluster().awaitHealthy(Duration.ofSeconds(90));
    }

    static ClusterNode aReplica(ClusterNode leader) {
        return cluster().nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
    }

    /** The bad input was refused with one line on stderr, exit 1, and the cluster is as it was. */
    static void refusedAndNothingChanged(Agentctl.Result r, String line, ClusterNode leader) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).as(r.toString()).isEqualTo("Error: " + line + "\n");
        assertThat(r.out()).as(r.toString()).isEmpty();
        ClusterView v = cluster().view();
        assertThat(v.leaderName()).isEqualTo(leader.name());
        assertThat(v.failover()).isNull();
    }

    @Test
    @Order(1)
    void badInputIsOneLineExit1AndChangesNothing() {
        ClusterNode leader = leader();
        ClusterNode replica = aReplica(leader);
        refusedAndNothingChanged(ctl().run("switchover", "--leader", replica.name(), "--candidate", leader.name(),
                "--force"), replica.name() + " is not the leader of cluster batman: the leader is " + leader.name(),
                leader);
        refusedAndNothingChanged(ctl().run("switchover", "--candidate", leader.name(), "--force"), leader.name()
                + " is already the leader of cluster batman: the switchover target and source are the same;"
                + " candidates: " + String.join(", ", cluster().nodes().stream().filter(n -> n != leader)
                        .map(ClusterNode::name).toList()), leader);
        refusedAndNothingChanged(ctl().run("switchover", "--candidate", "pg9", "--force"),
                "pg9 is not a member of cluster batman (members: pg1, pg2, pg3)", leader);
        refusedAndNothingChanged(ctl().run("failover", "--candidate", "pg9", "--force"),
                "pg9 is not a member of cluster batman (members: pg1, pg2, pg3)", leader);
        refusedAndNothingChanged(ctl().run("switchover", "robin", "--candidate", replica.name(), "--force"),
                "no cluster 'robin' in etcd (no keys under /service/robin/); clusters under /service/: batman",
                leader);
        String noZone = LocalTime.inAnHour();
        refusedAndNothingChanged(ctl().run("switchover", "--candidate", replica.name(), "--scheduled", noZone,
                "--force"), "--scheduled '" + noZone + "' has no time zone: add one, e.g. " + noZone + "+00:00 or "
                        + noZone + "Z", leader);
        Agentctl.Result past = ctl().run("switchover", "--candidate", replica.name(), "--scheduled",
                "2020-01-01T00:00:00+00:00", "--force");
        assertThat(past.err()).startsWith("Error: --scheduled '2020-01-01T00:00:00+00:00' is in the past (it is now ");
        refusedAndNothingChanged(past, past.err().substring("Error: ".length()).strip(), leader);

        // usage errors: exit 2
        Agentctl.Result noCandidate = ctl().run("failover", "--force");
        assertThat(noCandidate.exit()).as(noCandidate.toString()).isEqualTo(2);
        assertThat(noCandidate.err()).startsWith("Error: a failover needs --candidate NAME");
        Agentctl.Result noTerminal = ctl().run("switchover", "--candidate", replica.name());
        assertThat(noTerminal.exit()).as(noTerminal.toString()).isEqualTo(2);
        assertThat(noTerminal.err()).startsWith("Error: there is no terminal to ask 'Primary'");
        assertThat(cluster().view().leaderName()).isEqualTo(leader.name());
    }

    @Test
    @Order(2)
    void onATerminalTheMissingAnswersAreAskedAndANoChangesNothing() {
        ClusterNode leader = leader();
        ClusterNode replica = aReplica(leader);
        // script(1) gives agentctl a pseudo-terminal: the prompts appear, and the answers come from our input
        String command = Dist.launcher("agentctl") + " -c " + cluster().node(1).config() + " switchover";
        Agentctl.Result r = ctl().env("TERM", "xterm").withInputTo(List.of("script", "-qec", command, "/dev/null"),
                "\n" + replica.name() + "\nnow\nn\n");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("Primary [" + leader.name() + "]: ").contains("Candidate [")
                .contains("When should the switchover take place (e.g. ")
                .contains("Are you sure you want to switchover cluster batman, demoting current leader "
                        + leader.name() + "? [y/N]: ")
                .contains("Error: Aborting switchover");
        // on a terminal the member table is coloured
        assertThat(r.out()).contains("\u001b[");
        assertThat(cluster().view().leaderName()).isEqualTo(leader.name());
        assertThat(cluster().view().failover()).isNull();
    }

    @Test
    @Order(3)
    void withoutTheRestCredentialsTheLeaderRefusesAndNothingChanges() {
        ClusterNode leader = leader();
        String etcd = cluster().etcd().clientUrls().get(0).replaceFirst("^https?://", "");
        Agentctl.Result r = ctl().bare("--dcs-url", "etcd3://" + etcd, "switchover", "batman", "--candidate",
                aReplica(leader).name(), "--force");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error: switchover failed: " + leader.name() + " answered 401: ");
        assertThat(cluster().view().leaderName()).isEqualTo(leader.name());
        assertThat(cluster().view().failover()).isNull();
    }

    @Test
    @Order(4)
    void switchoverToANamedCandidateWaitsAndPrintsTheOutcomeWithItsTiming() {
        ClusterNode old = leader();
        ClusterNode candidate = aReplica(old);
        Agentctl.Result r = ctl().run("switchover", "--candidate", candidate.name(), "--force");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("Current cluster topology\n+ Cluster: batman (");
        String outcome = r.out().lines().filter(l -> l.matches(OUTCOME)).findFirst()
                .orElseThrow(() -> new AssertionError("no outcome line:\n" + r));
        assertThat(outcome).startsWith("switched over from " + old.name() + " to " + candidate.name() + " in ");
        System.out.println("measured: " + outcome);
        // the new leader is in etcd and writable the moment agentctl says so
        assertThat(cluster().view().leaderName()).isEqualTo(candidate.name());
        assertThat(candidate.isWritablePrimary()).isTrue();
        assertThat(cluster().view().failover()).isNull();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Agentctl.Result h = ctl().run("history", "-f", "json");
            assertThat(h.exit()).as(h.toString()).isZero();
            JsonNode lines = h.json();
            assertThat(lines).as(h.toString()).hasSize(1);
            assertThat(lines.get(0).path("TL").asInt()).isEqualTo(1);
            assertThat(lines.get(0).path("LSN").asLong()).isPositive();
            assertThat(lines.get(0).path("New Leader").asText()).isEqualTo(candidate.name());
        });
    }

    @Test
    @Order(5)
    void switchoverWithoutACandidatePicksAHealthyReplica() {
        ClusterNode old = leader();
        Agentctl.Result r = ctl().run("switchover", "--force");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("switched over from " + old.name() + " to pg\\d in ");
        r.out().lines().filter(l -> l.startsWith("switched over")).forEach(l -> System.out.println("measured: " + l));
        assertThat(cluster().view().leaderName()).isNotEqualTo(old.name());
    }

    @Test
    @Order(6)
    void failoverToANamedCandidate() {
        ClusterNode old = leader();
        ClusterNode candidate = aReplica(old);
        Agentctl.Result r = ctl().run("failover", "--candidate", candidate.name(), "--force");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("failed over from " + old.name() + " to " + candidate.name()
                + " in \\d+\\.\\d\\d s; writes were unavailable for \\d+\\.\\d\\d(-\\d+\\.\\d\\d)? s");
        r.out().lines().filter(l -> l.startsWith("failed over")).forEach(l -> System.out.println("measured: " + l));
        assertThat(cluster().view().leaderName()).isEqualTo(candidate.name());
    }

    @Test
    @Order(7)
    void aScheduledSwitchoverIsListedAndFlushed() {
        ClusterNode leader = leader();
        ClusterNode candidate = aReplica(leader);
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.ofHours(2)).plusHours(1).truncatedTo(ChronoUnit.SECONDS);
        String when = at.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Agentctl.Result r = ctl().run("switchover", "--candidate", candidate.name(), "--scheduled", when, "--force");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Switchover scheduled at " + when + ": from " + leader.name() + " to "
                + candidate.name());
        assertThat(cluster().view().failover().scheduledAt().toInstant()).isEqualTo(at.toInstant());

        Agentctl.Result list = ctl().run("list");
        assertThat(list.out()).contains(" Switchover scheduled at: " + when + "\n                    from: "
                + leader.name() + "\n                      to: " + candidate.name() + "\n");

        Agentctl.Result flush = ctl().run("flush", "batman", "switchover", "--force");
        assertThat(flush.exit()).as(flush.toString()).isZero();
        assertThat(flush.out()).isEqualTo("Success: scheduled switchover deleted\n");
        assertThat(cluster().view().failover()).isNull();
        assertThat(ctl().run("flush", "batman", "switchover").out()).isEqualTo("No pending scheduled switchover\n");
        assertThat(cluster().view().leaderName()).isEqualTo(leader.name());
    }

    @Test
    @Order(8)
    void aRefusalNamesEachMembersReasonAndChangesNothing() {
        ClusterNode leader = leader();
        ClusterNode candidate = aReplica(leader);
        // a candidate whose agent does not answer cannot be promoted: the leader says so, member by member
        candidate.freezeAgent();
        Agentctl.Result r;
        try {
            r = ctl().run("switchover", "--candidate", candidate.name(), "--force");
        } finally {
            candidate.thawAgent();
        }
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error: switchover refused by " + leader.name() + ": switchover is not possible:"
                + " no good candidates have been found\n  " + candidate.name() + ": ");
        assertThat(r.err()).endsWith("\nnothing was changed\n");
        assertThat(cluster().view().leaderName()).isEqualTo(leader.name());
        assertThat(cluster().view().failover()).isNull();
    }

    @Test
    @Order(9)
    void aLeaderWhoseApiIsDownIsNamedWithItsUrlAndNothingChanges() {
        ClusterNode leader = leader();
        leader.killAgent(); // postgres keeps running and the leader key stays until its lease expires
        try {
            Agentctl.Result r = ctl().run("switchover", "--candidate", aReplica(leader).name(), "--force");
            assertThat(r.exit()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("Error: the REST API of " + leader.name() + " (POST " + leader.restUrl()
                    + "/switchover) did not answer: connection refused\n");
            assertThat(cluster().view().failover()).isNull();
        } finally {
            leader.start();
        }
        leader();
    }

    /** A local time an hour from now, without a zone (as an operator might type it). */
    static final class LocalTime {
        static String inAnHour() {
            return java.time.LocalDateTime.now().plusHours(1).truncatedTo(ChronoUnit.MINUTES)
                    .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm"));
        }
    }
}
