package io.haagent.agent.ha;

import io.haagent.config.AgentConfig;
import io.haagent.config.BootstrapConfig;
import io.haagent.config.DynamicConfig;
import io.haagent.config.Values;
import io.haagent.ha.NodeSettings;
import java.util.Map;

/** The decider's view of this node's configuration: the local file's settings and the dynamic configuration. */
final class NodeSettingsOf {
    private NodeSettingsOf() {
    }

    static NodeSettings of(AgentConfig config, DynamicConfig dynamic, Map<String, Object> dynamicRaw,
            Watchdog watchdog) {
        var pgc = config.postgresql();
        boolean withoutLeader = false;
        for (String m : pgc.createReplicaMethods()) {
            Map<String, Object> section = pgc.replicaMethods().get(m);
            if (section != null && (Values.truthy(section.get("no_leader")) || Values.truthy(section.get("no_master")))) {
                withoutLeader = true;
            }
        }
        boolean removeOnDiverged = dynamic.removeDataDirectoryOnDivergedTimelines() != null
                ? dynamic.removeDataDirectoryOnDivergedTimelines() : pgc.removeDataDirectoryOnDivergedTimelines();
        var boot = config.bootstrap();
        return new NodeSettings(config.name(), config.scope(), config.tags(),
                boot != null && boot != BootstrapConfig.NONE, boot == null ? null : boot.effectiveMethod(), dynamicRaw,
                withoutLeader, watchdog.required(), watchdog.usable(), removeOnDiverged, watchdog.enabled());
    }
}
