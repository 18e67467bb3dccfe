package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The names and values PostgreSQL's configuration-file scanner reads back as one setting. */
class GucSyntaxTest {
    @Test
    void namesFollowTheScannersIdAndQualifiedId() {
        for (String ok : new String[] {"work_mem", "_x", "auto_explain.log_min_duration", "A1", "pg_stat_statements.max"}) {
            assertThat(GucSyntax.nameProblem(ok)).as(ok).isNull();
        }
        for (String bad : new String[] {"", "1abc", "work mem", "a.b.c", "a.", ".a", "x=y", "x'y", "x\ny", "caf\u00e9",
            "include", "INCLUDE_DIR", "include_if_exists", "a".repeat(64)}) {
            assertThat(GucSyntax.nameProblem(bad)).as(bad).isNotNull();
        }
    }

    @Test
    void valuesAreQuotedWithQuotesAndBackslashesDoubled() {
        assertThat(GucSyntax.quote("it's C:\\tmp")).isEqualTo("'it''s C:\\\\tmp'");
        assertThat(GucSyntax.quote("%t [%p]\t")).isEqualTo("'%t [%p]\t'");
        assertThatThrownBy(() -> GucSyntax.quote("4MB\nfsync = off")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value holds a control character (a line feed at position 3): postgresql.conf cannot"
                        + " carry it");
        assertThat(GucSyntax.valueProblem("a\u0000")).contains("a NUL");
        assertThat(GucSyntax.valueProblem("x\u0085")).contains("U+0085");
    }
}
