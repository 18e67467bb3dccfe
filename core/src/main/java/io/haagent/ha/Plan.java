package io.haagent.ha;

/** The actions of one decision in order, with a few queries the steps need. */
final class Plan {
    private final java.util.List<Action> actions = new java.util.ArrayList<>();

    void add(Action a) {
        actions.add(a);
    }

    /** Inserts {@code more} after the last action of {@code type}, or at the end when there is none. */
    void insertAfter(Class<? extends Action> type, java.util.List<Action> more) {
        int at = actions.size();
        for (int i = actions.size() - 1; i >= 0; i--) {
            if (type.isInstance(actions.get(i))) {
                at = i + 1;
                break;
            }
        }
        actions.addAll(at, more);
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
