package io.haagent.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Every question has a flag; without a terminal the flag is named instead of asking. */
class PromptsTest {
    @Test
    void withoutATerminalNothingIsAskedAndTheFlagIsNamed() {
        Prompts p = new Prompts(Terminal.NONE);
        assertThatThrownBy(() -> p.confirm("Are you sure you want to switchover cluster batman?", "--force", "x"))
                .isInstanceOf(UsageException.class)
                .hasMessage("Are you sure you want to switchover cluster batman: there is no terminal to ask; add"
                        + " --force to confirm");
        assertThatThrownBy(() -> p.ask("Candidate [pg2, pg3]", "", "--candidate NAME"))
                .isInstanceOf(UsageException.class)
                .hasMessage("there is no terminal to ask 'Candidate [pg2, pg3]': give it with --candidate NAME");
    }

    @Test
    void answersAndDefaults() {
        ScriptedTerminal t = new ScriptedTerminal("", "pg3", "y", "n");
        Prompts p = new Prompts(t);
        assertThat(p.ask("Primary", "pg1", "--leader")).isEqualTo("pg1");
        assertThat(p.ask("Candidate", "", "--candidate")).isEqualTo("pg3");
        p.confirm("Sure?", "--force", "Aborted");
        assertThatThrownBy(() -> p.confirm("Sure?", "--force", "Aborted switchover")).isInstanceOf(CtlException.class)
                .hasMessage("Aborted switchover");
        assertThat(t.prompts).containsExactly("Primary [pg1]: ", "Candidate: ", "Sure? [y/N]: ", "Sure? [y/N]: ");
    }
}
