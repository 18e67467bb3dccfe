package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.testing.TestBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/prometheus: the alerting rules, checked and unit-tested with the real promtool. */
class PrometheusRulesIT {
    private static final Path RULES = Dist.examples().resolve("prometheus/ha-agent-rules.yml");
    private static final Path RULE_TESTS = Dist.examples().resolve("prometheus/ha-agent-rules.test.yml");

    /** The deployment guide's rule, which can never fire: count() over no series is empty, not 0. */
    private static final String GUIDE_EXPR = "count(patroni_role{role=\"master\"}) by (cluster) == 0";

    @Test
    void rulesAreValid() throws Exception {
        Cmd.Result r = Cmd.of(promtool(), "check", "rules", RULES).run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("SUCCESS: 7 rules found");
    }

    @Test
    void scrapeConfigIsValidAndLoadsTheRules() throws Exception {
        Cmd.Result r = Cmd.of(promtool(), "check", "config", RULES.resolveSibling("prometheus.yml")).run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("SUCCESS: 1 rule files found").contains("SUCCESS: 7 rules found");
    }

    /** Every alert has a case in the rule tests where it fires (a non-empty exp_alerts), not only quiet ones. */
    @Test
    void everyAlertHasACaseWhereItFires() throws Exception {
        String tests = Files.readString(RULE_TESTS);
        List<String> alerts = java.util.regex.Pattern.compile("(?m)^\\s*- alert: (\\w+)$")
                .matcher(Files.readString(RULES)).results().map(m -> m.group(1)).toList();
        assertThat(alerts).contains("HaAgentReplicationLag", "HaAgentPaused", "HaAgentPendingRestart",
                "HaAgentSyncStandbyMissing");
        for (String alert : alerts) {
            assertThat(tests).as(alert).containsPattern("alertname: " + alert + "\\n\\s+exp_alerts:\\n\\s+- exp_labels");
        }
    }

    @Test
    void ruleTestsPass() throws Exception {
        Cmd.Result r = Cmd.of(promtool(), "test", "rules", RULE_TESTS).run();
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).contains("SUCCESS");
    }

    @Test
    void ruleTestsCatchTheGuidesRuleThatNeverFires(@TempDir Path tmp) throws Exception {
        // The same tests against the rules with the guide's expression for "no primary" must fail:
        // proof that they show the alert firing, not merely that nothing unexpected fires.
        Files.writeString(tmp.resolve(RULES.getFileName()), withNoPrimaryExpr(Files.readString(RULES), GUIDE_EXPR));
        Files.copy(RULE_TESTS, tmp.resolve(RULE_TESTS.getFileName()));

        Cmd.Result r = Cmd.of(promtool(), "test", "rules", tmp.resolve(RULE_TESTS.getFileName())).run();
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.out() + r.err()).as(r.toString())
                .contains("FAILED")
                .contains("alertname: HaAgentClusterNoPrimary, time: 11m")
                .contains("alertname: HaAgentClusterNoPrimary, time: 17m");
    }

    /** The rules text with HaAgentClusterNoPrimary's (block-scalar) expr replaced by {@code expr}. */
    private static String withNoPrimaryExpr(String rules, String expr) {
        List<String> out = new ArrayList<>();
        boolean inAlert = false;
        boolean replaced = false;
        int skipDeeperThan = -1;
        for (String line : rules.split("\n", -1)) {
            int indent = line.length() - line.stripLeading().length();
            if (skipDeeperThan >= 0) {
                if (line.isBlank() || indent > skipDeeperThan) {
                    continue;
                }
                skipDeeperThan = -1;
            }
            if (line.strip().startsWith("- alert:")) {
                inAlert = line.strip().equals("- alert: HaAgentClusterNoPrimary");
            }
            if (inAlert && !replaced && line.strip().startsWith("expr:")) {
                out.add(" ".repeat(indent) + "expr: " + expr);
                replaced = true;
                skipDeeperThan = indent;
                continue;
            }
            out.add(line);
        }
        assertThat(replaced).as("HaAgentClusterNoPrimary has an expr in " + RULES).isTrue();
        return String.join("\n", out);
    }

    private static Path promtool() {
        return TestBinaries.onPath("promtool", "prometheus");
    }
}
