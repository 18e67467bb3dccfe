package io.haagent.config;

import java.util.List;

/** {@code standby_cluster} of the dynamic configuration (§7.3). */
public record StandbyClusterConfig(
        String host,
        Integer port,
        String primarySlotName,
        List<String> createReplicaMethods,
        String restoreCommand,
        String archiveCleanupCommand,
        String recoveryMinApplyDelay) {

    /** Active if host, port or restore_command is set. */
    public boolean active() {
        return (host != null && !host.isBlank()) || port != null
                || (restoreCommand != null && !restoreCommand.isBlank());
    }
}
