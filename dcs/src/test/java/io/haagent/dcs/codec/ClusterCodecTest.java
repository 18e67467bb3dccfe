package io.haagent.dcs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.ClusterView;
import io.haagent.dcs.DcsKeys;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterCodecTest {
    private final DcsKeys keys = DcsKeys.of("/service/", "batman");

    @Test
    void everyKeyOfTheLayout() {
        ClusterView v = ClusterCodec.decode(keys, List.of(
                new RawKey("initialize", "7302012345678901234", 2, 0),
                new RawKey("config", "{\"ttl\":20,\"loop_wait\":2}", 3, 0),
                new RawKey("leader", "pg1", 10, 555),
                new RawKey("members/pg1", "{\"conn_url\":\"postgres://127.0.0.11:5432/postgres\",\"role\":\"master\"}", 9, 555),
                new RawKey("members/pg2", "{\"conn_url\":\"postgres://127.0.0.12:5432/postgres\",\"role\":\"replica\"}", 8, 556),
                new RawKey("members/pg2/extra", "{}", 8, 0),
                new RawKey("status", "{\"optime\":1000}", 11, 0),
                new RawKey("optime/leader", "5", 4, 0),
                new RawKey("failover", "{\"member\":\"pg2\"}", 12, 0),
                new RawKey("sync", "{\"leader\":\"pg1\",\"sync_standby\":\"pg2\"}", 13, 0),
                new RawKey("history", "[[1,100,\"no recovery target specified\"]]", 14, 0),
                new RawKey("failsafe", "{\"pg1\":\"http://127.0.0.11:8008/patroni\"}", 15, 0)), 20, new GarbageLog());

        assertThat(v.initialize()).isEqualTo("7302012345678901234");
        assertThat(v.config().dynamic().ttl()).isEqualTo(20);
        assertThat(v.config().modRevision()).isEqualTo(3);
        assertThat(v.leaderName()).isEqualTo("pg1");
        assertThat(v.leader().lease()).isEqualTo(555);
        assertThat(v.members()).extracting(m -> m.name()).containsExactly("pg1", "pg2");
        assertThat(v.leaderMember().orElseThrow().port()).isEqualTo(5432);
        assertThat(v.lastLsn()).isEqualTo(1000);
        assertThat(v.failover().candidate()).isEqualTo("pg2");
        assertThat(v.failover().modRevision()).isEqualTo(12);
        assertThat(v.sync().leader()).isEqualTo("pg1");
        assertThat(v.sync().syncStandbys()).containsExactly("pg2");
        assertThat(v.timeline()).isEqualTo(2);
        assertThat(v.failsafe()).containsEntry("pg1", "http://127.0.0.11:8008/patroni");
        assertThat(v.revision()).isEqualTo(20);
    }

    @Test
    void legacyOptimeIsTheFallbackForStatus() {
        ClusterView v = ClusterCodec.decode(keys, List.of(new RawKey("optime/leader", "67108864", 4, 0)), 5,
                new GarbageLog());
        assertThat(v.lastLsn()).isEqualTo(67108864);
    }

    @Test
    void anEmptyPrefixIsAnEmptyCluster() {
        ClusterView v = ClusterCodec.decode(keys, List.of(), 1, new GarbageLog());
        assertThat(v.isUnlocked()).isTrue();
        assertThat(v.config()).isNull();
        assertThat(v.initialize()).isNull();
        assertThat(v.timeline()).isZero();
        assertThat(v.failsafe()).isNull();
        assertThat(v.sync().isEmpty()).isTrue();
    }

    @Test
    void garbageInEveryKeyIsReadAsEmptyAndNeverThrows() {
        List<RawKey> junk = List.of(
                new RawKey("config", "\u0000\u0001", 3, 0),
                new RawKey("leader", "", 10, 0),
                new RawKey("members/pg1", "}{", 9, 0),
                new RawKey("status", "{\"optime\":{}}", 11, 0),
                new RawKey("failover", "{\"scheduled_at\":[]}", 12, 0),
                new RawKey("sync", "42", 13, 0),
                new RawKey("history", "\"x\"", 14, 0),
                new RawKey("failsafe", "[]", 15, 0));
        ClusterView v = ClusterCodec.decode(keys, junk, 20, new GarbageLog());
        assertThat(v.config().isEmpty()).isTrue();
        assertThat(v.isUnlocked()).isTrue();
        assertThat(v.members()).hasSize(1);
        assertThat(v.lastLsn()).isZero();
        assertThat(v.failover()).isNull();
        assertThat(v.sync().isEmpty()).isTrue();
        assertThat(v.sync().modRevision()).isEqualTo(13);
        assertThat(v.timeline()).isZero();
        assertThat(v.failsafe()).isNull();
    }
}
