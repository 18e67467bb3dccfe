package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.harness.ClusterExtension;
import io.haagent.cluster.harness.ClusterNode;
import io.haagent.cluster.harness.ClusterSpec;
import io.haagent.cluster.harness.TestCluster;
import io.haagent.testing.TestBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 items 1, 3 and 4 with real agents, as Patroni's sample configuration and behave scenarios run them:
 * every member on 127.0.0.1 (connect addresses included: a warning, not an error); the cluster created by a custom
 * bootstrap command ({@code bootstrap.method}, called with {@code --scope} and {@code --datadir} before the data
 * directory exists); a replica created by a list of {@code create_replica_methods} whose first, custom method
 * fails after leaving files behind: they are removed and the next method ({@code basebackup}) makes the replica.
 */
class CustomMethodsIT {
    @RegisterExtension
    final ClusterExtension clusters = new ClusterExtension();

    @TempDir
    Path scripts;

    private Path script(String name, String body) throws IOException {
        Path p = scripts.resolve(name);
        Files.writeString(p, "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --datadir=*) d=\"${a#--datadir=}\";;"
                + " --scope=*) s=\"${a#--scope=}\";; esac; done\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void loopbackAddressesACustomBootstrapAndAFailingReplicaMethodFollowedByTheNextOne() throws IOException {
        Path calls = scripts.resolve("calls.log");
        Path bootstrap = script("bootstrap.sh", "echo \"bootstrap $s $(test -e \"$d\" && echo exists || echo absent)\""
                + " >> " + calls + "\nexec " + TestBinaries.postgresBinDir().resolve("initdb") + " -D \"$d\""
                + " -U postgres -A trust --data-checksums >/dev/null\n");
        Path failing = script("failing.sh", "echo \"replica $(test -e \"$d\" && echo exists || echo absent)\" >> "
                + calls + "\nmkdir -p \"$d\" && touch \"$d/leftover\"\nexit 1\n");
        TestCluster c = clusters.create(ClusterSpec.of(2).loopback()
                .bootstrap("method", "restore").bootstrap("restore", Map.of("command", bootstrap.toString()))
                .local("create_replica_methods", List.of("failing", "basebackup"))
                .local("failing", Map.of("command", failing.toString())));
        ClusterNode first = c.node(1);
        ClusterNode second = c.node(2);
        first.start();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> c.leaderName().orElse("").equals(first.name()) && first.isWritablePrimary());
        assertThat(first.host()).isEqualTo("127.0.0.1");
        assertThat(first.logContains("127.0.0.1 is a loopback address: it works only while every member")).isTrue();
        assertThat(Files.readAllLines(calls)).containsExactly("bootstrap batman absent");
        // post_bootstrap made the configured superuser (the harness connects with its password)
        assertThat(first.sql("SELECT rolname FROM pg_roles WHERE rolname IN ('replicator', 'rewind_user')"
                + " ORDER BY 1")).containsExactly("replicator", "rewind_user");
        first.sql("CREATE TABLE custom_probe AS SELECT 1 AS v");

        second.start();
        assertThat(c.awaitHealthy(Duration.ofSeconds(120))).isEqualTo(first);
        assertThat(Files.readAllLines(calls)).containsExactly("bootstrap batman absent", "replica absent");
        assertThat(second.dataDir().resolve("leftover")).doesNotExist();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> second.sql("SELECT v FROM custom_probe").equals(List.of("1")));
    }
}
