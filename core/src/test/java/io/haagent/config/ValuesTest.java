package io.haagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Booleans as Patroni's parse_bool reads them (patroni/utils.py: its doctests and its word lists). */
class ValuesTest {
    @Test
    void parseBoolAcceptsPatronisWordsInAnyCaseAndNothingElse() {
        for (Object yes : List.of(true, "on", "ON", "True", "yes", "YES", "1", 1, 1L)) {
            assertThat(Values.toBool(yes)).as("%s", yes).isTrue();
            assertThat(Values.truthy(yes)).as("%s", yes).isTrue();
        }
        for (Object no : List.of(false, "off", "False", "no", "0", 0)) {
            assertThat(Values.toBool(no)).as("%s", no).isFalse();
            assertThat(Values.truthy(no)).as("%s", no).isFalse();
        }
        // parse_bool('foo') is None; so are 2, 1.0, 'y', ' on' (str(value).lower(), no trimming)
        for (Object neither : Arrays.asList(null, "foo", 2, 1.0, "y", "n", " on", "", Map.of(), List.of(1))) {
            assertThat(Values.toBool(neither)).as("%s", neither).isNull();
            assertThat(Values.truthy(neither)).as("%s", neither).isFalse();
        }
    }
}
