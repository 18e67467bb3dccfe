package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10 item 5: a permanent logical slot is copied to the replica and kept advanced to the position its
 * consumer confirmed on the primary (§4.8.1, Patroni 3.x's copy_logical_slots), so that after a switchover the
 * consumer goes on from the new primary exactly where it stopped.
 */
class LogicalSlotsIT {
    private static final String CHANGES = "SELECT data FROM pg_logical_slot_get_changes('cdc', NULL, NULL)"
            + " WHERE data LIKE 'table public.cdc_probe:%'";

    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    private static String confirmed(ClusterNode n) {
        List<String> r = n.sql("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'cdc'");
        return r.isEmpty() ? null : r.get(0);
    }

    @Test
    void aLogicalConsumerGoesOnFromTheNewPrimaryAfterASwitchover() {
        TestCluster c = clusters.start(ClusterSpec.of(2).firstOctet(141).parameter("wal_level", "logical")
                .dynamic("slots", Map.of("cdc", Map.of("type", "logical", "database", "postgres",
                        "plugin", "test_decoding"))));
        ClusterNode primary = c.awaitHealthy(Duration.ofSeconds(120));
        ClusterNode replica = c.nodes().stream().filter(n -> n != primary).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> confirmed(primary) != null);
        primary.sql("CREATE TABLE cdc_probe (v text)");
        primary.sql("INSERT INTO cdc_probe VALUES ('one')");
        assertThat(primary.sql(CHANGES)).containsExactly("table public.cdc_probe: INSERT: v[text]:'one'");

        // copied from the primary (postgres restarts once), then kept at the position the consumer confirmed
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> confirmed(replica) != null);
        assertThat(replica.logContains("Copying logical slots [cdc] from the primary")).isTrue();
        assertThat(replica.sql("SHOW hot_standby_feedback")).containsExactly("on");
        primary.sql("INSERT INTO cdc_probe VALUES ('two')");
        assertThat(primary.sql(CHANGES)).containsExactly("table public.cdc_probe: INSERT: v[text]:'two'");
        primary.sql("INSERT INTO cdc_probe VALUES ('three')");
        String consumed = confirmed(primary);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> consumed.equals(confirmed(replica)));

        // switchover: the consumer reads on from the new primary, from where it stopped
        c.awaitStreaming(primary, replica, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).until(() -> replica.get("/replica?lag=1048576").status() == 200);
        ClusterNode.Answer switchover = primary.post("/switchover",
                "{\"leader\":\"" + primary.name() + "\",\"candidate\":\"" + replica.name() + "\"}");
        assertThat(switchover.status()).as(switchover.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> c.leaderName().orElse("").equals(replica.name()) && replica.isWritablePrimary());
        assertThat(replica.sql(CHANGES)).containsExactly("table public.cdc_probe: INSERT: v[text]:'three'");
    }
}
