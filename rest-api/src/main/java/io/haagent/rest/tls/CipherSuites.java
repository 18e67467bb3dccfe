package io.haagent.rest.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code restapi.ciphers}: Patroni hands an OpenSSL cipher string to Python's {@code ssl}; Java names suites
 * differently. We accept explicit suite names in either spelling ({@code ECDHE-RSA-AES128-GCM-SHA256} or
 * {@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}), separated by {@code :}, {@code ,} or spaces. OpenSSL keywords and
 * operators ({@code HIGH}, {@code !aNULL}, {@code @STRENGTH}, ...) have no Java meaning: they are reported once and
 * ignored. As with OpenSSL's cipher string, the TLS 1.3 suites are not affected.
 */
public final class CipherSuites {
    private static final Logger log = LoggerFactory.getLogger(CipherSuites.class);

    static final List<String> TLS13 = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256");

    private static final Map<String, String> OPENSSL_TO_IANA = Map.ofEntries(
            Map.entry("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry("DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("DHE-RSA-CHACHA20-POLY1305", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry("ECDHE-ECDSA-AES128-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
            Map.entry("ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
            Map.entry("ECDHE-ECDSA-AES256-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
            Map.entry("ECDHE-RSA-AES256-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
            Map.entry("ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
            Map.entry("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            Map.entry("ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
            Map.entry("ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
            Map.entry("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry("AES128-SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256"),
            Map.entry("AES256-SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256"));

    private CipherSuites() {
    }

    /** The Java suite names to enable, or an empty list to keep the JVM's defaults. */
    public static List<String> fromConfig(String ciphers) {
        if (ciphers == null || ciphers.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (String token : ciphers.trim().split("[:,\\s]+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (token.startsWith("TLS_") || token.startsWith("SSL_")) {
                out.add(token);
            } else if (OPENSSL_TO_IANA.containsKey(token)) {
                out.add(OPENSSL_TO_IANA.get(token));
            } else {
                ignored.add(token);
            }
        }
        if (!ignored.isEmpty()) {
            log.warn("restapi.ciphers: {} {} OpenSSL cipher-string syntax that has no Java equivalent and {} ignored;"
                    + " list suites by name (e.g. ECDHE-RSA-AES256-GCM-SHA384)", ignored,
                    ignored.size() == 1 ? "is" : "are", ignored.size() == 1 ? "is" : "are");
        }
        if (out.isEmpty()) {
            return List.of();
        }
        for (String s : TLS13) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
