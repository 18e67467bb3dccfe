package io.haagent.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PythonLogFormatTest {
    @Test
    void patronisDefaultFormat() {
        assertThat(PythonLogFormat.toLogback("%(asctime)s %(levelname)s: %(message)s", null, true))
                .isEqualTo("%d{\"yyyy-MM-dd HH:mm:ss,SSS\"} %replace(%level){'^WARN$', 'WARNING'}: %safemsg%n");
    }

    @Test
    void widthsOtherFieldsLiteralsAndDateFormat() {
        assertThat(PythonLogFormat.toLogback("%(asctime)s [%(process)d] %(levelname)-8s (%(name)s) 100%% %(foo)s"
                + "%(message)s", "%Y-%m-%dT%H:%M:%S%z", false)).isEqualTo("%d{\"yyyy-MM-dd'T'HH:mm:ssZ\"}"
                + " [%property{PID}] %-8(%replace(%level){'^WARN$', 'WARNING'}) \\(%logger\\) 100\\% %safemsg%n%nopex");
    }

    @Test
    void strftimeToJavaPatterns() {
        assertThat(PythonLogFormat.javaDate("%d/%b/%Y %I:%M:%S %p")).isEqualTo("dd/MMM/yyyy hh:mm:ss a");
        assertThat(PythonLogFormat.javaDate("%H:%M:%S.%f at %j")).isEqualTo("HH:mm:ss.SSS 'at' DDD");
    }

    @Test
    void fieldsOfAFormatInOrder() {
        assertThat(PythonLogFormat.fields("%(asctime)s %(levelname)-8s %(name)s: %(message)s"))
                .containsExactly("asctime", "levelname", "name", "message");
    }
}
