package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.config.EtcdConfig;
import io.haagent.config.Secret;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.testing.EtcdCluster;
import io.haagent.testing.EtcdExtension;
import io.haagent.testing.TestBinaries;
import io.haagent.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** TLS with client certificates, and etcd's username/password authentication, with real etcd. */
class EtcdSecurityIT {
    private static final String PASSWORD = "s3cret-Pa55";

    @RegisterExtension
    final EtcdExtension etcd = EtcdExtension.of(EtcdCluster.builder().members(1));

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void noSecretInAnyLogLine() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        pool.shutdownNow();
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(PASSWORD));
    }

    private static Member data(String name) {
        return Member.builder(name).connUrl("postgres://127.0.0.11:5432/postgres")
                .apiUrl("http://127.0.0.11:8008/patroni").state("running").role(Role.REPLICA).version("3.3.1").build();
    }

    /** A lock, a CAS write and a watch wake-up: the whole protocol over this connection. */
    private static void protocolWorks(EtcdConfig cfg, ExecutorService pool) throws Exception {
        try (Dcs a = EtcdDcs.connect(cfg, "service", "secure", "a", 20, 5, Clock.SYSTEM);
                Dcs b = EtcdDcs.connect(cfg, "service", "secure", "b", 20, 5, Clock.SYSTEM)) {
            a.touchMember(data("a"));
            assertThat(a.acquireLeader()).isTrue();
            assertThat(b.acquireLeader()).isFalse();
            assertThat(a.setConfig(Map.of("ttl", 20), 0)).isTrue();
            assertThat(b.cluster().leaderName()).isEqualTo("a");
            while (b.awaitChange(Duration.ofMillis(300))) {
                // drain
            }
            Future<Boolean> woken = pool.submit(() -> b.awaitChange(Duration.ofSeconds(30)));
            assertThat(a.releaseLeader(null)).isTrue();
            assertThat(woken.get(1, TimeUnit.SECONDS)).isTrue();
            a.deleteCluster();
        }
    }

    @Test
    void tlsWithClientCertificates() throws Exception {
        EtcdCluster tlsEtcd = EtcdCluster.builder().members(1).firstHost(24).tls().start();
        try {
            EtcdCluster.Tls t = tlsEtcd.tls();
            EtcdConfig cfg = new EtcdConfig("etcd3", tlsEtcd.clientUrls(), "https", null, null, t.ca().toString(),
                    t.clientCert().toString(), t.clientKey().toString(), null);
            protocolWorks(cfg, pool);

            // without a client certificate the member refuses the handshake: unreachable, in time
            EtcdConfig noCert = new EtcdConfig("etcd3", tlsEtcd.clientUrls(), "https", null, null, t.ca().toString(),
                    null, null, null);
            try (Dcs d = EtcdDcs.connect(noCert, "service", "secure", "c", 20, 3, Clock.SYSTEM)) {
                long start = System.nanoTime();
                assertThatThrownBy(d::freshCluster).isInstanceOf(DcsUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(Duration.ofSeconds(4));
            }
        } finally {
            tlsEtcd.close();
        }
    }

    @Test
    void badTlsSettingsAreNamedBeforeAnyCall() throws Exception {
        List<String> urls = List.of("https://127.0.0.21:2379");
        assertThatThrownBy(() -> EtcdDcs.connect(new EtcdConfig("etcd3", urls, "https", null, null,
                tmp.resolve("missing-ca.crt").toString(), null, null, null), "service", "s", "a", 20, 3, Clock.SYSTEM))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("etcd3.cacert")
                .hasMessageContaining("missing-ca.crt");

        EtcdCluster.Tls t = EtcdCluster.Tls.generate(tmp.resolve("tls"), List.of("127.0.0.21"));
        Path pkcs1 = tmp.resolve("pkcs1.key");
        Process p = new ProcessBuilder(TestBinaries.onPath("openssl", "openssl").toString(), "rsa", "-in",
                t.clientKey().toString(), "-traditional", "-out", pkcs1.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThatThrownBy(() -> EtcdDcs.connect(new EtcdConfig("etcd", urls, "https", null, null, t.ca().toString(),
                t.clientCert().toString(), pkcs1.toString(), null), "service", "s", "a", 20, 3, Clock.SYSTEM))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("etcd.key")
                .hasMessageContaining("openssl pkcs8 -topk8");

        assertThatThrownBy(() -> EtcdDcs.connect(new EtcdConfig("etcd3", List.of("http://127.0.0.21:2379"), "http",
                null, null, t.ca().toString(), null, null, null), "service", "s", "a", 20, 3, Clock.SYSTEM))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("etcd3.protocol: https");
    }

    @Test
    void usernameAndPassword() throws Exception {
        EtcdCluster root = etcd.cluster().withCredentials("root", PASSWORD);
        etcd.cluster().etcdctl("user", "add", "root:" + PASSWORD);
        etcd.cluster().etcdctl("auth", "enable");
        // a user confined to one cluster's prefix
        root.etcdctl("role", "add", "agent");
        root.etcdctl("role", "grant-permission", "agent", "--prefix=true", "readwrite", "/service/secure/");
        root.etcdctl("user", "add", "agent:" + PASSWORD);
        root.etcdctl("user", "grant-role", "agent", "agent");

        protocolWorks(new EtcdConfig("etcd3", etcd.clientUrls(), "http", "agent", Secret.of(PASSWORD), null, null,
                null, null), pool);

        assertThatThrownBy(() -> EtcdDcs.connect(new EtcdConfig("etcd3", etcd.clientUrls(), "http", "agent",
                Secret.of("wrong"), null, null, null, null), "service", "secure", "a", 20, 3, Clock.SYSTEM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("etcd3.username and etcd3.password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));

        try (Dcs elsewhere = EtcdDcs.connect(new EtcdConfig("etcd3", etcd.clientUrls(), "http", "agent",
                Secret.of(PASSWORD), null, null, null, null), "service", "other", "a", 20, 3, Clock.SYSTEM)) {
            assertThatThrownBy(() -> elsewhere.setConfig(Map.of(), Dcs.ANY_REVISION))
                    .isInstanceOf(DcsUnavailableException.class)
                    .hasMessageContaining("refused")
                    .hasMessageContaining("agent needs read/write permission on /service/other/");
        }
    }
}
