package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.config.EtcdConfig;
import io.haagent.config.Secret;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.testing.EtcdCluster;
import io.haagent.testing.EtcdExtension;
import io.haagent.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * agentctl's reads over etcd's JSON gateway, against a real etcd: they see what the gRPC tool connection sees (the
 * same decoded cluster, the same leases, the same cluster names), and say what is wrong as it does (an endpoint
 * that does not answer, a refused user, TLS without a client certificate).
 */
class EtcdGatewayReaderIT {
    private static final String PASSWORD = "gw-Pa55word";

    @RegisterExtension
    final EtcdExtension etcd = EtcdExtension.of(EtcdCluster.builder().members(1).firstHost(26));

    private EtcdConfig plain() {
        return new EtcdConfig("etcd3", etcd.clientUrls(), "http", null, null, null, null, null, null);
    }

    private static Member member(String name) {
        return Member.builder(name).role("replica").state("running").connUrl("postgres://127.0.0.1:5432/postgres")
                .apiUrl("http://127.0.0.1:8008/patroni").build();
    }

    @Test
    void readsWhatTheGrpcToolConnectionReads() {
        try (EtcdDcs pg1 = EtcdDcs.connect(plain(), "/service", "batman", "pg1", 5, 3, Clock.SYSTEM);
                EtcdDcs pg2 = EtcdDcs.connect(plain(), "/service", "batman", "pg2", 5, 3, Clock.SYSTEM);
                EtcdToolConnection tool = EtcdToolConnection.connect(plain(), "/service", "batman", "t", 3,
                        Clock.SYSTEM)) {
            pg1.touchMember(member("pg1"));
            pg2.touchMember(member("pg2"));
            assertThat(pg1.acquireLeader()).isTrue();
            assertThat(tool.setConfig(Map.of("ttl", 30, "postgresql", Map.of("parameters", Map.of("a", "ü"))), 0))
                    .isTrue();
            try (EtcdToolConnection robin = EtcdToolConnection.connect(plain(), "/service", "robin", "t", 3,
                    Clock.SYSTEM)) {
                assertThat(robin.setConfig(Map.of(), 0)).isTrue();
            }

            EtcdGatewayReader gw = EtcdGatewayReader.connect(plain(), "/service", "batman", 3, Clock.SYSTEM);
            ClusterView grpc = tool.cluster();
            ClusterView json = gw.cluster();
            assertThat(json).isEqualTo(grpc);
            assertThat(json.leaderName()).isEqualTo("pg1");
            assertThat(json.members()).extracting(Member::name).containsExactlyInAnyOrder("pg1", "pg2");
            assertThat(json.config().data()).isEqualTo(grpc.config().data());
            assertThat(gw.clusterNames()).containsExactly("batman", "robin").isEqualTo(tool.clusterNames());

            long lease = json.member("pg2").orElseThrow().lease();
            assertThat(lease).isNotZero();
            assertThat(gw.leaseTimeToLive(lease).alive()).isTrue();
            assertThat(gw.leaseTimeToLive(lease).grantedSeconds()).isEqualTo(5);
            pg2.close();
            await().atMost(Duration.ofSeconds(15)).until(() -> !gw.leaseTimeToLive(lease).alive());
            assertThat(tool.leaseTimeToLive(lease).alive()).isFalse();
            pg1.touchMember(member("pg1")); // a member's lease lives from one renewal to the next (ttl 5 s here)
            assertThat(gw.cluster().members()).extracting(Member::name).containsExactly("pg1");

            ClusterView none = EtcdGatewayReader.connect(plain(), "/service", "nobody", 3, Clock.SYSTEM).cluster();
            assertThat(none.members()).isEmpty();
            assertThat(none.leader()).isNull();
        }
    }

    @Test
    void anEndpointThatDoesNotAnswerIsNamedWithinRetryTimeout() {
        EtcdConfig dead = new EtcdConfig("etcd3", List.of("http://127.0.0.1:9"), "http", null, null, null, null,
                null, null);
        long start = System.nanoTime();
        assertThatThrownBy(() -> EtcdGatewayReader.connect(dead, "/service", "batman", 1, Clock.SYSTEM).cluster())
                .isInstanceOf(DcsUnavailableException.class)
                .hasMessageContaining("cannot read the cluster (/service/batman/)")
                .hasMessageContaining("etcd at http://127.0.0.1:9 did not answer within retry_timeout=1s")
                .hasMessageContaining("connection refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

        // a dead endpoint first, a live one second: the read succeeds on the live one
        EtcdConfig mixed = new EtcdConfig("etcd3", List.of("http://127.0.0.1:9", etcd.clientUrls().get(0)), "http",
                null, null, null, null, null, null);
        assertThat(EtcdGatewayReader.connect(mixed, "/service", "batman", 3, Clock.SYSTEM).cluster().members())
                .isEmpty();
    }

    @Test
    void usernameAndPassword() {
        EtcdCluster root = etcd.cluster().withCredentials("root", PASSWORD);
        etcd.cluster().etcdctl("user", "add", "root:" + PASSWORD);
        etcd.cluster().etcdctl("auth", "enable");
        root.etcdctl("role", "add", "reader");
        root.etcdctl("role", "grant-permission", "reader", "--prefix=true", "readwrite", "/service/secure/");
        root.etcdctl("user", "add", "reader:" + PASSWORD);
        root.etcdctl("user", "grant-role", "reader", "reader");
        root.etcdctl("put", "/service/secure/leader", "pg1");

        EtcdConfig ok = new EtcdConfig("etcd3", etcd.clientUrls(), "http", "reader", Secret.of(PASSWORD), null, null,
                null, null);
        EtcdGatewayReader reader = EtcdGatewayReader.connect(ok, "/service", "secure", 3, Clock.SYSTEM);
        assertThat(reader.cluster().leaderName()).isEqualTo("pg1");
        // a token etcd no longer knows (simple tokens expire after 5 minutes; switching auth off and on drops them
        // all): the reader signs in again
        root.etcdctl("auth", "disable");
        etcd.cluster().etcdctl("auth", "enable");
        assertThat(reader.cluster().leaderName()).isEqualTo("pg1");

        EtcdConfig wrong = new EtcdConfig("etcd3", etcd.clientUrls(), "http", "reader", Secret.of("wrong"), null,
                null, null, null);
        assertThatThrownBy(() -> EtcdGatewayReader.connect(wrong, "/service", "secure", 3, Clock.SYSTEM).cluster())
                .isInstanceOf(DcsUnavailableException.class)
                .hasMessageContaining("refused the user reader")
                .hasMessageContaining("etcd3.username and etcd3.password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));

        assertThatThrownBy(() -> EtcdGatewayReader.connect(ok, "/service", "other", 3, Clock.SYSTEM).cluster())
                .isInstanceOf(DcsUnavailableException.class)
                .hasMessageContaining("refused to read the cluster (/service/other/)")
                .hasMessageContaining("the etcd user reader needs read permission on /service/other/");
    }

    @Test
    void tlsWithClientCertificates() {
        EtcdCluster tlsEtcd = EtcdCluster.builder().members(1).firstHost(27).tls().start();
        try {
            EtcdCluster.Tls t = tlsEtcd.tls();
            tlsEtcd.etcdctl("put", "/service/tls/leader", "pg2");
            EtcdConfig cfg = new EtcdConfig("etcd3", tlsEtcd.clientUrls(), "https", null, null, t.ca().toString(),
                    t.clientCert().toString(), t.clientKey().toString(), null);
            assertThat(EtcdGatewayReader.connect(cfg, "/service", "tls", 3, Clock.SYSTEM).cluster().leaderName())
                    .isEqualTo("pg2");

            EtcdConfig noCert = new EtcdConfig("etcd3", tlsEtcd.clientUrls(), "https", null, null, t.ca().toString(),
                    null, null, null);
            assertThatThrownBy(() -> EtcdGatewayReader.connect(noCert, "/service", "tls", 1, Clock.SYSTEM).cluster())
                    .isInstanceOf(DcsUnavailableException.class)
                    .hasMessageContaining("did not answer within retry_timeout=1s");
        } finally {
            tlsEtcd.close();
        }
    }

    @Test
    void prefixEndIsTheNextPrefix() {
        assertThat(EtcdGatewayReader.prefixEnd(new byte[] {'/', 'a', '/'})).containsExactly('/', 'a', '0');
        assertThat(EtcdGatewayReader.prefixEnd(new byte[] {'a', (byte) 0xff})).containsExactly('b');
    }
}
