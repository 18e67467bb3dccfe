package io.haagent.config;

import java.util.List;
import java.util.Map;

/** {@code restapi} (§5.2). Addresses are kept as written ("host:port"). */
public record RestApiConfig(
        String listen,
        String connectAddress,
        String username,
        Secret password,
        String certfile,
        String keyfile,
        Secret keyfilePassword,
        String cafile,
        String ciphers,
        String verifyClient,
        List<String> allowlist,
        boolean allowlistIncludeMembers,
        Map<String, String> httpExtraHeaders,
        Map<String, String> httpsExtraHeaders,
        int requestQueueSize) {

    public boolean tls() {
        return certfile != null && !certfile.isBlank();
    }

    public boolean authenticationEnabled() {
        return username != null && password != null;
    }

    /** {@code http(s)://<connect_address or listen>/patroni}, as written to the member key. */
    public String apiUrl() {
        String addr = connectAddress != null && !connectAddress.isBlank() ? connectAddress : listen;
        return (tls() ? "https" : "http") + "://" + addr + "/patroni";
    }
}
