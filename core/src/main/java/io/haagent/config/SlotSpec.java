package io.haagent.config;

/** A permanent replication slot from the dynamic configuration's {@code slots} (§4.8.1). */
public record SlotSpec(String name, String type, String database, String plugin) {
    public static final String PHYSICAL = "physical";
    public static final String LOGICAL = "logical";

    public boolean isLogical() {
        return LOGICAL.equals(type);
    }

    public boolean isPhysical() {
        return PHYSICAL.equals(type);
    }
}
