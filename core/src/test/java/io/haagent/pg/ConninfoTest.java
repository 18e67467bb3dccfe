package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConninfoTest {

    @Test
    void keysFollowPatroniOrderWhateverTheInputOrder() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("application_name", "pg2");
        p.put("port", "5432");
        p.put("host", "10.0.0.1");
        p.put("sslmode", "prefer");
        p.put("user", "replicator");
        p.put("dbname", "postgres");
        p.put("gssencmode", "prefer");
        p.put("channel_binding", "prefer");
        p.put("passfile", "/var/lib/postgresql/pgpass");
        assertThat(Conninfo.build(p)).isEqualTo("dbname=postgres user=replicator passfile=/var/lib/postgresql/pgpass"
                + " host=10.0.0.1 port=5432 sslmode=prefer application_name=pg2 gssencmode=prefer"
                + " channel_binding=prefer");
    }

    @Test
    void passwordIsLeftOutWhenAPassfileIsGiven() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("user", "u");
        p.put("password", "secret");
        p.put("passfile", "/tmp/pgpass");
        assertThat(Conninfo.build(p)).isEqualTo("user=u passfile=/tmp/pgpass").doesNotContain("secret");
    }

    @Test
    void quotesBackslashesAndSpacesAreEscaped() {
        assertThat(Conninfo.escape("it's a\\b")).isEqualTo("it\\'s\\ a\\\\b");
        assertThat(Conninfo.escape("")).isEqualTo("''");
    }

    @Test
    void unknownKeysAreRefused() {
        assertThatThrownBy(() -> Conninfo.build(Map.of("hots", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hots");
    }

    @Test
    void parseReadsWhatBuildWrites() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dbname", "postgres");
        p.put("user", "we ird'user\\");
        p.put("host", "h");
        p.put("application_name", "");
        assertThat(Conninfo.parse(Conninfo.build(p))).isEqualTo(p);
    }

    @Test
    void parseAcceptsQuotedValuesAndSpacesAroundEquals() {
        assertThat(Conninfo.parse(" host = 'a b'  port=5432 options='-c x=\\'y\\''"))
                .containsExactly(Map.entry("host", "a b"), Map.entry("port", "5432"), Map.entry("options", "-c x='y'"));
    }

    @Test
    void parseNamesWhatIsMalformed() {
        assertThatThrownBy(() -> Conninfo.parse("host"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing '='");
        assertThatThrownBy(() -> Conninfo.parse("host='abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unterminated");
    }
}
