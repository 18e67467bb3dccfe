package io.haagent.testing;

import java.nio.file.Path;

/**
 * The local configuration of one node of a cluster that runs on fakes (the agent's loop tests and the simulator):
 * addresses nobody connects to (10.0.0.x), etcd on 10.0.0.1, no watchdog, ttl 30, loop_wait 10, retry_timeout 10.
 */
public final class LoopNodeYaml {
    private LoopNodeYaml() {
    }

    /**
     * @param dynamic more of {@code bootstrap.dcs}, indented as its keys (or empty)
     * @param extra   more top-level sections (or empty)
     */
    public static String of(String scope, String name, String host, String dynamic, Path dataDir, String extra) {
        return """
                scope: %s
                name: %s
                restapi:
                  listen: %s:8008
                  connect_address: %s:8008
                etcd3:
                  host: 10.0.0.1:2379
                watchdog:
                  mode: off
                bootstrap:
                  dcs:
                    ttl: 30
                    loop_wait: 10
                    retry_timeout: 10
                %s
                postgresql:
                  listen: %s:5432
                  connect_address: %s:5432
                  data_dir: %s
                  authentication:
                    superuser: {username: postgres, password: superpw}
                    replication: {username: replicator, password: replpw}
                %s""".formatted(scope, name, host, host, dynamic.stripTrailing(), host, host, dataDir, extra);
    }
}
