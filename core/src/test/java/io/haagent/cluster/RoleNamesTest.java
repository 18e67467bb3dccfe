package io.haagent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.RoleNames.Setting;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoleNamesTest {

    /** members: name:role[:state], the role string kept exactly as the member wrote it. */
    private static ClusterView view(String leader, String... members) {
        List<Member> ms = Arrays.stream(members).map(m -> {
            String[] p = m.split(":");
            return new Member(p[0], "postgres://127.0.0.1:5432/postgres", "http://127.0.0.1:8008/patroni",
                    p.length > 2 ? p[2] : PostgresState.RUNNING, p[1], "3.0.2", null, null, null, false, null, null,
                    null, null, null, false, 1, 1);
        }).toList();
        return new ClusterView("1", null, leader == null ? null : new Leader(leader, 1, 1), null, ms, null, null,
                null, null, 1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case                                         | leader | members                      | current | expected
        "a Patroni 3 leader                             | p1     | p1:master,me:replica         | PRIMARY | MASTER",
        "a Patroni 4 leader                             | p1     | p1:primary,me:replica        | MASTER  | PRIMARY",
        "a leader whose member key is gone              | p1     | me:replica                   | MASTER  | MASTER",
        "a standby leader shows nothing                 | p1     | p1:standby_leader,me:replica | MASTER  | MASTER",
        "we hold the lock: nothing read changes it      | me     | me:master,p2:primary         | MASTER  | MASTER",
        "we hold the lock in a new cluster              | me     | me:primary                   | PRIMARY | PRIMARY",
        "no leader: a member still running as primary   | ''     | p1:master,me:replica         | PRIMARY | MASTER",
        "no leader: a stopped old primary shows nothing | ''     | p1:master:stopped,me:replica | PRIMARY | PRIMARY",
        "no leader, only replicas: keep what we wrote   | ''     | p1:replica,me:replica        | MASTER  | MASTER",
        "a new cluster (nothing written yet)            | ''     | me:uninitialized             | ''      | PRIMARY",
    })
    void autoFollowsTheCluster(String what, String leader, String members, String current, RoleNames expected) {
        ClusterView v = view(leader.isEmpty() ? null : leader, members.split(","));
        RoleNames now = current.isEmpty() ? null : RoleNames.valueOf(current);
        assertThat(RoleNames.follow(Setting.AUTO, v, "me", now)).as(what).isEqualTo(expected);
    }

    @Test
    void aPinWinsOverTheCluster() {
        ClusterView patroni3 = view("p1", "p1:master", "me:replica");
        ClusterView patroni4 = view("p1", "p1:primary", "me:replica");
        assertThat(RoleNames.follow(Setting.PRIMARY, patroni3, "me", RoleNames.MASTER)).isEqualTo(RoleNames.PRIMARY);
        assertThat(RoleNames.follow(Setting.MASTER, patroni4, "me", RoleNames.PRIMARY)).isEqualTo(RoleNames.MASTER);
        assertThat(RoleNames.follow(Setting.AUTO, null, "me", RoleNames.MASTER)).as("etcd out of reach")
                .isEqualTo(RoleNames.MASTER);
    }

    @Test
    void spellsThePrimaryOnlyAndReadsBoth() {
        assertThat(RoleNames.MASTER.of(Role.PRIMARY)).isEqualTo("master");
        assertThat(RoleNames.PRIMARY.of(Role.PRIMARY)).isEqualTo("primary");
        assertThat(RoleNames.MASTER.of(Role.REPLICA)).isEqualTo("replica");
        assertThat(RoleNames.MASTER.of(Role.STANDBY_LEADER)).isEqualTo("standby_leader");
        assertThat(RoleNames.MASTER.callback(Role.PROMOTED)).isEqualTo("master");
        assertThat(RoleNames.PRIMARY.callback(Role.PROMOTED)).isEqualTo("primary");
        assertThat(RoleNames.PRIMARY.callback(null)).isEqualTo("replica");
        assertThat(Role.parse("master")).isEqualTo(Role.PRIMARY);
        assertThat(Role.parse("primary")).isEqualTo(Role.PRIMARY);
        assertThat(RoleNames.shownBy("replica")).isNull();
    }

    @Test
    void theSettingAcceptsItsThreeValues() {
        assertThat(Setting.parse(null)).isEqualTo(Setting.AUTO);
        assertThat(Setting.parse("auto")).isEqualTo(Setting.AUTO);
        assertThat(Setting.parse("Master")).isEqualTo(Setting.MASTER);
        assertThat(Setting.parse("primary")).isEqualTo(Setting.PRIMARY);
        assertThat(Setting.parse("leader")).isNull();
    }
}
