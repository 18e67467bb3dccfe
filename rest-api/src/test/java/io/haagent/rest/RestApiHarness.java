package io.haagent.rest;

import io.haagent.api.FakeNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.SnapshotFixtures;
import io.haagent.api.StatusBoard;
import io.haagent.config.RestApiConfig;
import io.haagent.config.Secret;
import io.haagent.rest.status.Json;
import io.haagent.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A REST API server on loopback over a {@link StatusBoard} and a {@link FakeNodeActions}, with an HTTP client. */
public final class RestApiHarness implements AutoCloseable {
    public final StatusBoard board;
    public final FakeNodeActions actions;
    public final RestApiServer server;
    public final HttpClient http;

    public RestApiHarness(RestApiConfig config, NodeSnapshot initial, FakeNodeActions actions, Clock clock,
            RestApiOptions options) {
        this.board = new StatusBoard(initial);
        this.actions = actions;
        this.server = RestApiServer.start(config, board, actions, clock, options);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** pg1 as primary of the fixture cluster, real clock, plain HTTP on 127.0.0.1. */
    public static RestApiHarness primary() {
        return new RestApiHarness(config(), SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()),
                new FakeNodeActions(SnapshotFixtures.threeMembers()), Clock.SYSTEM,
                RestApiOptions.DEFAULTS.withFailoverPollInterval(Duration.ofMillis(20)));
    }

    public static RestApiConfig config() {
        return config(null, null);
    }

    public static RestApiConfig config(String user, String password) {
        return new RestApiConfig("127.0.0.1:0", "127.0.0.1:8008", user, Secret.of(password), null, null, null, null,
                null, null, List.of(), false, Map.of(), Map.of(), 5);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> request(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    public HttpResponse<String> send(HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI uri(String path) {
        return URI.create(server.baseUrl() + path);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> json(HttpResponse<String> r) {
        try {
            return (Map<String, Object>) Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    public static Object jsonValue(HttpResponse<String> r) {
        try {
            return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
