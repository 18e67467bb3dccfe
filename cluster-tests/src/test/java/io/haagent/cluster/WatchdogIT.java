package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 item 8, the watchdog (§7.1) on stand-in devices (plain files that record what the agent wrote): the
 * leader opens its device and writes a keepalive ({@code 1}) each cycle, disarms it with the magic close
 * ({@code V}) when the cluster is paused and when it shuts down, and arms it again when resumed; a member with
 * {@code watchdog.mode: required} whose device it cannot open reports {@code watchdog_failed} and does not take
 * the lock, not even when it is the only member left.
 */
class WatchdogIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    private static String written(ClusterNode n) {
        try {
            return Files.readString(n.watchdogDevice());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theLeaderKeepsItsWatchdogAliveAndDisarmsItAndARequiredWatchdogThatCannotBeOpenedKeepsANodeFromLeading() {
        TestCluster c = clusters.create(ClusterSpec.of(2).firstOctet(136).watchdog(1, "automatic", true)
                .watchdog(2, "required", false));
        ClusterNode leader = c.node(1);
        ClusterNode unusable = c.node(2);
        leader.start();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> c.leaderName().orElse("").equals(leader.name()) && leader.isWritablePrimary());
        unusable.start();
        c.awaitStreaming(leader, unusable, Duration.ofSeconds(90));

        // keepalives while leading; the timeout is ttl 20 - safety_margin 5
        await().atMost(Duration.ofSeconds(30)).until(() -> written(leader).endsWith("111"));
        assertThat(leader.logContains("activated with 15 second timeout")).isTrue();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> unusable.patroni().path("watchdog_failed").asBoolean(false));
        assertThat(leader.patroni().path("watchdog_failed").asBoolean(false)).isFalse();

        // pause: disarmed with the magic close; resumed: armed again
        ClusterNode.Answer pause = leader.patch("/config", "{\"pause\":true}");
        assertThat(pause.status()).as(pause.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> written(leader).endsWith("V"));
        int atPause = written(leader).length();
        ClusterNode.Answer resume = leader.patch("/config", "{\"pause\":false}");
        assertThat(resume.status()).as(resume.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> written(leader).substring(atPause).matches("1{2,}"));

        // the leader shuts down: disarmed; the member whose required watchdog cannot be opened does not take over
        leader.stopAgent(Duration.ofSeconds(60));
        assertThat(written(leader)).endsWith("V");
        await().atMost(Duration.ofSeconds(60)).until(() -> unusable.logContains("Watchdog device is not usable"));
        assertThat(c.leaderName()).isEmpty();
        assertThat(unusable.isWritablePrimary()).isFalse();
        assertThat(written(unusable)).as("nothing written to a device that could not be opened").isEmpty();
    }
}
