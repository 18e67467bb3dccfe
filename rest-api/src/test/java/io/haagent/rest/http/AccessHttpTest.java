package io.haagent.rest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.FakeNodeActions;
import io.haagent.api.SnapshotFixtures;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.config.RestApiConfig;
import io.haagent.config.Secret;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.time.Clock;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Authentication and allowlists on the unsafe endpoints, in Patroni's order (§2.2), over real HTTP. */
class AccessHttpTest {
    static final String PASSWORD = "s3cr3t-P@ss-zebra";
    /**
     * A request body for every write endpoint of {@link Router#routes()}: the tests below walk the route table, so
     * an endpoint added without a row here, or without the access check, fails {@link #everyWriteEndpointIsChecked}.
     */
    static final Map<String, String> BODIES = Map.ofEntries(
            Map.entry("PATCH /config", "{\"ttl\":35}"),
            Map.entry("PUT /config", "{\"ttl\":35}"),
            Map.entry("POST /reload", ""),
            Map.entry("POST /restart", "{}"),
            Map.entry("DELETE /restart", ""),
            Map.entry("POST /failover", "{\"candidate\":\"pg2\"}"),
            Map.entry("POST /switchover", "{\"leader\":\"pg1\"}"),
            Map.entry("DELETE /switchover", ""),
            Map.entry("POST /reinitialize", "{}"),
            Map.entry("POST /failsafe", "{\"name\":\"pg1\"}"),
            Map.entry("POST /citus", "{\"type\":\"x\"}"),
            Map.entry("POST /mpp", "{\"type\":\"x\"}"),
            Map.entry("POST /sigterm", ""));
    /** Every write endpoint of the route table, as {method, path, body}. */
    static final List<String[]> UNSAFE = Router.routes().stream().filter(Router.Route::writes).map(r -> {
        String body = BODIES.get(r.method() + " /" + r.segment());
        return new String[] {r.method(), "/" + r.segment(), body == null || body.isEmpty() ? null : body};
    }).toList();
    static final List<String> SAFE = List.of("/", "/primary", "/replica", "/health", "/patroni", "/cluster",
            "/history", "/config", "/metrics", "/liveness", "/readiness", "/failsafe");

    private RestApiHarness h;
    private final List<HttpResponse<String>> seen = new ArrayList<>();

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        // No answer, whatever it was, ever shows the password.
        for (HttpResponse<String> r : seen) {
            assertThat(r.body()).doesNotContain(PASSWORD);
            assertThat(r.headers().map().toString()).doesNotContain(PASSWORD);
        }
    }

    private void start(RestApiConfig cfg, ClusterView view) {
        h = new RestApiHarness(cfg, SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()).toBuilder()
                .cluster(view, Clock.SYSTEM.nanoTime()).build(), new FakeNodeActions(view), Clock.SYSTEM,
                RestApiOptions.DEFAULTS);
    }

    private static RestApiConfig cfg(String user, String password, List<String> allowlist, boolean members,
            Map<String, String> headers) {
        return new RestApiConfig("127.0.0.1:0", "127.0.0.1:8008", user, Secret.of(password), null, null, null, null,
                null, null, allowlist, members, headers, Map.of("Strict-Transport-Security", "max-age=1"), 5);
    }

    private HttpResponse<String> call(String[] req, String... headers) {
        HttpResponse<String> r = h.request(req[0], req[1], req[2], headers);
        seen.add(r);
        return r;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyUnsafeEndpointNeedsBasicAuthentication() {
        start(cfg("admin", PASSWORD, List.of(), false, Map.of()), SnapshotFixtures.threeMembers());
        h.actions.onFailoverWritten(r -> h.actions.failoverCleared());
        for (String[] req : UNSAFE) {
            HttpResponse<String> none = call(req);
            assertThat(none.statusCode()).as("%s %s without credentials", req[0], req[1]).isEqualTo(401);
            assertThat(none.body()).isEqualTo("no auth header received");
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Patroni\"");
            HttpResponse<String> wrong = call(req, "Authorization", basic("admin", "guess"));
            assertThat(wrong.statusCode()).as("%s %s with a wrong password", req[0], req[1]).isEqualTo(401);
            assertThat(wrong.body()).isEqualTo("not authenticated");
            HttpResponse<String> bearer = call(req, "Authorization", "Bearer " + PASSWORD);
            assertThat(bearer.statusCode()).isEqualTo(401);
            HttpResponse<String> ok = call(req, "Authorization", basic("admin", PASSWORD));
            assertThat(ok.statusCode()).as("%s %s with credentials: %s", req[0], req[1], ok.body())
                    .isNotIn(401, 403);
        }
        assertThat(h.actions.reloads()).isEqualTo(1);
        assertThat(h.actions.configWrites()).hasSize(2);
    }

    /** The route table itself: every endpoint that writes passes the access check, and is exercised above. */
    @Test
    void everyWriteEndpointIsChecked() {
        List<Router.Route> routes = Router.routes();
        assertThat(routes.stream().filter(Router.Route::writes)).allSatisfy(r -> assertThat(r.access())
                .as("%s /%s", r.method(), r.segment()).isEqualTo(Router.Access.CHECKED));
        assertThat(routes.stream().filter(Router.Route::writes).map(r -> r.method() + " /" + r.segment()))
                .as("write endpoints with a request in BODIES").containsExactlyInAnyOrderElementsOf(BODIES.keySet());
        assertThat(routes.stream().filter(r -> !r.writes())).allSatisfy(r -> assertThat(r.method()).isEqualTo("GET"));
    }

    /** Issue 18 defect 6: POST /mpp answered 200 with no or wrong credentials (Patroni 4.1 does not check it). */
    @Test
    void mppIsCheckedLikeEveryOtherWrite() {
        start(cfg("admin", PASSWORD, List.of(), false, Map.of()), SnapshotFixtures.threeMembers());
        String[] mpp = {"POST", "/mpp", "{\"type\":\"after_promote\"}"};
        assertThat(call(mpp).statusCode()).isEqualTo(401);
        assertThat(call(mpp, "Authorization", basic("admin", "guess")).statusCode()).isEqualTo(401);
        assertThat(call(mpp, "Authorization", basic("admin", PASSWORD)).statusCode()).isEqualTo(200);
    }

    @Test
    void readsAndHealthChecksNeverNeedAuthentication() {
        start(cfg("admin", PASSWORD, List.of("10.0.0.0/8"), false, Map.of()), SnapshotFixtures.threeMembers());
        for (String path : SAFE) {
            HttpResponse<String> r = call(new String[] {"GET", path, null});
            assertThat(r.statusCode()).as(path).isNotIn(401, 403);
        }
        for (Router.Route r : Router.routes()) {
            if (!r.writes()) {
                assertThat(call(new String[] {"GET", "/" + r.segment(), null}).statusCode()).isNotIn(401, 403);
            }
        }
        for (String m : List.of("HEAD", "OPTIONS")) {
            assertThat(call(new String[] {m, "/primary", null}).statusCode()).isEqualTo(200);
        }
        // a method or path that is no endpoint is 501, whoever asks (there is nothing to protect)
        for (String m : List.of("POST", "PUT", "PATCH", "DELETE")) {
            assertThat(call(new String[] {m, "/nothing", null}).statusCode()).isEqualTo(501);
        }
    }

    @Test
    void allowlistComesFirstAndRefusesOtherAddresses() {
        start(cfg("admin", PASSWORD, List.of("10.0.0.0/8", "127.0.0.2", "fd00::/8"), false, Map.of()),
                SnapshotFixtures.threeMembers());
        for (String[] req : UNSAFE) {
            HttpResponse<String> r = call(req, "Authorization", basic("admin", PASSWORD));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("Access is denied");
            // Even without credentials the address check answers first.
            assertThat(call(req).statusCode()).isEqualTo(403);
        }
        assertThat(h.actions.reloads()).isZero();
    }

    @Test
    void allowlistByAddressNetworkOrName() {
        for (List<String> allow : List.of(List.of("127.0.0.1"), List.of("127.0.0.0/8"), List.of("localhost"),
                List.of("10.1.1.1", "127.0.0.1/32"))) {
            start(cfg(null, null, allow, false, Map.of()), SnapshotFixtures.threeMembers());
            assertThat(call(new String[] {"POST", "/reload", null}).statusCode()).as(allow.toString()).isEqualTo(202);
            h.close();
            h = null;
        }
    }

    @Test
    void allowlistIncludeMembersAdmitsTheMembersAddresses() {
        ClusterView base = SnapshotFixtures.threeMembers();
        start(cfg(null, null, List.of(), true, Map.of()), base);
        assertThat(call(new String[] {"POST", "/reload", null}).statusCode()).isEqualTo(403);
        h.close();
        List<Member> members = new ArrayList<>(base.members());
        members.set(2, members.get(2).toBuilder().apiUrl("http://127.0.0.1:8010/patroni").build());
        ClusterView withLocal = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(), members,
                null, null, base.history(), null, 40);
        start(cfg(null, null, List.of(), true, Map.of()), withLocal);
        assertThat(call(new String[] {"POST", "/reload", null}).statusCode()).isEqualTo(202);
    }

    @Test
    void extraHeadersOnEveryAnswer() {
        start(cfg("admin", PASSWORD, List.of(), false, Map.of("X-Frame-Options", "DENY")),
                SnapshotFixtures.threeMembers());
        for (String[] req : List.of(new String[] {"GET", "/primary", null}, new String[] {"GET", "/patroni", null},
                new String[] {"POST", "/reload", null}, new String[] {"GET", "/cluster", null},
                new String[] {"HEAD", "/replica", null})) {
            HttpResponse<String> r = call(req);
            assertThat(r.headers().firstValue("X-Frame-Options")).as("%s %s", req[0], req[1]).hasValue("DENY");
            // https_extra_headers only apply over TLS.
            assertThat(r.headers().firstValue("Strict-Transport-Security")).isEmpty();
        }
    }

    @Test
    void reloadChangesCredentialsWithoutRestartingTheListener() {
        start(cfg("admin", PASSWORD, List.of(), false, Map.of()), SnapshotFixtures.threeMembers());
        int port = h.server.port();
        h.server.reload(cfg("ops", "other-" + PASSWORD, List.of(), false, Map.of()));
        assertThat(h.server.port()).isEqualTo(port);
        String[] reload = {"POST", "/reload", null};
        assertThat(call(reload, "Authorization", basic("admin", PASSWORD)).statusCode()).isEqualTo(401);
        assertThat(call(reload, "Authorization", basic("ops", "other-" + PASSWORD)).statusCode()).isEqualTo(202);
    }

    @Test
    void reloadWithANewListenAddressMovesTheListener() throws Exception {
        start(cfg(null, null, List.of(), false, Map.of()), SnapshotFixtures.threeMembers());
        int before = h.server.port();
        RestApiConfig moved = new RestApiConfig("127.0.0.1:0", "127.0.0.1:8009", null, null, null, null, null, null,
                null, null, List.of(), false, Map.of("X-Moved", "yes"), Map.of(), 5);
        h.server.reload(moved);
        // "127.0.0.1:0" is the same text, so nothing moved; a different address restarts the listener.
        assertThat(h.server.port()).isEqualTo(before);
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        h.server.reload(new RestApiConfig("127.0.0.1:" + port, "127.0.0.1:8009", null, null, null, null, null,
                null, null, null, List.of(), false, Map.of("X-Moved", "yes"), Map.of(), 5));
        assertThat(h.server.port()).isEqualTo(port);
        HttpResponse<String> r = h.get("/primary");
        seen.add(r);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Moved")).hasValue("yes");
        assertThat(new java.net.Socket()).satisfies(sock -> {
            try (sock) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> sock.connect(new java.net.InetSocketAddress("127.0.0.1", before), 1000))
                        .isInstanceOf(java.io.IOException.class);
            }
        });
    }
}
