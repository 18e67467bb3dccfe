package io.haagent.slots;

import java.util.List;

/**
 * What to do with this node's replication slots, in order: drops first (so a slot whose type changed can be
 * re-created under the same name), then creations, then advances. {@code keeps} explain what is left alone.
 */
public record SlotPlan(List<SlotAction> steps) {
    public static final SlotPlan EMPTY = new SlotPlan(List.of());

    public SlotPlan {
        steps = List.copyOf(steps);
    }

    /** The steps that change something (everything but {@link SlotAction.Keep}). */
    public List<SlotAction> changes() {
        return steps.stream().filter(s -> !(s instanceof SlotAction.Keep)).toList();
    }

    public boolean hasChanges() {
        return !changes().isEmpty();
    }
}
