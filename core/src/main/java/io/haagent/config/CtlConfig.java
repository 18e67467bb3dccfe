package io.haagent.config;

/** {@code ctl} (§5.2): how agentctl (and node-to-node calls) authenticate to the REST API. */
public record CtlConfig(
        String username,
        Secret password,
        boolean insecure,
        String cacert,
        String certfile,
        String keyfile,
        Secret keyfilePassword) {
    public static final CtlConfig NONE = new CtlConfig(null, null, false, null, null, null, null);
}
