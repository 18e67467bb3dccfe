package io.haagent.ctl.members;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.testing.Samples;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * patronictl 4.1.4 (run from its source tree, which CI cannot fetch) listed a two-node ha-agent cluster and switched it
 * over (samples recorded by PatroniSamplesRecorder): it read our etcd keys and REST API as its own, and what it listed
 * before and after is what agentctl listed at the same moment (member, host, role, state, timeline).
 */
class PatronictlSamplesTest {
    private static final String DIR = "patronictl-4.1.4-on-ha-agent";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @CsvSource({"before", "after"})
    void patronictl4ListsOurClusterAsAgentctlDoes(String when) throws Exception {
        JsonNode theirs = JSON.readTree(Samples.read(DIR, "list-" + when + ".json"));
        JsonNode ours = JSON.readTree(Samples.read(DIR, "agentctl-list-" + when + ".json"));
        assertThat(rows(theirs)).isEqualTo(rows(ours));
        assertThat(rows(theirs).get(leader(when))).startsWith("Leader running");
        // Patroni 4.1's replica columns come from our member keys (receive_lsn, replay_lsn)
        theirs.forEach(r -> {
            if (r.path("Role").asText().equals("Replica")) {
                assertThat(r.path("Replay LSN").asText()).matches("[0-9A-F]+/[0-9A-F]+");
                assertThat(r.path("Receive LSN").asText()).matches("[0-9A-F]+/[0-9A-F]+");
            }
        });
    }

    @org.junit.jupiter.api.Test
    void patronictl4SwitchedOverOurCluster() {
        assertThat(leader("after")).isNotEqualTo(leader("before"));
        assertThat(Samples.read(DIR, "switchover.txt")).contains("Successfully switched over to \"" + leader("after")
                + "\"");
    }

    private static String leader(String when) {
        return Samples.read(DIR, "leaders.txt").lines().filter(l -> l.startsWith(when + ": ")).findFirst()
                .orElseThrow().substring(when.length() + 2).strip();
    }

    private static Map<String, String> rows(JsonNode list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(r -> out.put(r.path("Member").asText(), r.path("Role").asText() + " " + r.path("State").asText()
                + " " + r.path("Host").asText() + " TL" + r.path("TL").asText()));
        return out;
    }
}
