package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.RoleNames;
import io.haagent.pg.PostgresControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spells the primary's role as the cluster does ({@link RoleNames#follow}, issue 11: 'master' under a Patroni 3
 * leader, 'primary' under a Patroni 4 one or in a new cluster, unless {@code ha_agent.role_names} pins it), for the
 * node's answers and for the callbacks, before anything of the cycle is written.
 */
final class RoleNamesFollower {
    private static final Logger LOG = LoggerFactory.getLogger(RoleNamesFollower.class);

    private final String name;
    private final NodeState node;
    private final PostgresControl pg;
    private boolean applied;

    RoleNamesFollower(String name, NodeState node, PostgresControl pg) {
        this.name = name;
        this.node = node;
        this.pg = pg;
    }

    void follow(RoleNames.Setting setting, ClusterView v) {
        RoleNames was = node.roleNames();
        RoleNames now = RoleNames.follow(setting, v, name, was);
        if (now == was && applied) {
            return;
        }
        if (now != was) {
            LOG.info("role names: a primary is '{}' from now on ({})", now.primary(),
                    setting == RoleNames.Setting.AUTO ? "as the cluster writes it" : RoleNames.Setting.KEY + " pins it");
        }
        node.setRoleNames(now);
        pg.setRoleNames(now);
        applied = true;
    }
}
