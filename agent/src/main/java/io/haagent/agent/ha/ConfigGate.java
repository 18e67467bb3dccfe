package io.haagent.agent.ha;

import io.haagent.api.ConfigRejection;
import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterView;
import io.haagent.config.ConfigProblem;
import io.haagent.config.DynamicConfigRules;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last good cluster-wide configuration: a {@code config} key that fails {@link DynamicConfigRules} (written
 * by hand, by an older agent, by a tool that does not validate) is not applied. The decider, the executor and
 * postgres see the last configuration that passed instead, and the refusal is logged once per revision and published
 * ({@link ConfigRejection}, {@code /patroni}). The one place where the loop decides which configuration is in force.
 *
 * <p>Patroni keeps its previous configuration only when reading the new one raises ({@code Config
 * .set_dynamic_configuration}, "Exception when setting dynamic_configuration"); other invalid values it adjusts or
 * replaces by defaults, so etcd and the nodes disagree without anyone being told.
 *
 * <p>With no valid configuration seen yet (the node's own, from the cache or {@code bootstrap.dcs}, is empty or
 * invalid too), the refused key is read as far as it can be, as before this gate existed and as Patroni does, and
 * the refusal still says so. A missing or empty key passes through: the leader writes its own then (§3.2 step 4).
 */
final class ConfigGate {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigGate.class);

    private ClusterConfig lastGood;
    private long judgedRevision = Long.MIN_VALUE;
    private ConfigRejection rejection;

    /** @param own the node's own dynamic configuration (cache or {@code bootstrap.dcs}); revision 0 */
    ConfigGate(Map<String, Object> own) {
        if (own != null && !own.isEmpty() && DynamicConfigRules.errors(own).isEmpty()) {
            lastGood = ClusterConfig.of(own, 0);
        }
    }

    /** The view with the configuration in force: the key's when it is valid, else the last good one. */
    ClusterView admit(ClusterView v) {
        ClusterConfig c = v.config();
        if (c == null || c.isEmpty()) {
            return v;
        }
        if (c.modRevision() != judgedRevision) {
            judgedRevision = c.modRevision();
            List<ConfigProblem> errors = DynamicConfigRules.errors(c.data());
            if (errors.isEmpty()) {
                if (rejection != null) {
                    LOG.info("the config key (revision {}) is valid again and applied", c.modRevision());
                }
                lastGood = c;
                rejection = null;
            } else {
                rejection = new ConfigRejection(c.modRevision(), errors, lastGood == null ? -1 : lastGood.modRevision());
                LOG.warn("the config key in etcd (revision {}) is not valid and is not applied: {}; {}",
                        c.modRevision(), errors.stream().map(ConfigProblem::line).collect(Collectors.joining("; ")),
                        lastGood == null ? "no valid configuration was seen before, so it is read as far as it can be"
                                + " (invalid values replaced by their defaults)"
                                : lastGood.modRevision() == 0 ? "keeping this node's own configuration"
                                + " (bootstrap.dcs or the cached one)"
                                : "keeping the configuration of revision " + lastGood.modRevision());
            }
        }
        if (rejection == null || lastGood == null) {
            return v;
        }
        return new ClusterView(v.initialize(), lastGood, v.leader(), v.status(), v.members(), v.failover(), v.sync(),
                v.history(), v.failsafe(), v.revision());
    }

    /** The refusal in force, or null when the key is applied. */
    ConfigRejection rejection() {
        return rejection;
    }
}
