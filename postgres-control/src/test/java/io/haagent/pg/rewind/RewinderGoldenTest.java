package io.haagent.pg.rewind;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Lsn;
import io.haagent.pg.ControlData;
import io.haagent.pg.Divergence;
import io.haagent.pg.DivergenceRule;
import io.haagent.pg.PgTimelineHistory;
import io.haagent.pg.golden.Golden;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One real failover (golden files of a single run): the old primary stopped cleanly, its shutdown checkpoint
 * record ends exactly where the promoted replica's timeline 2 branched off, so it did not diverge.
 */
class RewinderGoldenTest {

    private static String core(String name) {
        try (InputStream in = RewinderGoldenTest.class.getResourceAsStream("/io/haagent/pg/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("core golden file " + name + " is not on the test class path", e);
        }
    }

    @Test
    void theCheckpointEndIsReadFromPgWaldumpsError() {
        List<String> out = Golden.read("pg_waldump-shutdown-checkpoint.txt").lines().toList();
        assertThat(Rewinder.parseCheckpointEnd(out, Lsn.parse("0/30000D8"))).contains(Lsn.parse("0/3000150"));
        assertThat(Rewinder.parseCheckpointEnd(out, Lsn.parse("0/3000000"))).as("another record").isEmpty();
        assertThat(Rewinder.parseCheckpointEnd(List.of("pg_waldump: error: could not find file"), Lsn.parse("0/1")))
                .isEmpty();
    }

    @Test
    void theCleanlyStoppedOldPrimaryDidNotDiverge() {
        ControlData cd = ControlData.parse(core("pg_controldata-shut-down.txt"));
        List<PgTimelineHistory.Entry> history = PgTimelineHistory.parse(core("timeline_history_2.txt"));
        Optional<Lsn> end = Rewinder.parseCheckpointEnd(Golden.read("pg_waldump-shutdown-checkpoint.txt").lines()
                .toList(), cd.checkpointLocation().orElseThrow());
        Divergence d = DivergenceRule.decide(cd.localPosition().orElseThrow(), 2, history, () -> end);
        assertThat(d).isInstanceOf(Divergence.NotDiverged.class);
    }
}
