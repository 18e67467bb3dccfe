package io.haagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
        "1024, B, 1024",
        "16MB, B, 16777216",
        "1kB, B, 1024",
        "2GB, B, 2147483648",
        "1TB, B, 1099511627776",
        "1.5MB, B, 1572864",
        "0x400, B, 1024",
        "010, B, 8",
        "' 7 kB ', B, 7168",
        "-1, B, -1",
        "16mb, B, null",
        "5s, B, null",
        "abc, B, null",
        "'', B, null",
        "30, s, 30",
        "30s, s, 30",
        "2min, s, 120",
        "1h, s, 3600",
        "1d, s, 86400",
        "1500ms, s, 2",
        "500ms, s, 0",
        "1MB, s, null",
    })
    void parsesLikePatroni(String value, String base, Long expected) {
        assertThat(Units.parseInt(value, base)).isEqualTo(expected);
    }
}
