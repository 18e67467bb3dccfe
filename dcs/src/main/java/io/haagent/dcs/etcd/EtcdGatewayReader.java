package io.haagent.dcs.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.haagent.cluster.ClusterView;
import io.haagent.config.EtcdConfig;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.codec.ClusterCodec;
import io.haagent.dcs.codec.GarbageLog;
import io.haagent.dcs.codec.RawKey;
import io.haagent.time.Clock;
import io.haagent.tls.PemFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Read-only calls of an operator's tool over etcd's JSON gateway ({@code POST /v3/kv/range},
 * {@code /v3/lease/timetolive}, {@code /v3/auth/authenticate}: the v3 API as JSON over HTTP/1.1, which Patroni's own
 * etcd3 client uses), for {@code agentctl list}, {@code version} and every other command's reads. Nothing of gRPC,
 * Netty or protobuf is loaded: a listing costs a JVM start and a few small HTTP requests (jetcd's first call alone
 * took 0.6 s of CPU, bench/RESULTS.md, issue 15). Reads are linearizable, as {@link EtcdToolConnection}'s; TLS
 * (CA, client certificate) and username/password come from the same {@code etcd3} settings; failures name the
 * operation, the key and the endpoints, as {@link EtcdKv}'s do. An etcd without the gateway (404) raises
 * {@link NoGateway}, for the caller to read over gRPC instead.
 */
public final class EtcdGatewayReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MIN_ATTEMPT = Duration.ofSeconds(1);
    private static final int UNAUTHENTICATED = 16;
    private static final int PERMISSION_DENIED = 7;

    private final EtcdConfig config;
    private final DcsKeys keys;
    private final Duration retryTimeout;
    private final Clock clock;
    private final GarbageLog garbage = new GarbageLog();
    private final SSLSocketFactory tls;
    private String token;
    private boolean authenticated;
    /** The endpoint that answered last: asked first next time. */
    private int preferred;

    /** etcd answered, but has no JSON gateway (404): read over gRPC. */
    public static final class NoGateway extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoGateway(String message) {
            super(message);
        }
    }

    /** An attempt that got no answer (connection refused, timed out, TLS failed): the next endpoint may answer. */
    private static final class NoAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        NoAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private EtcdGatewayReader(EtcdConfig config, DcsKeys keys, Duration retryTimeout, Clock clock) {
        EtcdSettings.validate(config);
        this.config = config;
        this.keys = keys;
        this.retryTimeout = retryTimeout;
        this.clock = clock;
        this.tls = config.tls() ? socketFactory(config) : null;
    }

    /**
     * @param retryTimeout seconds every read may take at most
     * @throws IllegalArgumentException naming the setting when an endpoint or a TLS file cannot be used
     */
    public static EtcdGatewayReader connect(EtcdConfig config, String namespace, String scope, int retryTimeout,
            Clock clock) {
        if (retryTimeout < 1) {
            throw new IllegalArgumentException("retry_timeout (" + retryTimeout + ") must be at least 1 second");
        }
        return new EtcdGatewayReader(config, DcsKeys.of(namespace, scope), Duration.ofSeconds(retryTimeout), clock);
    }

    /** The cluster as etcd has it now (linearizable), decoded as {@link EtcdKv#readCluster} decodes it. */
    public ClusterView cluster() {
        JsonNode r = call("read the cluster", keys.prefix(), "/v3/kv/range", range(keys.prefix(), false));
        List<RawKey> raw = new ArrayList<>();
        for (JsonNode kv : r.path("kvs")) {
            String rel = keys.relative(text(kv.path("key")));
            if (rel != null) {
                raw.add(new RawKey(rel, text(kv.path("value")), kv.path("mod_revision").asLong(),
                        kv.path("lease").asLong()));
            }
        }
        return ClusterCodec.decode(keys, raw, r.path("header").path("revision").asLong(), garbage);
    }

    /** The names of the clusters with keys under this namespace, sorted, as {@link EtcdToolConnection#clusterNames}. */
    public List<String> clusterNames() {
        String base = keys.prefix().substring(0, keys.prefix().length() - 1);
        String ns = base.substring(0, base.lastIndexOf('/') + 1);
        JsonNode r = call("list the clusters", ns, "/v3/kv/range", range(ns, true));
        TreeSet<String> names = new TreeSet<>();
        for (JsonNode kv : r.path("kvs")) {
            String rest = text(kv.path("key")).substring(ns.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                names.add(rest.substring(0, slash));
            }
        }
        return List.copyOf(names);
    }

    /** As {@link EtcdToolConnection#leaseTimeToLive}: a lease etcd no longer has is not alive. */
    public LeaseTtl leaseTimeToLive(long leaseId) {
        ObjectNode body = JSON.createObjectNode().put("ID", Long.toString(leaseId));
        JsonNode r = call("read the time to live of a lease", "lease " + Long.toHexString(leaseId),
                "/v3/lease/timetolive", body);
        // proto3's JSON leaves out zero values: no TTL is 0 s left (an expired lease says -1)
        long ttl = r.path("TTL").asLong(0);
        return new LeaseTtl(leaseId, r.path("grantedTTL").asLong(0), ttl < 0 ? -1 : ttl);
    }

    // ------------------------------------------------------------------ calls

    private static ObjectNode range(String prefix, boolean keysOnly) {
        byte[] key = prefix.getBytes(StandardCharsets.UTF_8);
        ObjectNode b = JSON.createObjectNode().put("key", Base64.getEncoder().encodeToString(key))
                .put("range_end", Base64.getEncoder().encodeToString(prefixEnd(key)));
        if (keysOnly) {
            b.put("keys_only", true);
        }
        return b;
    }

    /**
     * One read within {@code retry_timeout}: each endpoint in turn (the last one that answered first), each attempt
     * bounded as {@link EtcdConnection#attemptTimeout} bounds a gRPC one, until one answers or the time is up.
     */
    private JsonNode call(String what, String target, String path, ObjectNode body) {
        Deadline d = Deadline.after(clock, retryTimeout);
        List<String> endpoints = config.endpoints();
        String last = "no attempt";
        long backoff = 50;
        while (true) {
            for (int i = 0; i < endpoints.size(); i++) {
                int e = (preferred + i) % endpoints.size();
                if (d.expired()) {
                    break;
                }
                try {
                    JsonNode r = attempt(what, target, endpoints.get(e), path, body, d);
                    preferred = e;
                    return r;
                } catch (NoAnswer n) {
                    last = n.getMessage();
                }
            }
            long left = d.remaining().toMillis();
            if (left <= 0) {
                throw new DcsUnavailableException("cannot " + what + " (" + target + "): etcd at "
                        + String.join(",", endpoints) + " did not answer within retry_timeout="
                        + retryTimeout.toSeconds() + "s (" + last + ")");
            }
            try {
                Thread.sleep(Math.min(backoff, left));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new DcsUnavailableException("cannot " + what + " (" + target + "): interrupted");
            }
            backoff = Math.min(backoff * 2, 500);
        }
    }

    private JsonNode attempt(String what, String target, String endpoint, String path, ObjectNode body, Deadline d)
            throws NoAnswer {
        if (!authenticated && config.username() != null && !config.username().isEmpty()) {
            token = authenticate(endpoint, d);
            authenticated = true;
        }
        Answer a = post(endpoint, path, body, token, d);
        if (token != null && (a.status == 401 || a.json != null && a.json.path("code").asInt(-1) == UNAUTHENTICATED)) {
            // the token expired (etcd's simple tokens live 5 minutes: agentctl list -W outlives them): once more
            token = authenticate(endpoint, d);
            a = post(endpoint, path, body, token, d);
        }
        if (a.status == 404 && a.json == null) {
            throw new NoGateway("etcd at " + endpoint + " has no JSON gateway (" + path + " answered 404)");
        }
        if (a.status == 200 && a.json != null) {
            return a.json;
        }
        int code = a.json == null ? -1 : a.json.path("code").asInt(-1);
        String message = a.json == null ? "HTTP " + a.status : a.json.path("message").asText("HTTP " + a.status);
        String s = config.section() == null ? "etcd3" : config.section();
        String hint = "";
        if (code == UNAUTHENTICATED || a.status == 401) {
            hint = "; check " + s + ".username and " + s + ".password";
        } else if (code == PERMISSION_DENIED || a.status == 403) {
            hint = "; the etcd user " + config.username() + " needs read permission on " + target;
        }
        throw new DcsUnavailableException("etcd at " + endpoint + " refused to " + what + " (" + target + "): "
                + message + hint);
    }

    /** A token for {@code etcd3.username}, or null when etcd has authentication off (as Patroni goes on then). */
    private String authenticate(String endpoint, Deadline d) throws NoAnswer {
        ObjectNode body = JSON.createObjectNode().put("name", config.username())
                .put("password", config.password() == null ? "" : config.password().reveal());
        Answer a = post(endpoint, "/v3/auth/authenticate", body, null, d);
        if (a.status == 200 && a.json != null && a.json.hasNonNull("token")) {
            return a.json.get("token").asText();
        }
        String message = a.json == null ? "HTTP " + a.status : a.json.path("message").asText("HTTP " + a.status);
        if (message.contains("authentication is not enabled")) {
            return null;
        }
        if (a.status == 404 && a.json == null) {
            throw new NoGateway("etcd at " + endpoint + " has no JSON gateway (/v3/auth/authenticate answered 404)");
        }
        String s = config.section() == null ? "etcd3" : config.section();
        throw new DcsUnavailableException("etcd at " + endpoint + " refused the user " + config.username() + ": "
                + message + "; check " + s + ".username and " + s + ".password");
    }

    private record Answer(int status, JsonNode json) {
    }

    private Answer post(String endpoint, String path, ObjectNode body, String auth, Deadline d) throws NoAnswer {
        Duration share = retryTimeout.dividedBy(Math.max(1, config.endpoints().size()));
        Duration attempt = share.compareTo(MIN_ATTEMPT) < 0 ? MIN_ATTEMPT : share;
        Duration left = d.remaining();
        int ms = (int) Math.max(1, Math.min(attempt.toMillis(), left.toMillis()));
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(endpoint + path).openConnection(Proxy.NO_PROXY);
            c.setInstanceFollowRedirects(false);
            if (c instanceof HttpsURLConnection https && tls != null) {
                https.setSSLSocketFactory(tls);
            }
            c.setConnectTimeout(ms);
            c.setReadTimeout(ms);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            if (auth != null) {
                c.setRequestProperty("Authorization", auth);
            }
            byte[] out = JSON.writeValueAsBytes(body);
            c.setFixedLengthStreamingMode(out.length);
            try (OutputStream o = c.getOutputStream()) {
                o.write(out);
            }
            int status = c.getResponseCode();
            byte[] bytes;
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                bytes = in == null ? new byte[0] : in.readAllBytes();
            }
            JsonNode json;
            try {
                json = bytes.length == 0 ? null : JSON.readTree(bytes);
            } catch (IOException notJson) {
                json = null;
            }
            return new Answer(status, json != null && json.isObject() ? json : null);
        } catch (SocketTimeoutException e) {
            throw new NoAnswer(endpoint + ": no answer within " + ms + " ms", e);
        } catch (ConnectException e) {
            throw new NoAnswer(endpoint + ": connection refused", e);
        } catch (SSLException e) {
            throw new NoAnswer(endpoint + ": TLS failed (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new NoAnswer(endpoint + ": " + e, e);
        }
    }

    // ------------------------------------------------------------------ TLS and bytes

    private static SSLSocketFactory socketFactory(EtcdConfig c) {
        String s = c.section() == null ? "etcd3" : c.section();
        try {
            KeyStore trust = c.cacert() == null ? null : PemFiles.trustStore(s + ".cacert", Path.of(c.cacert()));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (c.cert() != null) {
                char[] storePassword = new char[0];
                KeyStore ks = PemFiles.keyStore(s, Path.of(c.cert()), c.key() == null ? null : Path.of(c.key()),
                        c.keyPassword(), storePassword);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, storePassword);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(s + ": cannot use the TLS files (cacert=" + c.cacert() + ", cert="
                    + c.cert() + ", key=" + c.key() + "): " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode b64) {
        return b64.isMissingNode() || b64.isNull() ? ""
                : new String(Base64.getDecoder().decode(b64.asText()), StandardCharsets.UTF_8);
    }

    /** etcd's range end of a prefix: the prefix with its last byte below 0xff incremented, and cut there. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if ((end[i] & 0xff) < 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0};
    }
}
