package io.haagent.ha;

/** The actions of one decision in order, with a few queries the steps need. */
final class Plan {
    private final java.util.List<Action> actions = new java.util.ArrayList<>();

    void add(Action a) {
        actions.add(a);
    }

    boolean has(Class<? extends Action> type) {
        return actions.stream().anyMatch(type::isInstance);
    }

    boolean hasLong() {
        return actions.stream().anyMatch(Action.LongRunning.class::isInstance);
    }

    java.util.List<Action> actions() {
        return actions;
    }
}
