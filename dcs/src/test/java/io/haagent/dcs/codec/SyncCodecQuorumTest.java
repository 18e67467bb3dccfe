package io.haagent.dcs.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.SyncState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sync key's {@code quorum} field (Patroni 4's quorum commit, §4.9) next to Patroni 3's form without it. */
class SyncCodecQuorumTest {
    private final GarbageLog garbage = new GarbageLog();

    @Test
    void patroni4sFormWithQuorumRoundTrips() {
        // as Patroni 4.1.4's sync_state() writes it to etcd: leader, quorum, sync_standby (sorted, comma-joined), compact
        String written = "{\"leader\":\"pg1\",\"quorum\":1,\"sync_standby\":\"pg2,pg3\"}";
        SyncState s = SyncCodec.decode(written, 5, "k", garbage);
        assertThat(s).isEqualTo(new SyncState("pg1", List.of("pg2", "pg3"), 1, 5));
        assertThat(s.members()).containsExactly("pg1", "pg2", "pg3");
        assertThat(SyncCodec.encode(s)).isEqualTo(written);
    }

    @Test
    void withoutQuorumTheFieldStaysAbsentAsPatroni3WritesIt() {
        SyncState s = SyncCodec.decode("{\"leader\":\"pg1\",\"sync_standby\":\"pg2\"}", 5, "k", garbage);
        assertThat(s.quorum()).isNull();
        assertThat(s.quorumOrZero()).isZero();
        assertThat(SyncCodec.encode(s)).isEqualTo("{\"leader\":\"pg1\",\"sync_standby\":\"pg2\"}");
    }

    @Test
    void aQuorumWithoutLeaderOrNotANumberIsZero() {
        assertThat(SyncCodec.decode("{\"leader\":\"pg1\",\"quorum\":\"x\"}", 5, "k", garbage).quorum()).isZero();
        assertThat(SyncCodec.decode("{\"leader\":null,\"quorum\":2}", 5, "k", garbage).quorum()).isZero();
        assertThat(SyncCodec.decode("{\"leader\":\"pg1\",\"quorum\":null,\"sync_standby\":null}", 5, "k", garbage)
                .quorum()).isZero();
    }
}
