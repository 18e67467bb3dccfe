package io.haagent.slots;

/**
 * How one step of a slot plan went.
 *
 * @param outcome {@code DONE}, {@code SKIPPED} (e.g. a drop refused because the slot is active, a creation
 *                that found the slot already there) or {@code FAILED}
 * @param detail  one sentence; for failures the server's message
 */
public record SlotResult(SlotAction action, Outcome outcome, String detail) {
    public enum Outcome { DONE, SKIPPED, FAILED }

    public boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
