package io.haagent.ctl.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.Member;
import io.haagent.config.restclient.RestClientTls;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.output.PyText;
import io.haagent.ctl.settings.CtlSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

/**
 * The nodes' REST API as agentctl calls it: the member's {@code api_url} gives the address, {@code ctl} (else
 * {@code restapi}) settings give Basic auth and TLS. A node that does not answer within the timeout is reported
 * with the exact URL and what went wrong, never as a stack trace.
 */
public final class MemberApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CtlSettings settings;
    private HttpClient http;
    private final String authorization;
    private final Duration timeout;

    /** One answer: status and body as text, and the URL that gave it. */
    public record Reply(int status, String body, String url) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** What GET /patroni gave: the document, or why there is none. */
    public record Status(JsonNode document, String problem) {
        public boolean answered() {
            return document != null;
        }
    }

    public MemberApi(CtlSettings s, Duration timeout) {
        this.settings = s;
        this.timeout = timeout;
        this.authorization = s.api().authorization();
        if (s.api().certfile() != null || s.api().cacert() != null) {
            http(); // a TLS file that cannot be used is named now, before any call
        }
    }

    /**
     * The JDK's HTTP client, built on first use: for every call but a GET of an http:// URL. It builds the JVM's
     * default TLS context (the CA certificates) even for http peers, 0.2 s of a listing's CPU (issue 15).
     */
    private HttpClient http() {
        if (http == null) {
            try {
                http = RestClientTls.httpClient(settings.api(), connectTimeout());
            } catch (IllegalArgumentException e) {
                throw new CtlException("cannot set up TLS for the REST API: " + e.getMessage());
            }
        }
        return http;
    }

    private Duration connectTimeout() {
        return timeout.compareTo(Duration.ofSeconds(3)) < 0 ? timeout : Duration.ofSeconds(3);
    }

    public Duration timeout() {
        return timeout;
    }

    public Reply get(Member m, String endpoint) {
        return send(m, "GET", endpoint, null, timeout);
    }

    /**
     * @param body   a JSON object, or null for none
     * @param limit  how long to wait for the answer (long for calls that wait for the outcome, e.g. switchover)
     * @throws CtlException when the node cannot be reached or does not answer in time
     */
    public Reply send(Member m, String method, String endpoint, Map<String, Object> body, Duration limit) {
        URI uri = uri(m, endpoint);
        HttpRequest req = request(uri, method, body, limit);
        try {
            HttpResponse<String> r = http().send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r.body(), uri.toString());
        } catch (IOException e) {
            throw new CtlException(unreachable(m, method, uri, e, limit));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException("interrupted while waiting for " + m.name() + " (" + method + " " + uri + ")");
        }
    }

    /** {@code GET /patroni} of every member at once; a member that does not answer gets the reason instead. */
    public Map<String, Status> statusOfAll(List<Member> members, Duration limit) {
        Map<String, CompletableFuture<Status>> pending = new LinkedHashMap<>();
        for (Member m : members) {
            URI uri;
            try {
                uri = uri(m, "patroni");
            } catch (CtlException e) {
                pending.put(m.name(), CompletableFuture.completedFuture(new Status(null, e.getMessage())));
                continue;
            }
            CompletableFuture<Reply> reply;
            if ("http".equalsIgnoreCase(uri.getScheme())) {
                reply = CompletableFuture.supplyAsync(() -> plainGet(uri, limit), PLAIN_GETS);
            } else {
                reply = http().sendAsync(request(uri, "GET", null, limit),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                        .thenApply(r -> new Reply(r.statusCode(), r.body(), uri.toString()));
            }
            pending.put(m.name(), reply.handle((r, e) -> {
                if (e != null) {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    return new Status(null, unreachable(m, "GET", uri, c, limit));
                }
                JsonNode doc = r.json();
                return doc != null && doc.isObject() ? new Status(doc, null)
                        : new Status(null, m.name() + " answered GET " + uri + " with " + r.status()
                                + " and no JSON document");
            }));
        }
        Map<String, Status> out = new LinkedHashMap<>();
        pending.forEach((name, f) -> out.put(name, f.join()));
        return out;
    }

    /** One thread per member being asked, each ending when its GET does (daemon: never holds the exit). */
    private static final java.util.concurrent.Executor PLAIN_GETS = r -> {
        Thread t = new Thread(r, "member-get");
        t.setDaemon(true);
        t.start();
    };

    /** GET of an http:// URL without the JDK's HTTP client (see {@link #http()}); failures as its own. */
    private Reply plainGet(URI uri, Duration limit) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            c.setInstanceFollowRedirects(false);
            int ms = (int) Math.max(1, limit.toMillis());
            c.setConnectTimeout((int) Math.min(ms, connectTimeout().toMillis()));
            c.setReadTimeout(ms);
            int status = c.getResponseCode();
            byte[] body;
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                body = in == null ? new byte[0] : in.readAllBytes();
            }
            return new Reply(status, new String(body, StandardCharsets.UTF_8), uri.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Status status(Member m) {
        return statusOfAll(List.of(m), timeout).get(m.name());
    }

    private HttpRequest request(URI uri, String method, Map<String, Object> body, Duration limit) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(limit);
        if (authorization != null && !method.equals("GET")) {
            b.header("Authorization", authorization);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(PyText.dumps(body)));
        } else if (method.equals("GET")) {
            b.GET();
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    /** {@code urljoin(api_url, endpoint)}: the endpoint replaces the {@code /patroni} path of the member's api_url. */
    static URI uri(Member m, String endpoint) {
        URI api = m.apiUri();
        if (api == null || api.getScheme() == null || api.getAuthority() == null) {
            throw new CtlException(m.name() + " publishes no usable api_url in its member key ("
                    + (m.apiUrl() == null ? "none" : "'" + m.apiUrl() + "'") + "): its REST API cannot be called");
        }
        return URI.create(api.getScheme() + "://" + api.getAuthority() + "/" + endpoint);
    }

    static String unreachable(Member m, String method, URI uri, Throwable e, Duration limit) {
        String why;
        if (e instanceof UncheckedIOException u) {
            e = u.getCause();
        }
        if (e instanceof HttpConnectTimeoutException
                || e instanceof SocketTimeoutException && String.valueOf(e.getMessage()).contains("connect")) {
            why = "could not connect within " + seconds(limit);
        } else if (e instanceof HttpTimeoutException || e instanceof SocketTimeoutException) {
            why = "no answer within " + seconds(limit);
        } else if (e instanceof ConnectException) {
            why = "connection refused";
        } else if (e instanceof SSLException) {
            why = "TLS failed (" + e.getMessage() + "); check ctl.cacert, or -k to skip verification";
        } else {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return "the REST API of " + m.name() + " (" + method + " " + uri + ") did not answer: " + why;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format("%.1f s", ms / 1000.0);
    }

    /** Names for messages: "pg1, pg2". */
    public static String names(List<Member> members) {
        List<String> n = new ArrayList<>();
        members.forEach(m -> n.add(m.name()));
        return String.join(", ", n);
    }
}
