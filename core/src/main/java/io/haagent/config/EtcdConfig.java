package io.haagent.config;

import java.util.List;

/**
 * {@code etcd3:} or {@code etcd:} (§5.2); both mean the etcd v3 API here.
 *
 * @param endpoints normalised client URLs, e.g. {@code http://10.0.0.1:2379}, from host, hosts or url
 * @param section   the section name as written ({@code etcd} or {@code etcd3}), for messages
 */
public record EtcdConfig(
        String section,
        List<String> endpoints,
        String protocol,
        String username,
        Secret password,
        String cacert,
        String cert,
        String key,
        Secret keyPassword) {

    public boolean tls() {
        return "https".equals(protocol) || endpoints.stream().anyMatch(e -> e.startsWith("https://"));
    }
}
