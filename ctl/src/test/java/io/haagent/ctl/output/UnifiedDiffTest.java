package io.haagent.ctl.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** edit-config's diff, line for line what Python's difflib.unified_diff gives patronictl for the same texts. */
class UnifiedDiffTest {
    private static final String BEFORE = "loop_wait: 3\nmaximum_lag_on_failover: 1048576\npostgresql:\n  parameters:\n"
            + "    max_connections: 50\n    wal_log_hints: 'on'\n  use_pg_rewind: true\n  use_slots: true\n"
            + "retry_timeout: 5\nttl: 20\n";

    @Test
    void twoHunksWhenTheChangesAreMoreThanSixLinesApart() {
        String after = BEFORE.replace("loop_wait: 3", "loop_wait: 4").replace("retry_timeout: 5\n",
                "retry_timeout: 5\nsynchronous_mode: true\n");
        assertThat(UnifiedDiff.diff(BEFORE, after, "", "")).containsExactly("--- ", "+++ ", "@@ -1,4 +1,4 @@",
                "-loop_wait: 3", "+loop_wait: 4", " maximum_lag_on_failover: 1048576", " postgresql:", "   parameters:",
                "@@ -7,4 +7,5 @@", "   use_pg_rewind: true", "   use_slots: true", " retry_timeout: 5",
                "+synchronous_mode: true", " ttl: 20");
    }

    @Test
    void deletionsAndContextAtTheEnds() {
        String c = IntStream.range(0, 20).mapToObj(i -> "k" + i + ": " + i).collect(Collectors.joining("\n")) + "\n";
        String d = c.replace("k2: 2\n", "k2: 22\n").replace("k17: 17\n", "");
        assertThat(UnifiedDiff.diff(c, d, "", "")).containsExactly("--- ", "+++ ", "@@ -1,6 +1,6 @@", " k0: 0",
                " k1: 1", "-k2: 2", "+k2: 22", " k3: 3", " k4: 4", " k5: 5", "@@ -15,6 +15,5 @@", " k14: 14", " k15: 15",
                " k16: 16", "-k17: 17", " k18: 18", " k19: 19");
        assertThat(UnifiedDiff.diff("a: 1\n", "{}\n", "", "")).containsExactly("--- ", "+++ ", "@@ -1 +1 @@", "-a: 1",
                "+{}");
        assertThat(UnifiedDiff.diff(c, c, "", "")).isEmpty();
    }
}
