package io.haagent.rest.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.api.FakeNodeActions;
import io.haagent.api.SnapshotFixtures;
import io.haagent.api.StatusBoard;
import io.haagent.config.RestApiConfig;
import io.haagent.config.Secret;
import io.haagent.rest.RestApiOptions;
import io.haagent.rest.RestApiServer;
import io.haagent.testing.TestPki;
import io.haagent.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with PEM files from a test CA made by openssl: key formats, verify_client modes, ciphers. */
class TlsIT {
    @TempDir
    static Path dir;
    static TestPki pki;

    private RestApiServer server;

    @BeforeAll
    static void makePki() {
        pki = new TestPki(dir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private RestApiConfig cfg(String cert, String key, String keyPassword, String verify, String ciphers,
            String user, String password) {
        return new RestApiConfig("127.0.0.1:0", "127.0.0.1:8008", user, Secret.of(password), pki.path(cert),
                key == null ? null : pki.path(key), Secret.of(keyPassword), pki.path("ca.crt"), ciphers, verify,
                List.of(), false, Map.of("X-Plain", "1"), Map.of("Strict-Transport-Security", "max-age=31536000"), 5);
    }

    private void start(RestApiConfig cfg) {
        server = RestApiServer.start(cfg, new StatusBoard(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime())),
                new FakeNodeActions(SnapshotFixtures.threeMembers()), Clock.SYSTEM, RestApiOptions.DEFAULTS);
    }

    private HttpResponse<String> call(String client, String method, String path, String... headers)
            throws IOException, InterruptedException {
        return call(client, null, method, path, headers);
    }

    private HttpResponse<String> call(String client, String[] protocols, String method, String path,
            String... headers) throws IOException, InterruptedException {
        SSLParameters params = new SSLParameters();
        if (protocols != null) {
            params.setProtocols(protocols);
        }
        HttpClient http = HttpClient.newBuilder().sslContext(pki.clientContext(client)).sslParameters(params).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHttpsWithTheHttpsHeaders() throws Exception {
        start(cfg("server.crt", "server.key", null, "none", null, null, null));
        assertThat(server.baseUrl()).startsWith("https://127.0.0.1:");
        HttpResponse<String> r = call(null, "GET", "/patroni");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"role\":\"primary\"");
        assertThat(r.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
        assertThat(r.headers().firstValue("X-Plain")).hasValue("1");
        assertThat(call(null, "POST", "/reload").statusCode()).isEqualTo(202);
    }

    @Test
    void everyKeyEncodingPatroniAccepts() throws Exception {
        for (RestApiConfig c : List.of(
                cfg("server.crt", "server-encrypted.key", "key-pass-42", null, null, null, null),
                cfg("server.crt", "server-pkcs1.key", null, null, null, null, null),
                cfg("ec-server.crt", "ec-server.key", null, null, null, null, null),
                cfg("server-with-key.pem", null, null, null, null, null, null))) {
            start(c);
            assertThat(call(null, "GET", "/primary").statusCode()).as(c.keyfile()).isEqualTo(200);
            server.close();
            server = null;
        }
    }

    @Test
    void badKeyMaterialFailsAtStartNamingTheFile() {
        assertThatThrownBy(() -> start(cfg("server.crt", "server-encrypted.key", "badpass-77", null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("restapi.keyfile").hasMessageContaining("server-encrypted.key")
                .hasMessageContaining("cannot decrypt").hasMessageNotContaining("badpass-77");
        assertThatThrownBy(() -> start(cfg("server.crt", "server-encrypted.key", null, null, null, null, null)))
                .hasMessageContaining("restapi.keyfile_password is not set");
        assertThatThrownBy(() -> start(cfg("server.crt", "client.key", null, null, null, null, null)))
                .hasMessageContaining("does not fit the certificate");
        assertThatThrownBy(() -> start(cfg("missing.crt", "server.key", null, null, null, null, null)))
                .hasMessageContaining("missing.crt").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> start(cfg("server.ext", "server.key", null, null, null, null, null)))
                .hasMessageContaining("server.ext: not a PEM file");
    }

    @Test
    void optionalClientCertificatesAreEnforcedOnUnsafeEndpointsOnly() throws Exception {
        start(cfg("server.crt", "server.key", null, "optional", null, "admin", "pw"));
        assertThat(call(null, "GET", "/primary").statusCode()).isEqualTo(200);
        HttpResponse<String> noCert = call(null, "POST", "/reload");
        assertThat(noCert.statusCode()).isEqualTo(403);
        assertThat(noCert.body()).isEqualTo("client certificate required");
        String auth = "Basic " + Base64.getEncoder().encodeToString("admin:pw".getBytes());
        assertThat(call(null, "POST", "/reload", "Authorization", auth).statusCode()).isEqualTo(403);
        // With a certificate the next check is the password.
        assertThat(call("client", "POST", "/reload").statusCode()).isEqualTo(401);
        assertThat(call("client", "POST", "/reload", "Authorization", auth).statusCode()).isEqualTo(202);
        // A certificate from a CA we do not trust never counts as a client certificate: depending on the TLS
        // version the handshake fails or the certificate is ignored; either way no unsafe request passes.
        assertThat(unsafeWith("stranger", auth)).isIn(403, -1);
    }

    /** The status of POST /reload with the given client certificate, or -1 when the handshake fails. */
    private int unsafeWith(String client, String auth) throws InterruptedException {
        try {
            return call(client, "POST", "/reload", "Authorization", auth).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void requiredClientCertificatesAreDemandedByTheHandshake() throws Exception {
        start(cfg("server.crt", "server.key", null, "required", null, null, null));
        assertThatThrownBy(() -> call(null, "GET", "/primary")).isInstanceOf(IOException.class);
        assertThat(call("client", "GET", "/primary").statusCode()).isEqualTo(200);
        assertThat(call("client", "POST", "/reload").statusCode()).isEqualTo(202);
        assertThatThrownBy(() -> call("stranger", "GET", "/primary")).isInstanceOf(IOException.class);
    }

    @Test
    void cipherListByOpenSslOrJavaNames() throws Exception {
        start(cfg("server.crt", "server.key", null, null, "ECDHE-RSA-AES128-GCM-SHA256:!aNULL", null, null));
        HttpResponse<String> tls12 = call(null, new String[] {"TLSv1.2"}, "GET", "/primary");
        assertThat(tls12.statusCode()).isEqualTo(200);
        assertThat(tls12.sslSession().orElseThrow().getCipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        // TLS 1.3 suites are not governed by the list (as with OpenSSL's cipher string).
        assertThat(call(null, new String[] {"TLSv1.3"}, "GET", "/primary").statusCode()).isEqualTo(200);
        server.close();
        start(cfg("server.crt", "server.key", null, null, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", null, null));
        assertThat(call(null, new String[] {"TLSv1.2"}, "GET", "/primary").sslSession().orElseThrow()
                .getCipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    }
}
