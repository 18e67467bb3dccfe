package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.ha.Action;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decider may emit any {@link Action}: the executor must have a handler for every one of them. */
class ActionExecutorCoverageTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyActionTypeHasAHandler() {
        ActionExecutor executor = new ActionExecutor("pg1", null, null, null, null, null, null, Path.of("/nonexistent"),
                io.haagent.time.Clock.SYSTEM);
        List<Class<?>> types = new ArrayList<>();
        collectRecords(Action.class, types);
        assertThat(types).hasSizeGreaterThan(25).contains(Action.Promote.class, Action.HoldLeadershipInFailsafe.class);
        List<String> missing = new ArrayList<>();
        for (Class<?> t : types) {
            if (!executor.handles((Class<? extends Action>) t)) {
                missing.add(t.getSimpleName());
            }
        }
        assertThat(missing).as("action types without a handler").isEmpty();
        executor.close();
    }

    /** The records under a sealed interface, through its sealed sub-interfaces ({@link Action.LongRunning}). */
    private static void collectRecords(Class<?> sealed, List<Class<?>> out) {
        for (Class<?> t : sealed.getPermittedSubclasses()) {
            if (t.isInterface()) {
                collectRecords(t, out);
            } else {
                out.add(t);
            }
        }
    }
}
