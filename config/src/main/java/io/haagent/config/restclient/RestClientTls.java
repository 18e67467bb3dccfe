package io.haagent.config.restclient;

import io.haagent.tls.PemFiles;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTP client for members' REST APIs, built from {@link RestClientSettings}: HTTP/1.1 (as Patroni's server
 * speaks), the client certificate, and the server check the settings ask for. Nothing JVM-wide is changed: the
 * host-name check is left out by the trust manager of this client alone (the JDK's client checks the host name
 * inside an {@link X509ExtendedTrustManager}, or around any other trust manager).
 */
public final class RestClientTls {
    private RestClientTls() {
    }

    /**
     * @throws IllegalArgumentException naming the setting and the file when a certificate, key or CA file cannot be
     *                                  used
     */
    public static HttpClient httpClient(RestClientSettings s, Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .sslContext(sslContext(s)).build();
    }

    /** @throws IllegalArgumentException as {@link #httpClient} */
    public static SSLContext sslContext(RestClientSettings s) {
        KeyManager[] keys = null;
        if (s.certfile() != null) {
            char[] storePassword = new char[0];
            KeyStore ks = PemFiles.keyStore(s.certSection(), Path.of(s.certfile()),
                    s.keyfile() == null ? null : Path.of(s.keyfile()), s.keyfilePassword(), storePassword);
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, storePassword);
                keys = kmf.getKeyManagers();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(s.certSection() + ".certfile " + s.certfile() + ": "
                        + e.getMessage(), e);
            }
        }
        TrustManager[] trust;
        if (!s.verifyServer()) {
            trust = new TrustManager[] {new NoServerCheck()};
        } else {
            KeyStore cas = s.cacert() == null ? null : PemFiles.trustStore(s.cacertSetting(), Path.of(s.cacert()));
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(cas); // null: the JVM's trusted CAs
                trust = tmf.getTrustManagers();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(s.cacertSetting() + " " + s.cacert() + ": " + e.getMessage(), e);
            }
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for REST API calls: " + e.getMessage(), e);
        }
    }

    /**
     * Accepts any server certificate for any host: the agent's calls to members ({@link RestClientSettings}) and
     * agentctl with {@code -k}. Extended, so that the JDK adds no host-name check of its own around it.
     */
    private static final class NoServerCheck extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("a client's trust manager");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("a client's trust manager");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a client's trust manager");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
