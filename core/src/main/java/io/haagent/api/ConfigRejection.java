package io.haagent.api;

import io.haagent.config.ConfigProblem;
import java.util.List;

/**
 * The {@code config} key in etcd failed the validation of the cluster-wide configuration and is not applied
 * (shown by {@code GET /patroni} as {@code config_rejected}).
 *
 * @param revision     the key's mod_revision that was refused
 * @param errors       why, each with its key path
 * @param keptRevision the revision of the configuration in force instead, 0 when it is the node's own (the cache
 *                     in the data directory or {@code bootstrap.dcs}), -1 when no valid one was ever seen and the
 *                     refused one is read as far as it can be (invalid values replaced by their defaults)
 */
public record ConfigRejection(long revision, List<ConfigProblem> errors, long keptRevision) {
    public ConfigRejection {
        errors = List.copyOf(errors);
    }
}
