package io.haagent.rest.access;

import io.haagent.config.RestApiConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call the unsafe endpoints (every PATCH/PUT/POST/DELETE, {@code POST /mpp} included), checked in Patroni's
 * order (§2.2): the allowlist (403 {@code Access is denied}), then the client certificate when TLS asks for one
 * (403 {@code client certificate required}), then Basic authentication (401 {@code no auth header received} /
 * {@code not authenticated}, with a {@code WWW-Authenticate} challenge). GET endpoints never need access.
 */
public final class AccessPolicy {
    private static final Logger log = LoggerFactory.getLogger(AccessPolicy.class);

    private final List<IpNetwork> allowlist;
    private final boolean includeMembers;
    private final boolean clientCertificateRequired;
    private final byte[] expectedToken;

    /** Why a request was refused. */
    public record Denial(int status, String message, boolean challenge) {
    }

    AccessPolicy(List<IpNetwork> allowlist, boolean includeMembers, boolean clientCertificateRequired,
            byte[] expectedToken) {
        this.allowlist = List.copyOf(allowlist);
        this.includeMembers = includeMembers;
        this.clientCertificateRequired = clientCertificateRequired;
        this.expectedToken = expectedToken == null ? null : expectedToken.clone();
    }

    /**
     * Builds the policy from {@code restapi}: allowlist entries with a {@code /} are networks, others are IPs or
     * host names resolved now (a name that does not resolve is logged and allows nobody, as in Patroni).
     */
    public static AccessPolicy from(RestApiConfig cfg) {
        List<IpNetwork> nets = new ArrayList<>();
        if (cfg.allowlist() != null) {
            for (String entry : cfg.allowlist()) {
                if (entry == null || entry.isBlank()) {
                    continue;
                }
                if (entry.contains("/")) {
                    try {
                        nets.add(IpNetwork.parseCidr(entry));
                    } catch (IllegalArgumentException e) {
                        log.error("restapi.allowlist: {}; entry ignored", e.getMessage());
                    }
                } else {
                    nets.addAll(resolve(entry.trim(), "restapi.allowlist"));
                }
            }
        }
        String verify = cfg.verifyClient() == null ? "none" : cfg.verifyClient().toLowerCase(Locale.ROOT);
        boolean certRequired = cfg.tls() && ("required".equals(verify) || "optional".equals(verify));
        byte[] token = null;
        if (cfg.authenticationEnabled()) {
            token = Base64.getEncoder().encode((cfg.username() + ":" + cfg.password().reveal())
                    .getBytes(StandardCharsets.UTF_8));
        }
        return new AccessPolicy(nets, cfg.allowlistIncludeMembers(), certRequired, token);
    }

    public boolean restrictsAddresses() {
        return !allowlist.isEmpty() || includeMembers;
    }

    /**
     * @param client          the peer address of the connection
     * @param hasClientCert   the TLS handshake produced a verified client certificate
     * @param authorization   the {@code Authorization} header, or null
     * @param memberNetworks  the addresses of the members' REST APIs (only asked when
     *                        {@code allowlist_include_members} is on)
     * @return null when the request may proceed
     */
    public Denial check(InetAddress client, boolean hasClientCert, String authorization,
            Supplier<Collection<IpNetwork>> memberNetworks) {
        if (restrictsAddresses()) {
            boolean allowed = allowlist.stream().anyMatch(n -> n.contains(client));
            if (!allowed && includeMembers) {
                allowed = memberNetworks.get().stream().anyMatch(n -> n.contains(client));
            }
            if (!allowed) {
                return new Denial(403, "Access is denied", false);
            }
        }
        if (clientCertificateRequired && !hasClientCert) {
            return new Denial(403, "client certificate required", false);
        }
        if (expectedToken != null) {
            if (authorization == null) {
                return new Denial(401, "no auth header received", true);
            }
            if (!authorization.startsWith("Basic ")
                    || !MessageDigest.isEqual(authorization.substring(6).getBytes(StandardCharsets.UTF_8),
                            expectedToken)) {
                return new Denial(401, "not authenticated", true);
            }
        }
        return null;
    }

    static List<IpNetwork> resolve(String host, String what) {
        List<IpNetwork> out = new ArrayList<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                out.add(IpNetwork.of(a));
            }
        } catch (UnknownHostException e) {
            log.error("{}: failed to resolve '{}': {}", what, host, e.getMessage());
        }
        return out;
    }
}
