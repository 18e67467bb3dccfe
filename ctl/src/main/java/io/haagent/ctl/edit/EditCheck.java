package io.haagent.ctl.edit;

import io.haagent.config.loader.DynamicConfigCheck;
import io.haagent.config.loader.Problem;
import io.haagent.ctl.output.YamlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates an edited cluster configuration before it is written, by the rules the REST API and the nodes apply
 * ({@link io.haagent.config.DynamicConfigRules}). Errors stop the write, those already in the stored configuration
 * too (the nodes are not running that configuration: they keep their last good one), marked as such; warnings are
 * shown only when the edit introduces them.
 */
public final class EditCheck {
    /** Problems of the edit, each as {@code key.path: message}. */
    public record Result(List<String> errors, List<String> warnings) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private EditCheck() {
    }

    public static Result check(Map<String, Object> before, Map<String, Object> after) {
        List<String> old = lines(DynamicConfigCheck.check(YamlText.dump(before), "stored configuration"));
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Problem p : DynamicConfigCheck.check(YamlText.dump(after), "edited configuration")) {
            String line = line(p);
            if (p.isError()) {
                errors.add(old.contains(line) ? line + " (already in the stored configuration)" : line);
            } else if (!old.contains(line)) {
                warnings.add(line);
            }
        }
        return new Result(errors, warnings);
    }

    private static List<String> lines(List<Problem> problems) {
        List<String> out = new ArrayList<>();
        problems.forEach(p -> out.add(line(p)));
        return out;
    }

    private static String line(Problem p) {
        return p.path() + ": " + p.message();
    }
}
