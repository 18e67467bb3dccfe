package io.haagent.ctl.settings;

import io.haagent.config.Credentials;
import io.haagent.config.EtcdConfig;
import io.haagent.config.Secret;

/**
 * What agentctl needs to reach a cluster, from the node's configuration file and the command line.
 *
 * @param scope      the cluster name from the file ({@code scope}), or null without a file
 * @param etcd       where the cluster's keys live
 * @param apiUser    Basic auth for the REST API: {@code ctl.authentication}, else {@code restapi.authentication}
 * @param cacert     CA of the nodes' REST API certificates: {@code ctl.cacert}, else {@code restapi.cafile}
 * @param certfile   client certificate for the REST API ({@code ctl.certfile}), or null
 * @param insecure   do not verify the REST API's certificates ({@code -k} or {@code ctl.insecure})
 * @param superuser  {@code postgresql.authentication.superuser}, the default credentials of {@code query}
 * @param source     where the settings came from, for messages
 */
public record CtlSettings(
        String namespace,
        String scope,
        EtcdConfig etcd,
        String apiUser,
        Secret apiPassword,
        String cacert,
        String certfile,
        String keyfile,
        Secret keyfilePassword,
        boolean insecure,
        Credentials superuser,
        String source) {

    public String namespaceOrDefault() {
        return namespace == null || namespace.isBlank() ? "/service" : namespace;
    }
}
