package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlotNamesTest {

    @Test
    void plainNamesAreLowercased() {
        assertThat(SlotNames.fromMemberName("Postgres0")).isEqualTo("postgres0");
        assertThat(SlotNames.fromMemberName("pg_1")).isEqualTo("pg_1");
    }

    @Test
    void dashesAndDotsBecomeUnderscores() {
        assertThat(SlotNames.fromMemberName("db-1.example.com")).isEqualTo("db_1_example_com");
    }

    @Test
    void otherCharactersBecomeTheirDecimalCodePoint() {
        assertThat(SlotNames.fromMemberName("a b")).isEqualTo("au0032b");
        assertThat(SlotNames.fromMemberName("a@b")).isEqualTo("au0064b");
        assertThat(SlotNames.fromMemberName("a/b:c")).isEqualTo("au0047bu0058c");
    }

    @Test
    void nonAsciiIsLoweredThenEncoded() {
        // 'Ä' lowercases to 'ä' (U+00E4 = 228) as Python's str.lower() does
        assertThat(SlotNames.fromMemberName("Äb")).isEqualTo("u0228b");
        // CJK: U+8282 = 33410 has five digits; the format is at least four
        assertThat(SlotNames.fromMemberName("节点1")).isEqualTo("u33410u28857" + "1");
        // a character outside the BMP counts as one code point, not two surrogates
        assertThat(SlotNames.fromMemberName("a\uD83D\uDE00")).isEqualTo("au128512");
    }

    @Test
    void lowercasingIgnoresTheDefaultLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
            assertThat(SlotNames.fromMemberName("NODE-I")).isEqualTo("node_i");
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void truncatesTo63Characters() {
        String name = "x".repeat(70);
        assertThat(SlotNames.fromMemberName(name)).hasSize(63);
        // truncation happens after encoding, as Patroni does: an encoded character may be cut in half
        String encoded = SlotNames.fromMemberName("y".repeat(60) + "@");
        assertThat(encoded).isEqualTo("y".repeat(60) + "u00");
    }
}
