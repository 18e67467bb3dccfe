package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void splitsLikeAPosixShellWithoutExpanding() {
        assertThat(CommandLine.split("/usr/bin/cb.sh  --flag 'a b' \"c \\\"d\\\" $HOME\" e\\ f"))
                .containsExactly("/usr/bin/cb.sh", "--flag", "a b", "c \"d\" $HOME", "e f");
    }

    @Test
    void adjacentQuotedPartsJoinOneWord() {
        assertThat(CommandLine.split("a'b c'\"d\"")).containsExactly("ab cd");
    }

    @Test
    void unclosedQuotesAreErrors() {
        assertThatThrownBy(() -> CommandLine.split("a 'b")).hasMessageContaining("unclosed single quote");
        assertThatThrownBy(() -> CommandLine.split("a \"b")).hasMessageContaining("unclosed double quote");
    }
}
