package io.haagent.rest.tls;

import io.haagent.config.RestApiConfig;
import io.haagent.tls.PemFiles;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@code restapi} TLS (§2.2, §5.2): certificate and key from PEM files, client certificates
 * checked against {@code cafile} when {@code verify_client} is {@code optional} (asked for, enforced on unsafe
 * endpoints) or {@code required} (demanded by the handshake on every connection), and the cipher list.
 */
public final class TlsContext {
    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);

    private TlsContext() {
    }

    public static SslContextFactory.Server serverFactory(RestApiConfig cfg) {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String storePassword = Base64.getEncoder().encodeToString(random);
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(PemFiles.keyStore(Path.of(cfg.certfile()),
                cfg.keyfile() == null || cfg.keyfile().isBlank() ? null : Path.of(cfg.keyfile()),
                cfg.keyfilePassword(), storePassword.toCharArray()));
        f.setKeyStorePassword(storePassword);
        if (cfg.cafile() != null && !cfg.cafile().isBlank()) {
            f.setTrustStore(PemFiles.trustStore(Path.of(cfg.cafile())));
        }
        String verify = cfg.verifyClient() == null ? "none" : cfg.verifyClient().toLowerCase(Locale.ROOT);
        switch (verify) {
            case "none" -> { }
            case "optional" -> f.setWantClientAuth(true);
            case "required" -> f.setNeedClientAuth(true);
            default -> log.error("restapi.verify_client: '{}' is not none, optional or required; client certificates"
                    + " are not requested", cfg.verifyClient());
        }
        List<String> suites = CipherSuites.fromConfig(cfg.ciphers());
        if (!suites.isEmpty()) {
            f.setIncludeCipherSuites(suites.toArray(new String[0]));
        }
        // Clients reach nodes by IP address; the certificate's names are the operator's business (as in Patroni).
        f.setSniRequired(false);
        f.setEndpointIdentificationAlgorithm(null);
        return f;
    }
}
