package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SynchronousStandbyNamesTest {

    @Test
    void rendersPatroniShapes() {
        assertThat(SynchronousStandbyNames.render(1, List.of())).isEmpty();
        assertThat(SynchronousStandbyNames.render(1, List.of("*"))).isEqualTo("*");
        assertThat(SynchronousStandbyNames.render(1, List.of("pg2"))).isEqualTo("pg2");
        assertThat(SynchronousStandbyNames.render(2, List.of("pg2", "pg3"))).isEqualTo("2 (pg2,pg3)");
    }

    @Test
    void quotesOnlyWhatIsNotAPlainIdentifier() {
        assertThat(SynchronousStandbyNames.render(1, List.of("db-1"))).isEqualTo("\"db-1\"");
        assertThat(SynchronousStandbyNames.render(1, List.of("first"))).isEqualTo("\"first\"");
        assertThat(SynchronousStandbyNames.render(2, List.of("a\"b", "c$1"))).isEqualTo("2 (\"a\"\"b\",c$1)");
    }
}
