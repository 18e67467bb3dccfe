package io.haagent.ctl.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tables, tsv, json and yaml exactly as patronictl 3.0.2 prints them (expected texts taken from its print_output). */
class TableTest {
    private static Rows members() {
        Rows r = new Rows(List.of("Cluster", "Member", "Host", "Role", "State", "TL", "Lag in MB"))
                .title(" Cluster: batman (7312345678901234567) ").skipInPretty(1)
                .align("Lag in MB", Table.Align.RIGHT).align("TL", Table.Align.RIGHT);
        r.add(List.of("b", "pg1", "127.0.0.11:5432", "Leader", "running", 1, ""));
        r.add(List.of("b", "pg2", "127.0.0.12:5432", "Replica", "streaming", 1, 0));
        return r;
    }

    @Test
    void prettyTableHasTheTitleInItsTopBorder() {
        assertThat(members().render(Format.PRETTY, "\t", null)).isEqualTo(String.join("\n",
                "+ Cluster: batman (7312345678901234567) ---------+----+-----------+",
                "| Member | Host            | Role    | State     | TL | Lag in MB |",
                "+--------+-----------------+---------+-----------+----+-----------+",
                "| pg1    | 127.0.0.11:5432 | Leader  | running   |  1 |           |",
                "| pg2    | 127.0.0.12:5432 | Replica | streaming |  1 |         0 |",
                "+--------+-----------------+---------+-----------+----+-----------+"));
    }

    @Test
    void multiLineCellsPutARuleBetweenAllRows() {
        Rows r = new Rows(List.of("Cluster", "Member", "Tags")).title(" Cluster: b (1) ").skipInPretty(1);
        r.add(List.of("b", "pg1", ""));
        r.add(List.of("b", "pg2", "nofailover: true\nx: y"));
        assertThat(r.render(Format.PRETTY, "\t", null)).isEqualTo(String.join("\n",
                "+ Cluster: b (1) -----------+",
                "| Member | Tags             |",
                "+--------+------------------+",
                "| pg1    |                  |",
                "+--------+------------------+",
                "| pg2    | nofailover: true |",
                "|        | x: y             |",
                "+--------+------------------+"));
    }

    @Test
    void jsonLeavesOutEmptyCellsOfMemberTablesAndKeepsNumbersNumbers() {
        assertThat(members().render(Format.JSON, "\t", null)).isEqualTo("[{\"Cluster\": \"b\", \"Member\": \"pg1\","
                + " \"Host\": \"127.0.0.11:5432\", \"Role\": \"Leader\", \"State\": \"running\", \"TL\": 1},"
                + " {\"Cluster\": \"b\", \"Member\": \"pg2\", \"Host\": \"127.0.0.12:5432\", \"Role\": \"Replica\","
                + " \"State\": \"streaming\", \"TL\": 1, \"Lag in MB\": 0}]");
    }

    @Test
    void yamlSortsKeysAndTsvKeepsTheClusterColumn() {
        assertThat(members().render(Format.YAML, "\t", null)).isEqualTo(String.join("\n",
                "- Cluster: b", "  Host: 127.0.0.11:5432", "  Member: pg1", "  Role: Leader", "  State: running",
                "  TL: 1",
                "- Cluster: b", "  Host: 127.0.0.12:5432", "  Lag in MB: 0", "  Member: pg2", "  Role: Replica",
                "  State: streaming", "  TL: 1"));
        assertThat(members().render(Format.TSV, "\t", null)).isEqualTo(String.join("\n",
                "Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB",
                "b\tpg1\t127.0.0.11:5432\tLeader\trunning\t1\t",
                "b\tpg2\t127.0.0.12:5432\tReplica\tstreaming\t1\t0"));
    }

    @Test
    void untitledTablesKeepEmptyCellsInJson() {
        Rows h = new Rows(List.of("TL", "LSN", "Reason", "Timestamp", "New Leader"))
                .align("TL", Table.Align.RIGHT).align("LSN", Table.Align.RIGHT);
        h.add(List.of(1, 50331808L, "no recovery target specified", "2024-01-01T00:00:00+00:00", "pg2"));
        h.add(List.of(2, 1234, "x", "", ""));
        assertThat(h.render(Format.PRETTY, "\t", null)).isEqualTo(String.join("\n",
                "+----+----------+------------------------------+---------------------------+------------+",
                "| TL |      LSN | Reason                       | Timestamp                 | New Leader |",
                "+----+----------+------------------------------+---------------------------+------------+",
                "|  1 | 50331808 | no recovery target specified | 2024-01-01T00:00:00+00:00 | pg2        |",
                "|  2 |     1234 | x                            |                           |            |",
                "+----+----------+------------------------------+---------------------------+------------+"));
        assertThat(h.render(Format.JSON, "\t", null)).isEqualTo("[{\"TL\": 1, \"LSN\": 50331808, \"Reason\":"
                + " \"no recovery target specified\", \"Timestamp\": \"2024-01-01T00:00:00+00:00\", \"New Leader\":"
                + " \"pg2\"}, {\"TL\": 2, \"LSN\": 1234, \"Reason\": \"x\", \"Timestamp\": \"\", \"New Leader\": \"\"}]");
    }

    @Test
    void emptyHistoryIsJustTheHeader() {
        Rows h = new Rows(List.of("TL", "LSN", "Reason", "Timestamp", "New Leader"));
        assertThat(h.render(Format.PRETTY, "\t", null)).isEqualTo(String.join("\n",
                "+----+-----+--------+-----------+------------+",
                "| TL | LSN | Reason | Timestamp | New Leader |",
                "+----+-----+--------+-----------+------------+",
                "+----+-----+--------+-----------+------------+"));
    }

    @Test
    void colourIsAppliedAfterPaddingSoColumnsStayAligned() {
        String out = Table.render(null, List.of("Role"), List.of(List.of("Leader"), List.of("Replica")),
                Map.of(), (col, text) -> "<" + text + ">");
        assertThat(out).contains("| <Leader > |").contains("| <Replica> |");
    }

    @Test
    void pythonTextOfValues() {
        assertThat(PyText.str(null)).isEqualTo("None");
        assertThat(PyText.str(true)).isEqualTo("True");
        assertThat(PyText.str(0.0)).isEqualTo("0.0");
        assertThat(PyText.str(2.5)).isEqualTo("2.5");
        assertThat(PyText.dumps(Map.of("k", "é\"\n"))).isEqualTo("{\"k\": \"\\u00e9\\\"\\n\"}");
    }
}
