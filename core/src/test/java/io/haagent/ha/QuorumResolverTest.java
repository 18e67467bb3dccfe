package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.ha.QuorumResolver.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quorum state machine against the transitions Patroni 4.1.4's QuorumStateResolver produces for the same states
 * (its tests/test_quorum.py cases, restated). Sets are written as letters, one member name each ({@code -}: empty);
 * the leader is {@code a} unless a row says otherwise. Expected: {@code sync|quorum|restart leader num names}, in
 * order.
 */
class QuorumResolverTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // case                                       | leader q voters numsync sync conf active wanted leaderWanted | expected
        "first standby: list it, then read again       | a 0 -    0 -     0 b     2 a | sync a 1 b; restart a 0 -",
        "first standby caught up: it votes             | a 0 -    1 b     1 b     2 a | quorum a 0 b",
        "four standbys at once                         | a 0 -    0 -     0 bcde  2 a | sync a 2 bcde; restart a 0 -",
        "four listed, one confirmed: quorum 3          | a 0 -    2 bcde  1 bcde  2 a | quorum a 3 bcde",
        "steady                                        | a 0 b    1 b     1 b     2 a | ",
        "add a node by raising the quorum              | a 0 b    1 b     1 bc    1 a | quorum a 1 bc; sync a 1 bc",
        "add a node by raising numsync                 | a 0 b    1 b     1 bc    2 a | sync a 2 bc; quorum a 1 bc",
        "lower the quorum once it caught up            | a 1 bc   2 bc    2 bc    2 a | quorum a 0 bc",
        "add several: numsync and quorum both          | a 0 b    1 b     1 bcde  2 a | sync a 2 bc; quorum a 3 bcde; sync a 2 bcde",
        "primary alone                                 | a 0 b    1 b     0 -     1 a | quorum a 0 -; sync a 0 -",
        "swap the sync standby                         | a 0 b    1 b     0 c     1 a | quorum a 0 -; sync a 1 c; restart a 0 -",
        "interrupted 2 to 3, c went away               | a 0 b    2 bc    1 b     2 a | sync a 1 b",
        "interrupted 2 to 3, c not caught up           | a 0 b    2 bc    1 bc    2 a | quorum a 1 bc",
        "interrupted, d joins too                      | a 0 b    2 bc    1 bcd   2 a | quorum a 2 bcd; sync a 2 bcd",
        "interrupted voters change, c went away        | a 1 bc   1 b     1 b     1 a | quorum a 0 b",
        "interrupted voters change, c back             | a 1 bc   1 b     1 bc    1 a | sync a 1 bc",
        "remove two nodes                              | a 2 bcde 2 bcde  2 bc    2 a | sync a 2 bc; quorum a 0 bc",
        "remove two nodes, lower numsync               | a 2 bcde 2 bcde  2 bc    1 a | sync a 2 bc; quorum a 1 bc; sync a 1 bc",
        "add a node, lower numsync, raise quorum       | a 2 bcde 2 bcde  2 bcdef 1 a | quorum a 4 bcdef; sync a 1 bcdef",
        "remove a non-sync node                        | a 0 bc   2 bc    1 b     2 a | quorum a 0 b; sync a 1 b",
        "swap a node                                   | a 0 bc   2 bc    1 bd    2 a | quorum a 0 b; sync a 2 bd; quorum a 1 bd",
        "promotion: c won the vote, a joins the voters | a 2 bcd  0 -     0 -     1 c | sync a 1 abd; quorum c 2 abd",
        "after promotion b reconnected                 | c 2 abd  1 abd   0 b     1 c | sync c 1 b; quorum c 0 b",
        "after promotion nobody reconnected            | c 2 abd  1 abd   0 -     1 c | quorum c 0 -; sync c 0 -",
        "promotion of a node that was no voter         | a 1 bc   0 -     0 -     1 d | sync a 2 abc; quorum d 1 abc",
        "after it, b and c reconnected                 | d 1 abc  2 abc   0 bc    1 d | sync d 2 bc; quorum d 1 bc; sync d 1 bc",
        "broken invariant: repaired by the quorum      | a 0 bc   1 bc    1 bc    1 a | quorum a 1 bc",
        "sets changed behind our back                  | a 1 bc   2 bd    1 bd    1 a | quorum a 1 bd; sync a 1 bd",
        "numsync high, quorum low                      | a 2 bcdef 4 bcdef 3 bcdef 2 a | quorum a 3 bcdef; sync a 2 bcdef",
    })
    void transitionsAsPatroni4(String what, String state, String expected) {
        String[] s = state.trim().split("\\s+");
        List<Transition> got = QuorumResolver.transitions(s[0], Integer.parseInt(s[1]), set(s[2]),
                Integer.parseInt(s[3]), set(s[4]), Integer.parseInt(s[5]), set(s[6]), Integer.parseInt(s[7]), s[8]);
        assertThat(render(got)).as(what).isEqualTo(expected == null ? "" : expected.trim());
    }

    private static Set<String> set(String letters) {
        List<String> out = new ArrayList<>();
        if (!letters.equals("-")) {
            letters.chars().forEach(c -> out.add(String.valueOf((char) c)));
        }
        return QuorumResolver.names(out);
    }

    private static String render(List<Transition> ts) {
        List<String> parts = new ArrayList<>();
        for (Transition t : ts) {
            String names = String.join("", t.names()).toLowerCase(Locale.ROOT);
            parts.add(t.type().name().toLowerCase(Locale.ROOT) + " " + t.leader() + " " + t.num() + " "
                    + (names.isEmpty() ? "-" : names));
        }
        return String.join("; ", parts);
    }

}
