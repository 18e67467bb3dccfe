package io.haagent.config;

import io.haagent.cluster.Tags;
import java.nio.file.Path;
import java.util.List;

/**
 * A node's whole local configuration: a Patroni YAML file (or directory) with {@code PATRONI_*} environment
 * variables applied (§5). Built and validated by the agent's config loader; every other module reads it.
 *
 * @param tags    the effective tags (§1.3.1): the {@code tags} section without the predefined booleans that are
 *                false, as Patroni keeps them ({@code get_tags}) for the member key, {@code /patroni} and the
 *                {@code tag_<k>=<v>} filters of the health checks
 * @param roleNames {@code ha_agent.role_names}: how a primary's role is spelled in what this node writes
 *                  ({@code auto}: as the cluster does, io.haagent.cluster.RoleNames)
 * @param sources the files it was read from, for messages
 */
public record AgentConfig(
        String name,
        String scope,
        String namespace,
        LogConfig log,
        BootstrapConfig bootstrap,
        RestApiConfig restapi,
        CtlConfig ctl,
        EtcdConfig etcd,
        PostgresqlConfig postgresql,
        WatchdogConfig watchdog,
        Tags tags,
        io.haagent.cluster.RoleNames.Setting roleNames,
        List<Path> sources) {

    public AgentConfig {
        roleNames = roleNames == null ? io.haagent.cluster.RoleNames.Setting.AUTO : roleNames;
    }

    /** {@code /<namespace>/<scope>} with runs of {@code /} collapsed (§1.1). */
    public String basePath() {
        return basePath(namespace, scope);
    }

    public static String basePath(String namespace, String scope) {
        String ns = namespace == null ? "service" : namespace;
        return ("/" + ns + "/" + scope).replaceAll("/+", "/");
    }
}
