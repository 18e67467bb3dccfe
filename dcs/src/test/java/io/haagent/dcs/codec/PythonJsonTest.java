package io.haagent.dcs.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Expected strings come from Python 3.11 {@code json.dumps(v, separators=(',', ':'))}. */
class PythonJsonTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1.0|1.0", "0.1|0.1", "1e16|1e+16", "1e15|1000000000000000.0", "123456789.125|123456789.125",
        "1e-5|1e-05", "0.0001|0.0001", "1.5e-7|1.5e-07", "-2.5|-2.5", "1e100|1e+100", "4.9e-324|5e-324",
        "1.7976931348623157e308|1.7976931348623157e+308", "100.0|100.0", "2e22|2e+22", "0.3|0.3",
        "0.3333333333333333|0.3333333333333333", "-0.0|-0.0"})
    void floatsAsPythonReprWritesThem(double value, String python) {
        assertThat(PythonJson.dumps(value)).isEqualTo(python);
    }

    @Test
    void nonAsciiIsEscapedInLowercaseHexAndAstralCharactersAsSurrogatePairs() {
        String s = "Zürich \u2013 \uD83D\uDE00 \"q\" \\ \n\t\u007f/";
        assertThat(PythonJson.dumps(s)).isEqualTo("\"Z\\u00fcrich \\u2013 \\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\t\\u007f/\"");
    }

    @Test
    void compactSeparatorsInsertionOrderAndPythonKeyConversion() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("z", List.of(1, 2L, true));
        m.put("a", null);
        m.put(1, "one");
        m.put(true, Map.of());
        assertThat(PythonJson.dumps(m)).isEqualTo("{\"z\":[1,2,true],\"a\":null,\"1\":\"one\",\"true\":{}}");
    }

    @Test
    void refusesValuesJsonCannotHold() {
        assertThatThrownBy(() -> PythonJson.dumps(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void readsAsJsonLoadsDoes() throws JsonProcessingException {
        assertThat(PythonJson.parse("{\"b\":1,\"a\":[NaN, 2.5]}")).isEqualTo(
                new LinkedHashMap<>(Map.of("b", 1, "a", List.of(Double.NaN, 2.5))));
        assertThatThrownBy(() -> PythonJson.parse("{} extra")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> PythonJson.parse("{")).isInstanceOf(JsonProcessingException.class);
    }
}
