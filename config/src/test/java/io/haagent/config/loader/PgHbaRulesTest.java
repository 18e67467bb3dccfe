package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgHbaRulesTest {
    private static boolean replication(String user, String... lines) {
        return PgHbaRules.allowsRemoteReplication(PgHbaRules.parse(List.of(lines)), user);
    }

    @Test
    void aHostReplicationLineForTheUserOrAllOrAGroupLetsReplicasStream() {
        assertThat(replication("replicator", "host replication replicator 10.0.0.0/24 md5")).isTrue();
        assertThat(replication("replicator", "hostssl replication all 10.0.0.0/24 scram-sha-256")).isTrue();
        assertThat(replication("replicator", "hostnossl replication +replicators 10.0.0.0 255.255.255.0 md5")).isTrue();
        assertThat(replication("replicator", "hostgssenc all,replication alice,replicator samenet gss")).isTrue();
        assertThat(replication("replicator", "host replication @users.txt 10.0.0.0/24 md5 # comment")).isTrue();
    }

    @Test
    void allDoesNotMatchReplicationNorDoLocalOrRejectLines() {
        assertThat(replication("replicator", "host all all 0.0.0.0/0 md5")).isFalse();
        assertThat(replication("replicator", "local replication all trust")).isFalse();
        assertThat(replication("replicator", "host replication replicator 10.0.0.0/24 reject")).isFalse();
        assertThat(replication("replicator", "host replication alice 10.0.0.0/24 md5")).isFalse();
        assertThat(replication("replicator", "# host replication all 0.0.0.0/0 md5")).isFalse();
        assertThat(replication("replicator", "host \"replication\" all 0.0.0.0/0 md5")).isFalse();
    }

    @Test
    void localPasswordlessLineForTheSuperuser() {
        assertThat(PgHbaRules.allowsLocalWithoutPassword(PgHbaRules.parse(List.of("local all postgres peer")),
                "postgres", "postgres")).isTrue();
        assertThat(PgHbaRules.allowsLocalWithoutPassword(PgHbaRules.parse(List.of("local sameuser all trust")),
                "postgres", "postgres")).isTrue();
        // the first matching line decides: md5 before peer means a password is asked
        assertThat(PgHbaRules.allowsLocalWithoutPassword(PgHbaRules.parse(List.of("local all all md5",
                "local all postgres peer")), "postgres", "postgres")).isFalse();
        assertThat(PgHbaRules.allowsLocalWithoutPassword(PgHbaRules.parse(List.of("host all all 0.0.0.0/0 md5")),
                "postgres", "postgres")).isFalse();
    }
}
