package io.haagent.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void controlCharactersBecomeEscapesAndBackslashesAreDoubled() {
        assertThat(SafeText.of("pg1\n2024-01-01 ERROR forged")).isEqualTo("pg1\\n2024-01-01 ERROR forged");
        assertThat(SafeText.of("a\u0000b\rc\td\u001b[31m\u2028")).isEqualTo("a\\0b\\rc\\td\\x1b[31m\\u2028");
        assertThat(SafeText.of("C:\\n")).isEqualTo("C:\\\\n");
        assertThat(SafeText.of("plain name")).isSameAs("plain name");
        assertThat(SafeText.of(null)).isEqualTo("null");
    }

    @Test
    void longTextIsClippedWithTheCountLeftOut() {
        String s = "x".repeat(1_300_000);
        assertThat(SafeText.of(s)).isEqualTo("x".repeat(200) + "...(1299800 more characters)");
        assertThat(SafeText.escape("x".repeat(300))).hasSize(300);
    }

    @Test
    void aWholeRecordHasItsControlsEscapedAndItsBackslashesKept() {
        assertThat(SafeText.controls("names 'a\\nb' and\nc\u0000")).isEqualTo("names 'a\\nb' and\\nc\\0");
        assertThat(SafeText.controls("plain")).isSameAs("plain");
    }
}
