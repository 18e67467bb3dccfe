package io.haagent.config.loader;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Test hosts: a fixed host name and OS user, the real PATH (real PostgreSQL binaries), a fixed HOME. */
final class TestHost {
    static final String HOST_NAME = "pgtest";

    private TestHost() {
    }

    static Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("HOME", "/home/pgtest");
        return env;
    }

    static HostEnvironment postgresUser(NetworkProbe network) {
        return new HostEnvironment(baseEnv(), HOST_NAME, "postgres", network);
    }

    static HostEnvironment postgresUser() {
        return postgresUser(FixedNetwork.NOTHING_RUNS);
    }

    static HostEnvironment withEnv(Map<String, String> extra) {
        Map<String, String> env = baseEnv();
        env.putAll(extra);
        return new HostEnvironment(env, HOST_NAME, "postgres", FixedNetwork.NOTHING_RUNS);
    }

    static HostEnvironment otherUser() {
        return new HostEnvironment(baseEnv(), HOST_NAME, "alice", FixedNetwork.NOTHING_RUNS);
    }

    /** The etcd and addresses of {@code validate/base.yml} answer; nothing else does. */
    static HostEnvironment baseCluster() {
        return postgresUser(new FixedNetwork(Set.of(), Set.of("10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379")));
    }
}
