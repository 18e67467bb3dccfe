package io.haagent.dcs.etcd;

import io.haagent.config.EtcdConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks of an {@code etcd3} section made before any connection, gRPC ({@link EtcdConnection}) or JSON
 * ({@link EtcdGatewayReader}); a class of its own so that agentctl's JSON reads load nothing of jetcd.
 */
final class EtcdSettings {
    private EtcdSettings() {
    }

    /** Checks what a typo would otherwise turn into an obscure TLS or gRPC error at the first call. */
    static void validate(EtcdConfig c) {
        String s = c.section() == null ? "etcd3" : c.section();
        if (c.endpoints() == null || c.endpoints().isEmpty()) {
            throw new IllegalArgumentException(s + ": no etcd endpoint (set host, hosts or url)");
        }
        for (String e : c.endpoints()) {
            URI u;
            try {
                u = URI.create(e);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(s + ": '" + e + "' is not an endpoint URL", ex);
            }
            if (u.getHost() == null || u.getPort() < 0) {
                throw new IllegalArgumentException(s + ": '" + e + "' is not an endpoint URL of the form "
                        + "http(s)://host:port");
            }
        }
        if ((c.password() != null) && (c.username() == null || c.username().isEmpty())) {
            throw new IllegalArgumentException(s + ".password is set but " + s + ".username is not");
        }
        checkFile(s + ".cacert", c.cacert());
        checkFile(s + ".cert", c.cert());
        checkFile(s + ".key", c.key());
        if (c.key() != null && c.cert() == null) {
            throw new IllegalArgumentException(s + ".key is set but " + s + ".cert is not");
        }
        if ((c.cacert() != null || c.cert() != null) && !c.tls()) {
            throw new IllegalArgumentException(s + ": TLS files are set but the endpoints use http; set "
                    + s + ".protocol: https");
        }
        String keyFile = c.key() != null ? c.key() : c.cert();
        if (keyFile != null) {
            try {
                String pem = Files.readString(Path.of(keyFile), StandardCharsets.US_ASCII);
                if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
                    throw new IllegalArgumentException(s + (c.key() != null ? ".key" : ".cert") + ": " + keyFile
                            + " holds a PKCS#1/SEC1 key; convert it to PKCS#8 with "
                            + "'openssl pkcs8 -topk8 -nocrypt -in " + keyFile + " -out <new file>'");
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new IllegalArgumentException(s + ": cannot read " + keyFile + ": " + e.getMessage(), e);
            }
        }
    }

    private static void checkFile(String key, String path) {
        if (path != null && !Files.isReadable(Path.of(path))) {
            throw new IllegalArgumentException(key + ": " + path + " does not exist or is not readable");
        }
    }
}
