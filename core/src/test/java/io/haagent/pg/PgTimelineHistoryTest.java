package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.cluster.Lsn;
import org.junit.jupiter.api.Test;

class PgTimelineHistoryTest {

    @Test
    void parsesLinesAsTheServerWritesThem() {
        // the content of a real 00000003.history written by PostgreSQL 15
        String content = "1\t0/3000000\tno recovery target specified\n\n2\t0/5000A08\tno recovery target specified\n";
        assertThat(PgTimelineHistory.parse(content)).containsExactly(
                new PgTimelineHistory.Entry(1, Lsn.parse("0/3000000"), "no recovery target specified"),
                new PgTimelineHistory.Entry(2, Lsn.parse("0/5000A08"), "no recovery target specified"));
    }

    @Test
    void skipsCommentsAndRejectsGarbageWithTheLineNumber() {
        assertThat(PgTimelineHistory.parse("# comment\n")).isEmpty();
        assertThatThrownBy(() -> PgTimelineHistory.parse("1\t0/1\tx\nbogus\n")).hasMessageContaining("line 2");
    }
}
