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

    /** The steps the slot applier changes something with (neither {@link SlotAction.Keep} nor a copy). */
    public List<SlotAction> changes() {
        return steps.stream().filter(s -> !(s instanceof SlotAction.Keep) && !(s instanceof SlotAction.CopyLogical))
                .toList();
    }

    public boolean hasChanges() {
        return !changes().isEmpty();
    }

    /** The permanent logical slots to copy from the primary (a separate, long action: postgres restarts). */
    public List<SlotAction.CopyLogical> copies() {
        return steps.stream().filter(SlotAction.CopyLogical.class::isInstance).map(SlotAction.CopyLogical.class::cast)
                .toList();
    }
}
