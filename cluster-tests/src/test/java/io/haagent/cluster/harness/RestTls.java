package io.haagent.cluster.harness;

import io.haagent.config.restclient.RestClientSettings;
import io.haagent.config.restclient.RestClientTls;
import io.haagent.testing.TestBinaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for the REST API without subjectAltName (what {@code openssl req -x509 -subj /CN=...}
 * gives, and what many operators generate), and the HTTP client a test calls members with: it presents that
 * certificate as its client certificate (members run with {@code verify_client: required}) and, as Patroni's
 * member calls, checks neither the server's chain nor its host name (none of 127.0.0.x is in the certificate).
 */
public record RestTls(Path cert, Path key) {

    static RestTls generate(Path dir) {
        try {
            Files.createDirectories(dir);
            List<String> cmd = List.of(TestBinaries.onPath("openssl", "openssl").toString(), "req", "-x509",
                    "-newkey", "rsa:2048", "-nodes", "-keyout", "rest.key", "-out", "rest.crt", "-days", "2",
                    "-subj", "/CN=ha-agent-rest");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("openssl req -x509 failed: " + out);
            }
            RestTls t = new RestTls(dir.resolve("rest.crt"), dir.resolve("rest.key"));
            Files.setPosixFilePermissions(t.key(), PosixFilePermissions.fromString("rw-------"));
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The test's client: this certificate as client certificate, nothing of the server checked. */
    HttpClient client() {
        return RestClientTls.httpClient(new RestClientSettings(null, null, null, cert.toString(), key.toString(),
                null, false, "restapi", "restapi.cafile"), Duration.ofSeconds(2));
    }
}
