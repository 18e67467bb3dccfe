package io.haagent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The harness itself against the real etcd binary. */
class EtcdClusterIT {

    @Test
    void singleMemberServesAndIsRemovedOnClose() {
        Path dir;
        try (EtcdCluster etcd = EtcdCluster.startSingle()) {
            dir = etcd.dir();
            assertThat(etcd.clientUrls()).singleElement().asString().startsWith("http://127.0.0.21:");
            etcd.etcdctl("put", "/harness/k", "v1");
            assertThat(etcd.etcdctl("get", "/harness/k", "--print-value-only").trim()).isEqualTo("v1");
            assertThat(etcd.member(0).logFile()).exists();

            etcd.member(0).stop();
            assertThat(etcd.member(0).isRunning()).isFalse();
            etcd.restart(etcd.member(0));
            assertThat(etcd.etcdctl("get", "/harness/k", "--print-value-only").trim()).isEqualTo("v1");
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void threeMembersSurviveTheLossOfOneAndTakeItBack() {
        try (EtcdCluster etcd = EtcdCluster.startThree()) {
            assertThat(etcd.clientUrls()).hasSize(3);
            assertThat(etcd.members()).extracting(EtcdMember::host)
                    .containsExactly("127.0.0.21", "127.0.0.22", "127.0.0.23");
            int leader = etcd.leaderIndex();
            EtcdMember victim = etcd.member((leader + 1) % 3);
            victim.kill();
            etcd.etcdctl("put", "/harness/k", "after-kill");
            etcd.restart(victim);
            assertThat(etcd.etcdctl("--endpoints", victim.clientUrl(), "get", "/harness/k", "--print-value-only",
                    "--consistency", "l").trim()).endsWith("after-kill");

            EtcdMember frozen = etcd.member((etcd.leaderIndex() + 1) % 3);
            frozen.freeze();
            etcd.etcdctl("--command-timeout", "5s", "--endpoints", etcd.member(etcd.leaderIndex()).clientUrl(),
                    "put", "/harness/k", "while-frozen");
            frozen.thaw();
            etcd.awaitHealthy();
        }
    }

    @Test
    void tlsClusterNeedsTheClientCertificate() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.builder().members(1).tls().start()) {
            assertThat(etcd.clientUrls()).singleElement().asString().startsWith("https://");
            etcd.etcdctl("put", "/harness/tls", "yes");

            // the CA alone is not enough: the members demand a client certificate
            Process p = new ProcessBuilder(TestBinaries.onPath("etcdctl", "etcd-client").toString(),
                    "--endpoints", etcd.clientUrls().get(0), "--cacert", etcd.tls().ca().toString(),
                    "--command-timeout", "3s", "get", "/harness/tls").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isNotZero();
        }
    }
}
