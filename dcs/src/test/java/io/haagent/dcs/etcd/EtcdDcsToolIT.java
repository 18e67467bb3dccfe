package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.Member;
import io.haagent.config.EtcdConfig;
import io.haagent.testing.EtcdExtension;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tool connection agentctl uses, against a real etcd: it reads, writes with CAS, and never holds a lease. */
class EtcdDcsToolIT {
    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.singleMember();

    static EtcdConfig config() {
        return new EtcdConfig("etcd3", ETCD.clientUrls(), "http", null, null, null, null, null, null);
    }

    @Test
    void readsTheClusterSeesLeasesAgeAndListsClustersWithoutALeaseOfItsOwn() {
        try (EtcdDcs member = EtcdDcs.connect(config(), "/service", "batman", "pg1", 5, 3, Clock.SYSTEM);
                EtcdToolConnection tool = EtcdToolConnection.connect(config(), "/service", "batman", "agentctl-1", 3,
                        Clock.SYSTEM)) {
            member.touchMember(Member.builder("pg1").role("replica").state("running")
                    .connUrl("postgres://127.0.0.1:5432/postgres").apiUrl("http://127.0.0.1:8008/patroni").build());
            Member seen = tool.cluster().member("pg1").orElseThrow();
            LeaseTtl lease = tool.leaseTimeToLive(seen.lease());
            assertThat(lease.alive()).isTrue();
            assertThat(lease.grantedSeconds()).isEqualTo(5);
            assertThat(lease.secondsSinceRenewal()).isBetween(0L, 2L);

            assertThat(tool.setConfig(Map.of("ttl", 30), 0)).isTrue();
            long rev = tool.cluster().config().modRevision();
            assertThat(tool.setConfig(Map.of("ttl", 40), rev - 1)).as("stale revision: nothing written").isFalse();
            assertThat(tool.cluster().config().data()).containsEntry("ttl", 30);
            assertThat(tool.clusterNames()).containsExactly("batman");

            // a tool never looks like a member: it has no lease (and no method that could take one)
            assertThat(ETCD.cluster().etcdctl("lease", "list")).contains("found 1 leases");

            // the member's agent stops renewing: the lease ages, then is gone
            member.close();
            await().atMost(Duration.ofSeconds(15)).until(() -> !tool.leaseTimeToLive(seen.lease()).alive());
            assertThat(tool.leaseTimeToLive(seen.lease()).secondsSinceRenewal()).isEqualTo(-1);
            assertThat(tool.cluster().members()).isEmpty();
            assertThat(List.of(tool.name())).containsExactly("agentctl-1");
        }
    }
}
