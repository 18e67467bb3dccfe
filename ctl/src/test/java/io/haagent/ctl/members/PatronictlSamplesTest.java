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
    @CsvSource({"before, pg1", "after, pg2"})
    void patronictl4ListsOurClusterAsAgentctlDoes(String when, String leader) throws Exception {
        JsonNode theirs = JSON.readTree(Samples.read(DIR, "list-" + when + ".json"));
        JsonNode ours = JSON.readTree(Samples.read(DIR, "agentctl-list-" + when + ".json"));
        assertThat(rows(theirs)).isEqualTo(rows(ours));
        assertThat(rows(theirs).get(leader)).startsWith("Leader running");
        assertThat(Samples.read(DIR, "leaders.txt")).contains(when + ": " + leader);
    }

    @org.junit.jupiter.api.Test
    void patronictl4SwitchedOverOurCluster() {
        assertThat(Samples.read(DIR, "switchover.txt")).contains("Successfully switched over to \"pg2\"");
    }

    private static Map<String, String> rows(JsonNode list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(r -> out.put(r.path("Member").asText(), r.path("Role").asText() + " " + r.path("State").asText()
                + " " + r.path("Host").asText() + " TL" + r.path("TL").asText()));
        return out;
    }
}
