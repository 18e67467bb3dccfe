package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Lsn;
import io.haagent.cluster.TimelineHistory;
import io.haagent.pg.PgTimelineHistory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineHistoryMergeTest {

    @Test
    void newestLineGetsTheFileTimeAndOurNameOlderLinesKeepWhatEtcdHad() {
        var file = PgTimelineHistory.parse("1\t0/3000060\tno recovery target specified\n"
                + "2\t0/5000000\tno recovery target specified\n");
        var stored = List.of(new TimelineHistory.Line(1, Lsn.parse("0/3000060").value(),
                "no recovery target specified", "2026-03-01T10:00:00.000000+00:00", "pg2"));
        var merged = TimelineHistoryMerge.merge(file, stored, Instant.parse("2026-03-01T12:00:00.123456Z"), "pg3", 0);
        assertThat(merged).hasSize(2);
        assertThat(merged.get(0).timestamp()).isEqualTo("2026-03-01T10:00:00.000000+00:00");
        assertThat(merged.get(0).newLeader()).isEqualTo("pg2");
        assertThat(merged.get(1).parentTimeline()).isEqualTo(2);
        assertThat(merged.get(1).switchLsn()).isEqualTo(Lsn.parse("0/5000000").value());
        assertThat(merged.get(1).timestamp()).startsWith("2026-03-01T").contains(".123456");
        assertThat(merged.get(1).newLeader()).isEqualTo("pg3");
    }

    @Test
    void storedLineWithAnotherSwitchPointIsNotReused() {
        var file = PgTimelineHistory.parse("1\t0/3000060\treason\n2\t0/5000000\treason\n");
        var stored = List.of(new TimelineHistory.Line(1, 12345, "reason", "old", "pgX"));
        var merged = TimelineHistoryMerge.merge(file, stored, Instant.EPOCH, "pg3", 0);
        assertThat(merged.get(0).timestamp()).isNull();
        assertThat(merged.get(0).newLeader()).isNull();
    }

    @Test
    void maxTimelinesHistoryKeepsTheNewest() {
        var file = PgTimelineHistory.parse("1\t0/1\ta\n2\t0/2\tb\n3\t0/3\tc\n");
        var merged = TimelineHistoryMerge.merge(file, List.of(), Instant.EPOCH, "pg1", 2);
        assertThat(merged).extracting(TimelineHistory.Line::parentTimeline).containsExactly(2L, 3L);
    }
}
