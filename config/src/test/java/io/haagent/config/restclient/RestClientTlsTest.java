package io.haagent.config.restclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.haagent.config.AgentConfig;
import io.haagent.config.loader.ConfigLoader;
import io.haagent.config.loader.FixedNetworkAccess;
import io.haagent.testing.TestPki;
import io.haagent.tls.PemFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's calls to members and agentctl's calls, against a real TLS server that requires a client
 * certificate (the JDK's HTTPS server; certificates made by openssl): what each client verifies and which
 * certificate it presents (see {@link RestClientSettings} for Patroni's rules).
 */
class RestClientTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;

    @TempDir
    Path work;

    private HttpsServer server;
    /** What the server saw of each request: "client CN | Authorization header". */
    private final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void makePki() {
        pki = new TestPki(dir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A REST API on 127.0.0.1 serving {@code cert}, requiring a client certificate signed by {@code clientCa}. */
    private URI serve(String cert, String key, String clientCa) throws Exception {
        char[] pw = "server".toCharArray();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(PemFiles.keyStore(dir.resolve(cert), dir.resolve(key), null, pw), pw);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(PemFiles.trustStore(dir.resolve(clientCa)));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(true); // verify_client: required
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            X509Certificate client = (X509Certificate) ((HttpsExchange) exchange).getSSLSession()
                    .getPeerCertificates()[0];
            seen.add(client.getSubjectX500Principal().getName() + " | "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"state\":\"running\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/patroni");
    }

    /** validate/base.yml with {@code restapi} and {@code ctl} settings added. */
    private AgentConfig config(String restapi, String ctl) throws IOException {
        String base;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("validate/base.yml")) {
            base = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String yaml = base.replace("  connect_address: 10.0.0.11:8008\n", "  connect_address: 10.0.0.11:8008\n"
                + restapi.replace("@", dir + "/")) + (ctl.isEmpty() ? "" : "ctl:\n" + ctl.replace("@", dir + "/"));
        Path f = Files.writeString(work.resolve("patroni.yml"), yaml);
        ConfigLoader.Loaded loaded = ConfigLoader.load(f, FixedNetworkAccess.host(Map.of()));
        assertThat(loaded.errors()).as(yaml).isEmpty();
        return loaded.config();
    }

    /** Patroni's acceptance-test set-up: one self-signed certificate without subjectAltName for everything. */
    private static final String SELF_SIGNED_RESTAPI = "  certfile: @self-signed.crt\n  keyfile: @self-signed.key\n"
            + "  cafile: @self-signed.crt\n  verify_client: required\n"
            + "  authentication:\n    username: admin\n    password: admin-pw\n";

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String authorization) throws Exception {
        return http.send(HttpRequest.newBuilder(uri.resolve("/failsafe")).timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient client(RestClientSettings s) {
        return RestClientTls.httpClient(s, Duration.ofSeconds(5));
    }

    @Test
    void theAgentCallsAMemberWhoseCertificateIsSelfSignedWithoutSubjectAltNamePresentingItsOwn() throws Exception {
        URI uri = serve("self-signed.crt", "self-signed.key", "self-signed.crt");
        RestClientSettings members = RestClientSettings.forMembers(config(SELF_SIGNED_RESTAPI, ""));
        assertThat(members.verifyServer()).isFalse();
        HttpClient http = client(members);

        assertThat(get(http, uri).statusCode()).isEqualTo(200);
        assertThat(post(http, uri, members.authorization()).statusCode()).isEqualTo(200);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                "admin:admin-pw".getBytes(StandardCharsets.UTF_8));
        assertThat(seen).containsExactly("CN=batman.patroni | null", "CN=batman.patroni | " + basic);
    }

    @Test
    void agentctlRefusesThatServerUnlessInsecure() throws Exception {
        URI uri = serve("self-signed.crt", "self-signed.key", "self-signed.crt");
        AgentConfig config = config(SELF_SIGNED_RESTAPI, "");

        // restapi.cafile trusts the certificate, but it does not name 127.0.0.1: refused, as patronictl does
        RestClientSettings verifying = RestClientSettings.forCtl(config, false);
        assertThat(verifying.verifyServer()).isTrue();
        assertThat(verifying.cacert()).isEqualTo(dir + "/self-signed.crt");
        assertThatThrownBy(() -> get(client(verifying), uri)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("No subject alternative names");

        // -k
        assertThat(get(client(RestClientSettings.forCtl(config, true)), uri).statusCode()).isEqualTo(200);
        // ctl.insecure
        RestClientSettings insecure = RestClientSettings.forCtl(config(SELF_SIGNED_RESTAPI, "  insecure: true\n"),
                false);
        assertThat(insecure.verifyServer()).isFalse();
        assertThat(get(client(insecure), uri).statusCode()).isEqualTo(200);
        assertThat(seen).containsExactly("CN=batman.patroni | null", "CN=batman.patroni | null");
    }

    @Test
    void agentctlChecksTheChainAndTheHostAgainstCtlCacertAndPresentsCtlCertfile() throws Exception {
        URI uri = serve("server.crt", "server.key", "ca.crt");
        String ctl = "  cacert: @ca.crt\n  certfile: @client.crt\n  keyfile: @client.key\n"
                + "  authentication:\n    username: ops\n    password: ops-pw\n";
        RestClientSettings s = RestClientSettings.forCtl(config(SELF_SIGNED_RESTAPI, ctl), false);
        assertThat(s.username()).isEqualTo("ops");
        assertThat(get(client(s), uri).statusCode()).isEqualTo(200);
        assertThat(seen).containsExactly("CN=pg-admin | null");

        // the server's certificate is not signed by ctl.cacert
        RestClientSettings otherCa = RestClientSettings.forCtl(config(SELF_SIGNED_RESTAPI,
                ctl.replace("@ca.crt", "@other-ca.crt")), false);
        assertThatThrownBy(() -> get(client(otherCa), uri)).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("unable to find valid certification path");
    }

    @Test
    void theRestapiKeyWithItsPasswordIsTheMembersClientCertificateWhenCtlHasNone() throws Exception {
        URI uri = serve("server.crt", "server.key", "ca.crt");
        RestClientSettings members = RestClientSettings.forMembers(config("  certfile: @server.crt\n"
                + "  keyfile: @server-encrypted.key\n  keyfile_password: key-pass-42\n  cafile: @other-ca.crt\n",
                ""));
        assertThat(members.certSection()).isEqualTo("restapi");
        // restapi.cafile is not the server's CA: members do not check it (see RestClientSettings)
        assertThat(get(client(members), uri).statusCode()).isEqualTo(200);
        assertThat(seen).containsExactly("CN=127.0.0.1 | null");
    }

    @Test
    void withoutAClientCertificateTheServerRefusesTheCall() throws Exception {
        URI uri = serve("self-signed.crt", "self-signed.key", "self-signed.crt");
        RestClientSettings none = RestClientSettings.forMembers(config("", ""));
        assertThat(none.certfile()).isNull();
        assertThatThrownBy(() -> get(client(none), uri)).isInstanceOf(IOException.class);
        assertThat(seen).isEmpty();
    }

    @Test
    void aKeyThatDoesNotFitItsCertificateIsNamedWithItsSection() throws IOException {
        RestClientSettings wrongKey = RestClientSettings.forCtl(config("",
                "  certfile: @client.crt\n  keyfile: @server.key\n"), false);
        assertThatThrownBy(() -> client(wrongKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ctl.certfile " + dir + "/client.crt / keyfile " + dir + "/server.key: the key does not"
                        + " fit the certificate (it belongs to another certificate)");
        RestClientSettings noCa = RestClientSettings.forCtl(config("", "  cacert: @client.key\n"), false);
        assertThatThrownBy(() -> client(noCa)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ctl.cacert " + dir + "/client.key: no CERTIFICATE block found");
    }

    @Test
    void credentialsComeFromOneSectionAndAreNeverShown() throws IOException {
        RestClientSettings s = RestClientSettings.forMembers(config("  authentication:\n    username: rest\n"
                + "    password: rest-pw\n", "  insecure: true\n"));
        assertThat(s.username()).isEqualTo("rest");
        assertThat(s.password().reveal()).isEqualTo("rest-pw");
        assertThat(s.toString()).doesNotContain("rest-pw");
        assertThat(RestClientSettings.none(false).authorization()).isNull();
    }
}
