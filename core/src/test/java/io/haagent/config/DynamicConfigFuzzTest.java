package io.haagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.GucSyntax;
import io.haagent.testing.JsonFuzz;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz (seeded, fixed budget): the validation never throws, and whatever it accepts the nodes read exactly as
 * written: {@link DynamicConfig#from} and {@link RestrictedGucs#resolve} adjust nothing (but Patroni's timing rule,
 * which the validation announces as a warning), and every parameter that
 * reaches postgresql.conf is a valid name with a value that quotes.
 */
class DynamicConfigFuzzTest {
    static final int CASES = 10_000;

    @Test
    void whatTheValidationAcceptsIsReadWithoutAdjustment() {
        int accepted = 0;
        for (long seed = 1; seed <= CASES; seed++) {
            JsonFuzz fuzz = new JsonFuzz(seed);
            Map<String, Object> config = fuzz.config(3);
            List<ConfigProblem> problems;
            try {
                problems = DynamicConfigRules.check(config);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": the validation threw on " + config, e);
            }
            DynamicConfig read = DynamicConfig.from(config); // never throws either, valid or not
            if (problems.stream().anyMatch(ConfigProblem::error)) {
                continue;
            }
            accepted++;
            List<String> adjusted = new ArrayList<>(read.warnings());
            // the one adjustment a valid configuration may get, Patroni's timing rule, is announced by the validation
            boolean announced = problems.stream().anyMatch(p -> !p.error() && p.toString().contains("Patroni adjust"));
            adjusted.removeIf(w -> announced && (w.startsWith("loop_wait + 2*retry_timeout") || w.startsWith("ttl=")
                    || w.startsWith("retry_timeout=")));
            RestrictedGucs.resolve(read.parameters(), adjusted::add);
            assertThat(adjusted).as("seed %d: accepted %s", seed, config).isEmpty();
            for (Map.Entry<String, Object> p : read.parameters().entrySet()) {
                assertThat(GucSyntax.nameProblem(p.getKey())).as("seed %d", seed).isNull();
                if (p.getValue() != null) {
                    GucSyntax.quote(RestrictedGucs.valueText(p.getValue()));
                }
            }
            EffectiveParameters.compute(read.parameters(), Map.of(), "127.0.0.1:5432", "s", "/d", 15, w -> { });
        }
        // the generator must reach both sides, or the property says nothing
        assertThat(accepted).isBetween(CASES / 50, CASES - CASES / 50);
    }
}
