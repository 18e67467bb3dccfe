package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    @Test
    void distanceCountsAdjacentTranspositionsAsOneEdit() {
        assertThat(Suggestions.distance("pg_hab", "pg_hba")).isEqualTo(1);
        assertThat(Suggestions.distance("paramters", "parameters")).isEqualTo(1);
        assertThat(Suggestions.distance("conect_adress", "connect_address")).isEqualTo(2);
        assertThat(Suggestions.distance("ttl", "ttl")).isZero();
        assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    }

    @Test
    void nearestOnlyWhenCloseEnoughToBeATypo() {
        List<String> keys = List.of("listen", "connect_address", "authentication", "parameters", "pg_hba", "ttl");
        assertThat(Suggestions.nearest("listn", keys, 3)).isEqualTo("listen");
        assertThat(Suggestions.nearest("authentification", keys, 3)).isEqualTo("authentication");
        assertThat(Suggestions.nearest("tll", keys, 3)).isEqualTo("ttl");
        assertThat(Suggestions.nearest("xy", keys, 3)).isNull();
        assertThat(Suggestions.nearest("shared_buffers", keys, 3)).isNull();
        assertThat(Suggestions.nearest("ParaMeters", keys, 3)).isEqualTo("parameters");
    }
}
