package io.haagent.agent.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.cluster.Role;
import io.haagent.cluster.Tags;
import io.haagent.ha.PeerStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to other members' REST APIs during elections: {@code GET /patroni} (§2.4, how peers interpret it) and
 * the failsafe heartbeat {@code POST /failsafe} (§3.8). All members are asked in parallel, each with a deadline;
 * a member that does not answer in time is "not reachable", which never blocks the election for longer.
 */
public final class HttpPeerClient implements PeerClient {
    private static final Logger LOG = LoggerFactory.getLogger(HttpPeerClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;
    private final String basicAuth;

    /**
     * @param http       configured for https peers ({@code io.haagent.config.restclient.RestClientTls})
     * @param timeout    per request (Patroni: 2 s, no retries)
     * @param basicAuth  the Authorization header for POST /failsafe ({@code ctl}, else {@code restapi}
     *                   credentials), or null
     */
    public HttpPeerClient(HttpClient http, Duration timeout, String basicAuth) {
        this.http = http;
        this.timeout = timeout;
        this.basicAuth = basicAuth;
    }

    /** {@code GET <api_url>} on every member, in parallel; one status per member, unreachable on any error. */
    @Override
    public Map<String, PeerStatus> statuses(Map<String, String> apiUrls) {
        Map<String, CompletableFuture<PeerStatus>> pending = new LinkedHashMap<>();
        apiUrls.forEach((name, url) -> pending.put(name, fetch(name, url)));
        Map<String, PeerStatus> out = new LinkedHashMap<>();
        pending.forEach((name, f) -> {
            try {
                out.put(name, f.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                out.put(name, PeerStatus.unreachable(name, e.toString()));
            }
        });
        return out;
    }

    private CompletableFuture<PeerStatus> fetch(String name, String url) {
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(PeerStatus.unreachable(name, "bad api_url '" + url + "'"));
        }
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .thenApply(resp -> {
                    PeerStatus st = parse(name, resp.body());
                    LOG.info("Got response from {} {}: {}", name, url, abbreviate(resp.body()));
                    return st;
                })
                .exceptionally(e -> {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    LOG.warn("Request failed to {}: GET {} ({})", name, url, c.toString());
                    return PeerStatus.unreachable(name, c.toString());
                });
    }

    /**
     * Asks our own {@code GET /patroni} once, in the background, and reads the answer as an election would: the
     * first election of this process then finds the HTTP client and its classes warm (a cold first request cost
     * about 0.3 s, paid while the cluster had no primary), and they are in the class-data archive.
     */
    @Override
    public void warmUp(String ownApiUrl) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(ownApiUrl)).timeout(timeout).GET().build();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                    .thenApply(resp -> parse("self", resp.body()))
                    .exceptionally(e -> null);
        } catch (IllegalArgumentException e) {
            // a bad api_url is reported where it matters (the member key, the elections)
        }
    }

    /** How a peer's {@code /patroni} document is read in an election (§2.4). */
    static PeerStatus parse(String name, String body) {
        try {
            JsonNode doc = JSON.readTree(body);
            if (doc == null || !doc.isObject()) {
                return PeerStatus.unreachable(name, "answer is not a JSON object");
            }
            JsonNode xlog = doc.path("xlog");
            Role role = Role.parse(doc.path("role").asText(null));
            boolean inRecovery = !(xlog.hasNonNull("location") || role == Role.PRIMARY);
            long wal = 0;
            if (inRecovery) {
                wal = Math.max(xlog.path("received_location").asLong(0), xlog.path("replayed_location").asLong(0));
            }
            Map<String, Object> tags = new LinkedHashMap<>();
            if (doc.path("tags").isObject()) {
                doc.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), value(e.getValue())));
            }
            return new PeerStatus(name, true, inRecovery, wal, doc.path("timeline").asLong(0), new Tags(tags),
                    doc.path("watchdog_failed").asBoolean(false), null);
        } catch (Exception e) {
            return PeerStatus.unreachable(name, "answer is not JSON: " + e.getMessage());
        }
    }

    private static Object value(JsonNode n) {
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return n.isTextual() ? n.textValue() : n.toString();
    }

    /**
     * The primary's failsafe heartbeat: POST /failsafe to every other member of the failsafe key. True only if
     * every one answered 200 {@code Accepted} (a single-member cluster passes trivially).
     */
    @Override
    public boolean failsafeHeartbeat(String self, Map<String, String> failsafe, Map<String, Object> body) {
        List<Map.Entry<String, String>> others = failsafe.entrySet().stream().filter(e -> !e.getKey().equals(self)).toList();
        if (others.isEmpty()) {
            return true;
        }
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (Exception e) {
            return false;
        }
        List<CompletableFuture<Boolean>> calls = others.stream().map(e -> post(e.getKey(), e.getValue(), json)).toList();
        boolean all = true;
        for (CompletableFuture<Boolean> c : calls) {
            try {
                all &= c.get(timeout.toMillis() * 2 + 500, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                all = false;
            }
        }
        return all;
    }

    private CompletableFuture<Boolean> post(String name, String apiUrl, String json) {
        String url = apiUrl.replaceAll("/patroni$", "") + "/failsafe";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (basicAuth != null) {
            b.header("Authorization", basicAuth);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> {
                    boolean accepted = r.statusCode() == 200 && "Accepted".equals(r.body());
                    if (!accepted) {
                        // the operator must see which member kept this primary from staying on failsafe
                        LOG.warn("{} did not accept POST {}: {} {}", name, url, r.statusCode(), abbreviate(r.body()));
                    }
                    return accepted;
                })
                .exceptionally(e -> {
                    LOG.warn("Request failed to {}: POST {} ({})", name, url, e.getMessage());
                    return false;
                });
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
