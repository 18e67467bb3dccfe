package io.haagent.rest.http;

import io.haagent.api.RestartRequest;
import io.haagent.cluster.ClusterView;
import io.haagent.rest.access.AccessPolicy;
import io.haagent.rest.write.ManualFailover;
import io.haagent.rest.write.RequestBody;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.http.HttpServletResponse;
import io.haagent.text.SafeText;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Patroni's routing (§2.1): method plus the first path segment picks the endpoint; any other GET, HEAD or OPTIONS
 * is a health check on its full path; any other method answers 501. Unsafe endpoints pass the access check before
 * their body is read. Requests that wait on etcd or the agent run on the action pool so that health checks always
 * find a free request thread.
 */
public final class Router implements Handler {
    static final String ROUTED = "haagent.routed";
    /** Set when the request's body is left unread: the answer closes the connection instead of draining it. */
    static final String CLOSE = "haagent.close";
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    private static final String CLIENT_CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    private final ApiContext api;
    private final ReadEndpoints reads;
    private final WriteEndpoints writes;

    private final List<Endpoint> table;
    private final Map<String, Endpoint> byKey = new java.util.HashMap<>();

    public Router(ApiContext api) {
        this.api = api;
        this.reads = new ReadEndpoints(api);
        this.writes = new WriteEndpoints(api);
        this.table = endpoints();
        for (Endpoint e : table) {
            byKey.put(e.route().method() + " " + e.route().segment(), e);
        }
    }

    @Override
    public void handle(Context ctx) {
        ctx.attribute(ROUTED, Boolean.TRUE);
        try {
            route(ctx);
        } catch (Exception e) { // Javalin's body readers throw IOException undeclared
            IOException gone = clientGone(e);
            if (gone != null) {
                // nobody is left to answer: one line at debug, never a stack trace per disconnect
                log.debug("client {} went away during {} {}: {}", ctx.req().getRemoteAddr(), ctx.method(),
                        SafeText.of(ctx.path()), gone.toString());
                return;
            }
            write(ctx, WriteEndpoints.error(e));
        }
    }

    /** The I/O failure in {@code e}'s causes (the client closed or stalled past the read timeout), or null. */
    static IOException clientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    /** Whether an endpoint passes the access check of §2.2 (authentication, allowlist, client certificate). */
    public enum Access {
        /** Reads: anybody who can reach the port (Patroni checks none of its GETs). */
        PUBLIC,
        /** Every endpoint that changes anything; checked before its body is read. */
        CHECKED
    }

    /** One endpoint: the method, the first path segment, and its access. */
    public record Route(String method, String segment, Access access) {
        public boolean writes() {
            return !List.of("GET", "HEAD", "OPTIONS").contains(method);
        }
    }

    private record Endpoint(Route route, Consumer<Context> handler) {
    }

    /**
     * Every endpoint but the health checks (any other GET, HEAD or OPTIONS path is one; any other method or path
     * answers 501, as Patroni does). The access check is applied here, from the table, before any handler runs: an
     * endpoint cannot forget it, and a test walks the table (a write endpoint that is not CHECKED fails it).
     * Patroni 4.1 checks every write but {@code POST /mpp} (api.py has no {@code @check_access} on it); here
     * {@code /mpp} is checked too: a node that is not a Citus coordinator has nothing to offer an unauthenticated
     * caller there.
     */
    private List<Endpoint> endpoints() {
        return List.of(
                get("patroni", c -> write(c, reads.patroni())),
                get("metrics", c -> write(c, reads.metrics())),
                get("liveness", c -> write(c, reads.liveness())),
                get("readiness", c -> write(c, reads.readiness(c.queryParamMap()))),
                get("failsafe", c -> write(c, reads.failsafe())),
                get("cluster", c -> async(c, reads::cluster)),
                get("history", c -> fromView(c, reads::history)),
                get("config", c -> fromView(c, reads::config)),
                checked("PATCH", "config", c -> withBody(c, false, writes::patchConfig)),
                checked("PUT", "config", c -> withBody(c, false, writes::putConfig)),
                checked("POST", "reload", c -> write(c, writes.reload())),
                checked("POST", "restart", c -> {
                    RestartRequest r = writes.restartRequest(body(c, true));
                    if (r.scheduled()) {
                        write(c, writes.scheduleRestart(r));
                    } else {
                        async(c, () -> writes.restartNow(r));
                    }
                }),
                checked("DELETE", "restart", c -> write(c, writes.cancelRestart())),
                checked("POST", "failover", c -> withBody(c, false, b -> writes.failover(ManualFailover.FAILOVER, b))),
                checked("POST", "switchover",
                        c -> withBody(c, false, b -> writes.failover(ManualFailover.SWITCHOVER, b))),
                checked("DELETE", "switchover", c -> async(c, writes::cancelSwitchover)),
                checked("POST", "reinitialize", c -> withBody(c, true, writes::reinitialize)),
                checked("POST", "failsafe", c -> {
                    Reply disabled = writes.failsafeDisabled();
                    write(c, disabled != null ? disabled : writes.failsafe(body(c, false)));
                }),
                checked("POST", "citus", c -> {
                    body(c, false);
                    write(c, writes.mpp());
                }),
                checked("POST", "mpp", c -> {
                    body(c, false);
                    write(c, writes.mpp());
                }),
                checked("POST", "sigterm", c -> write(c, writes.sigterm())));
    }

    private static Endpoint get(String segment, Consumer<Context> handler) {
        return new Endpoint(new Route("GET", segment, Access.PUBLIC), handler);
    }

    private static Endpoint checked(String method, String segment, Consumer<Context> handler) {
        return new Endpoint(new Route(method, segment, Access.CHECKED), handler);
    }

    /** The route table, for tests and documentation. */
    public static List<Route> routes() {
        return new Router(null).table.stream().map(Endpoint::route).toList();
    }

    private void route(Context ctx) {
        String path = ctx.path();
        String method = ctx.method().name();
        Endpoint e = byKey.get(method + " " + firstSegment(path));
        if (e != null) {
            if (e.route().access() == Access.CHECKED && !allowed(ctx)) {
                return;
            }
            e.handler().accept(ctx);
            return;
        }
        switch (method) {
            // Patroni's do_GET: any other path is a health check (an unknown one answers 503 with the status
            // document, as Patroni does); HEAD and OPTIONS answer the same code with no body
            case "GET" -> write(ctx, reads.health(path, ctx.queryParamMap(), false));
            case "HEAD", "OPTIONS" -> write(ctx, reads.health(path, ctx.queryParamMap(), true));
            default -> unsupported(ctx);
        }
    }

    /** {@code /config} and {@code /history} from the snapshot's view when fresh, else from a fresh read. */
    private void fromView(Context ctx, Function<ClusterView, Reply> read) {
        ClusterView fresh = reads.freshView();
        if (fresh != null) {
            write(ctx, read.apply(fresh));
        } else {
            async(ctx, reads.withView(read));
        }
    }

    /** A body-reading endpoint whose work waits on etcd or the agent: the body is read here, the work on the pool. */
    private void withBody(Context ctx, boolean optionalBody, Function<Map<String, Object>, Reply> handler) {
        Map<String, Object> body = body(ctx, optionalBody);
        async(ctx, () -> handler.apply(body));
    }

    /** The access check of §2.2; writes the refusal and returns false when the request may not proceed. */
    private boolean allowed(Context ctx) {
        AccessPolicy policy = api.settings().access();
        InetAddress client;
        try {
            client = InetAddress.getByName(ctx.req().getRemoteAddr());
        } catch (UnknownHostException e) {
            write(ctx, Reply.text(403, "Access is denied"));
            return false;
        }
        Object certs = ctx.req().getAttribute(CLIENT_CERTIFICATES);
        boolean hasCert = certs instanceof Object[] a && a.length > 0;
        AccessPolicy.Denial d = policy.check(client, hasCert, ctx.header("Authorization"),
                () -> api.memberAddresses.of(api.board.current().cluster()));
        if (d == null) {
            return true;
        }
        log.info("refused {} {} from {}: {}", ctx.method(), ctx.path(), client.getHostAddress(), d.message());
        Reply r = Reply.text(d.status(), d.message());
        write(ctx, d.challenge() ? r.withHeader("WWW-Authenticate", "Basic realm=\"Patroni\"") : r);
        return false;
    }

    /**
     * Reads the body after checking its declared length; throws {@link io.haagent.rest.write.ApiError}. Only
     * {@code bodyReaders} requests read a body at a time (each may hold its thread until the body arrives, at most
     * {@code bodyTimeout}); beyond that a write is answered 503 at once and its connection closed, so slow writers
     * can never take the threads health checks need.
     */
    private Map<String, Object> body(Context ctx, boolean optional) {
        long length = ctx.req().getContentLengthLong();
        if (!RequestBody.checkLength(length, optional, api.options.maxBodyBytes())) {
            return new LinkedHashMap<>();
        }
        if (buffered(ctx) >= length) {
            // arrived with the headers (the usual case): reading it cannot wait on the client
            return RequestBody.parseObject(ctx.bodyAsBytes(), optional);
        }
        if (!api.bodyReaders.tryAcquire()) {
            ctx.attribute(CLOSE, Boolean.TRUE);
            throw new io.haagent.rest.write.ApiError(503, "too many requests are sending a body right now; retry"
                    + " later");
        }
        byte[] bytes;
        try {
            bytes = ctx.bodyAsBytes();
        } finally {
            api.bodyReaders.release();
        }
        return RequestBody.parseObject(bytes, optional);
    }

    /** Bytes of the body that can be read without waiting for the client. */
    private static long buffered(Context ctx) {
        try {
            return ctx.req().getInputStream().available();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static final long DRAIN_LIMIT = 1 << 20;

    /**
     * Reads (and drops) what is left of the request body before the answer is committed. An answer given while
     * the body is unread (a 401, 403 or 413, or an endpoint that ignores its body) makes Jetty close the connection
     * after the answer, too late to say {@code Connection: close}: a keep-alive client (patronictl's urllib3, Java's
     * HttpClient) then sends its next request into a closed connection and gets no answer at all. A body over 1 MiB
     * is not worth reading, nor one that would need a body reader when none is free: that client is told
     * {@code Connection: close}.
     */
    private void drainUnreadBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        boolean chunked = "chunked".equalsIgnoreCase(ctx.req().getHeader("Transfer-Encoding"));
        if (length == 0 || length < 0 && !chunked) {
            return;
        }
        if (length > DRAIN_LIMIT || ctx.attribute(CLOSE) != null) {
            ctx.attribute(CLOSE, Boolean.TRUE);
            return;
        }
        boolean permit = length < 0 || buffered(ctx) < length;
        if (permit && !api.bodyReaders.tryAcquire()) {
            ctx.attribute(CLOSE, Boolean.TRUE);
            return;
        }
        try {
            var in = ctx.req().getInputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while (total <= DRAIN_LIMIT && (n = in.read(buf)) >= 0) {
                total += n;
            }
        } catch (java.io.IOException | IllegalStateException e) {
            // the client went away, or the body was read as characters: nothing more to drain
        } finally {
            if (permit) {
                api.bodyReaders.release();
            }
        }
    }

    private void async(Context ctx, Supplier<Reply> work) {
        CompletableFuture<Void> done;
        try {
            done = CompletableFuture.supplyAsync(work, api.actionExecutor)
                    .exceptionally(WriteEndpoints::error)
                    .thenAccept(r -> write(ctx, r));
        } catch (RejectedExecutionException e) {
            write(ctx, Reply.text(503, "too many requests are waiting for etcd or the agent; retry later"));
            return;
        }
        ctx.future(() -> done);
    }

    private void unsupported(Context ctx) {
        write(ctx, Reply.text(501, "Unsupported method ('" + ctx.method().name() + "') for " + ctx.path()));
    }

    /** Answers requests no route took (methods other than the common ones) with 501, as Patroni does. */
    public static void notRouted(Context ctx) {
        if (ctx.attribute(ROUTED) == null) {
            ctx.status(501).contentType(Reply.TEXT)
                    .result("Unsupported method ('" + ctx.method().name() + "') for " + ctx.path());
        }
    }

    /**
     * Writes the answer straight to the servlet response: one write of pre-serialised bytes, with no per-request
     * copy buffer (the health checks are the hot path).
     */
    void write(Context ctx, Reply r) {
        drainUnreadBody(ctx);
        ctx.status(r.status());
        HttpServletResponse res = ctx.res();
        if (ctx.attribute(CLOSE) != null) {
            res.setHeader("Connection", "close");
        }
        for (Map.Entry<String, String> h : api.settings().extraHeaders().entrySet()) {
            res.setHeader(h.getKey(), h.getValue());
        }
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.setHeader(h.getKey(), h.getValue());
        }
        if (r.contentType() != null) {
            res.setContentType(r.contentType());
        }
        byte[] body = r.body() == null ? EMPTY : r.body();
        res.setContentLength(body.length);
        if (body.length > 0 && !"HEAD".equals(ctx.req().getMethod())) {
            try {
                res.getOutputStream().write(body);
            } catch (IOException e) {
                log.debug("client went away before the answer to {} {} was written: {}", ctx.method(), ctx.path(),
                        e.toString());
            }
        }
    }

    private static final byte[] EMPTY = new byte[0];

    static String firstSegment(String path) {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        int end = path.indexOf('/', start);
        return end < 0 ? path.substring(start) : path.substring(start, end);
    }
}
