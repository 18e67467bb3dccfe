package io.haagent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.harness.AgentKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's CI selection: every fault of {@link Scenarios} once, on ha-agent from the dist tree, with every checker
 * active; the run's report ({@code target/faults-ci.json} and its SVG) is kept for reading. The same run as
 * {@code bench/faults/run.sh --ci --report target/faults-ci.json}. Nodes on 127.0.0.201-203, etcd on .206-.208.
 */
class FaultSuiteIT {
    @Test
    void everyFaultOnceWithoutABreach() throws Exception {
        Path report = Path.of(System.getProperty("basedir", "."), "target", "faults-ci.json");
        FaultSuite.Options o = new FaultSuite.Options(0, 14, report, AgentKind.HA_AGENT, 201, true, List.of());
        List<FaultSuite.Result> results = FaultSuite.runAll(o);
        assertThat(results).extracting(FaultSuite.Result::name)
                .containsExactlyElementsOf(Scenarios.all().stream().map(Scenarios.Scenario::name).toList());
        assertThat(results).allSatisfy(r -> assertThat(r.verdict().breaches()).as(r.name()).isEmpty());
        assertThat(report).exists();
        assertThat(Files.readString(Report.svgPath(report))).startsWith("<svg");
    }
}
