package io.haagent.ctl.settings;

import io.haagent.config.Credentials;
import io.haagent.config.EtcdConfig;
import io.haagent.config.restclient.RestClientSettings;

/**
 * What agentctl needs to reach a cluster, from the node's configuration file and the command line.
 *
 * @param scope      the cluster name from the file ({@code scope}), or null without a file
 * @param etcd       where the cluster's keys live
 * @param api        Basic auth and TLS for the nodes' REST API ({@code ctl}, else {@code restapi} settings; the
 *                   servers are verified unless {@code -k} or {@code ctl.insecure})
 * @param superuser  {@code postgresql.authentication.superuser}, the default credentials of {@code query}
 * @param source     where the settings came from, for messages
 */
public record CtlSettings(
        String namespace,
        String scope,
        EtcdConfig etcd,
        RestClientSettings api,
        Credentials superuser,
        String source) {

    public String namespaceOrDefault() {
        return namespace == null || namespace.isBlank() ? "/service" : namespace;
    }
}
