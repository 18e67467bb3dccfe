package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Lsn;
import org.junit.jupiter.api.Test;

/** pg_controldata output of real PostgreSQL 15 clusters in each state (golden files). */
class ControlDataTest {

    @Test
    void cleanlyStoppedPrimary() {
        ControlData cd = ControlData.parse(GoldenFiles.read("pg_controldata-shut-down.txt"));
        assertThat(cd.state()).isEqualTo(ControlData.State.SHUT_DOWN);
        assertThat(cd.cleanlyShutDown()).isTrue();
        assertThat(cd.systemIdentifier()).isEqualTo("7712428786749488161");
        assertThat(cd.checkpointLocation()).contains(Lsn.parse("0/30000D8"));
        assertThat(cd.checkpointTimeline()).contains(1L);
        assertThat(cd.walLogHints()).isTrue();
        assertThat(cd.dataChecksums()).isFalse();
        assertThat(cd.rewindPossible()).isTrue();
        assertThat(cd.setting("max_connections")).contains(30L);
        assertThat(cd.get("pg_control last modified")).matches("\\w{3} \\w{3} +\\d+ \\d\\d:\\d\\d:\\d\\d \\d{4}");
        assertThat(cd.localPosition()).contains(new ControlData.LocalPosition(false, 1, Lsn.parse("0/30000D8")));
    }

    @Test
    void replicaStoppedInRecoveryReportsItsMinimumRecoveryPoint() {
        ControlData cd = ControlData.parse(GoldenFiles.read("pg_controldata-shut-down-in-recovery.txt"));
        assertThat(cd.state()).isEqualTo(ControlData.State.SHUT_DOWN_IN_RECOVERY);
        assertThat(cd.cleanlyShutDown()).isTrue();
        assertThat(cd.localPosition()).contains(new ControlData.LocalPosition(true, 1, Lsn.parse("0/3000000")));
    }

    @Test
    void crashedPrimaryTellsNothingUntilCrashRecoveryRan() {
        ControlData cd = ControlData.parse(GoldenFiles.read("pg_controldata-crashed.txt"));
        assertThat(cd.state()).isEqualTo(ControlData.State.IN_PRODUCTION);
        assertThat(cd.cleanlyShutDown()).isFalse();
        assertThat(cd.localPosition()).isEmpty();
    }

    @Test
    void runningServers() {
        ControlData primary = ControlData.parse(GoldenFiles.read("pg_controldata-in-production.txt"));
        assertThat(primary.state()).isEqualTo(ControlData.State.IN_PRODUCTION);
        ControlData replica = ControlData.parse(GoldenFiles.read("pg_controldata-in-archive-recovery.txt"));
        assertThat(replica.state()).isEqualTo(ControlData.State.IN_ARCHIVE_RECOVERY);
        assertThat(replica.systemIdentifier()).as("a clone has its primary's identity")
                .isEqualTo(primary.systemIdentifier());
        assertThat(replica.minRecoveryEndingLocation()).contains(Lsn.parse("0/2000100"));
    }

    @Test
    void everyLineOfTheOutputIsAKey() {
        String out = GoldenFiles.read("pg_controldata-shut-down.txt");
        assertThat(ControlData.parse(out).values()).hasSize((int) out.lines().filter(l -> l.contains(":")).count());
    }
}
