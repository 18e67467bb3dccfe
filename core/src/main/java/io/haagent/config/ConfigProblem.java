package io.haagent.config;

/**
 * One finding about the cluster-wide configuration: the key path ({@code postgresql.parameters.work_mem}, list items
 * as {@code ignore_slots[1]}) and the reason. An error means the configuration is not written (REST, agentctl) and
 * not applied (the agent reading the {@code config} key keeps its last good one); a warning is shown and changes
 * nothing. Key names in the path are {@link io.haagent.text.SafeText escaped}; values that may hold a secret
 * (postgresql parameters, recovery settings) are never quoted in the reason.
 */
public record ConfigProblem(boolean error, String path, String reason) {

    public static ConfigProblem error(String path, String reason) {
        return new ConfigProblem(true, path, reason);
    }

    public static ConfigProblem warning(String path, String reason) {
        return new ConfigProblem(false, path, reason);
    }

    /** {@code path: reason}, the line every tool prints. */
    public String line() {
        return path + ": " + reason;
    }

    @Override
    public String toString() {
        return (error ? "error: " : "warning: ") + line();
    }
}
