package io.haagent.config.loader;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Answers {@link NetworkProbe} with real sockets. Listening is checked by binding (and closing at once), which
 * tells "in use" from "not an address of this host"; reachability by a TCP connect with a short timeout.
 */
public final class SocketNetworkProbe implements NetworkProbe {
    private final int connectTimeoutMillis;

    public SocketNetworkProbe(int connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    public String cannotListen(String host, int port) {
        InetAddress address;
        try {
            address = host.equals("*") ? null : InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return "unknown host " + host;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
            return null;
        } catch (BindException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase();
            if (m.contains("in use")) {
                return "port " + port + " is already in use";
            }
            if (m.contains("assign") || m.contains("not available")) {
                return host + " is not an address of this host";
            }
            if (m.contains("permission") || m.contains("denied")) {
                return "no permission to listen on port " + port + " (ports below 1024 need root)";
            }
            return "cannot listen there (" + e.getMessage() + ")";
        } catch (IOException | SecurityException e) {
            return "cannot listen there (" + e.getMessage() + ")";
        }
    }

    /**
     * GET /patroni with the connect timeout, over HTTPS without checking the certificate when {@code tls} (the
     * answer only names who holds the port; it is never trusted for anything else).
     */
    @Override
    public RestIdentity restIdentity(String host, int port, boolean tls) {
        try {
            java.net.URL url = new java.net.URI(tls ? "https" : "http", null, host, port, "/patroni", null, null)
                    .toURL();
            java.net.HttpURLConnection conn = (java.net.HttpURLConnection) url.openConnection(java.net.Proxy.NO_PROXY);
            if (conn instanceof javax.net.ssl.HttpsURLConnection https) {
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                    @Override
                    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                    }

                    @Override
                    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                        return new java.security.cert.X509Certificate[0];
                    }
                }}, null);
                https.setSSLSocketFactory(ctx.getSocketFactory());
                https.setHostnameVerifier((name, session) -> true);
            }
            conn.setConnectTimeout(connectTimeoutMillis);
            conn.setReadTimeout(connectTimeoutMillis);
            try (java.io.InputStream in = conn.getResponseCode() < 400 ? conn.getInputStream() : conn.getErrorStream()) {
                if (in == null) {
                    return null;
                }
                // JSON is YAML: the configuration's own parser reads the answer (plain data, no tags)
                org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
                options.setMaxAliasesForCollections(10);
                Object doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(options))
                        .load(new String(in.readNBytes(1 << 20), java.nio.charset.StandardCharsets.UTF_8));
                Object p = doc instanceof java.util.Map<?, ?> m ? m.get("patroni") : null;
                if (!(p instanceof java.util.Map<?, ?> patroni)) {
                    return null;
                }
                return new RestIdentity(text(patroni, "scope"), text(patroni, "name"), text(patroni, "version"));
            } finally {
                conn.disconnect();
            }
        } catch (IOException | RuntimeException | java.net.URISyntaxException
                | java.security.GeneralSecurityException e) {
            // nothing that answers as an agent (or a YAMLException: not JSON)
            return null;
        }
    }

    private static String text(java.util.Map<?, ?> m, String field) {
        Object v = m.get(field);
        return v instanceof String str ? str : null;
    }

    @Override
    public String cannotReach(String host, int port) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return "unknown host " + host;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), connectTimeoutMillis);
            return null;
        } catch (SocketTimeoutException e) {
            return "no answer within " + connectTimeoutMillis + " ms";
        } catch (ConnectException e) {
            return "connection refused";
        } catch (IOException e) {
            return "cannot connect (" + e.getMessage() + ")";
        }
    }
}
