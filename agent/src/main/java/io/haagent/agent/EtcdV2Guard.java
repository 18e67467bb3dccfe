package io.haagent.agent;

import io.haagent.config.AgentConfig;
import io.haagent.config.EtcdConfig;
import io.haagent.tls.PemFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Safety before convenience in a migration (issue 11, docs/guide/migration.md): ha-agent speaks the etcd v3 API only,
 * and a configuration with an {@code etcd:} section means v2 to Patroni. When Patroni nodes of this scope keep their
 * keys in the v2 key space, an ha-agent node would see an empty cluster through v3 and could lead a second primary.
 * So, for an {@code etcd:} section, the agent asks each endpoint for {@code /v2/keys/<namespace>/<scope>} before it
 * starts, and refuses to start when the v2 key space holds this scope's keys. An endpoint without the v2 API (etcd 3.4's
 * default) or without those keys, or one it cannot reach, does not stop it.
 */
final class EtcdV2Guard {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private EtcdV2Guard() {
    }

    /** The one-line refusal, or null when the node may start. */
    static String check(AgentConfig config) {
        EtcdConfig etcd = config.etcd();
        if (etcd == null || !"etcd".equals(etcd.section())) {
            return null;
        }
        HttpClient http;
        try {
            http = client(etcd);
        } catch (RuntimeException e) {
            return null; // TLS files are the v3 client's to complain about
        }
        for (String endpoint : etcd.endpoints()) {
            String url = endpoint.replaceAll("/+$", "") + "/v2/keys" + config.basePath() + "/";
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET();
            if (etcd.username() != null && etcd.password() != null) {
                b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((etcd.username() + ":"
                        + etcd.password().reveal()).getBytes(StandardCharsets.UTF_8)));
            }
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"nodes\"") && r.body().contains("\"key\":\""
                        + config.basePath() + "/")) {
                    return "etcd: the etcd v2 key space of " + endpoint + " holds this cluster's keys ("
                            + config.basePath() + "/): Patroni nodes of scope " + config.scope() + " use the v2 API"
                            + " (an etcd: section), where ha-agent, which reads etcd v3 only, would see an empty cluster"
                            + " and could start a second primary. Move those Patroni nodes to an etcd3: section first"
                            + " (docs/guide/migration.md), or remove the stale v2 keys; not starting";
                }
            } catch (java.io.IOException e) {
                // unreachable or no v2 API: nothing to say about it here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static HttpClient client(EtcdConfig etcd) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (etcd.tls()) {
            try {
                SSLContext ssl = SSLContext.getInstance("TLS");
                TrustManagerFactory tmf = null;
                if (etcd.cacert() != null) {
                    tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(PemFiles.trustStore("etcd.cacert", Path.of(etcd.cacert())));
                }
                KeyManagerFactory kmf = null;
                if (etcd.cert() != null && etcd.key() != null) {
                    char[] pw = "v2-guard".toCharArray();
                    KeyStore ks = PemFiles.keyStore("etcd", Path.of(etcd.cert()), Path.of(etcd.key()),
                            etcd.keyPassword(), pw);
                    kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    kmf.init(ks, pw);
                }
                ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
                b.sslContext(ssl);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.build();
    }
}
