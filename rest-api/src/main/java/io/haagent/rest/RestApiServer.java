package io.haagent.rest;

import io.haagent.api.NodeActions;
import io.haagent.api.StatusBoard;
import io.haagent.config.RestApiConfig;
import io.haagent.rest.access.AccessPolicy;
import io.haagent.rest.http.ApiContext;
import io.haagent.rest.http.Router;
import io.haagent.rest.tls.TlsContext;
import io.haagent.time.Clock;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's REST API (Patroni's endpoints, codes and documents) on Javalin/Jetty. It reads the agent's
 * {@link StatusBoard} and hands writes to {@link NodeActions}; it never talks to etcd or postgres itself, so a slow
 * database cannot stall a health check.
 *
 * <pre>
 * RestApiServer api = RestApiServer.start(config.restapi(), board, actions, Clock.SYSTEM);
 * ...
 * api.reload(newConfig.restapi());   // SIGHUP
 * api.close();
 * </pre>
 */
public final class RestApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestApiServer.class);
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS,
            HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);

    static final int MIN_BACKLOG = 64;

    private final ApiContext api;
    private final ThreadPoolExecutor actionExecutor;
    private final RestApiOptions options;
    private RestApiConfig config;
    private Javalin app;
    private ServerConnector connector;
    private ConnectionGuard guard;

    private RestApiServer(RestApiConfig config, StatusBoard board, NodeActions actions, Clock clock,
            RestApiOptions options) {
        this.options = options;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.actionExecutor = new ThreadPoolExecutor(options.actionThreads(), options.actionThreads(), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(options.actionQueue()), r -> {
                    Thread t = new Thread(r, "rest-api-action-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.actionExecutor.allowCoreThreadTimeOut(true);
        this.api = new ApiContext(board, actions, clock, options, actionExecutor, settings(config));
    }

    public static RestApiServer start(RestApiConfig config, StatusBoard board, NodeActions actions, Clock clock) {
        return start(config, board, actions, clock, RestApiOptions.DEFAULTS);
    }

    /**
     * Starts listening on {@code restapi.listen}.
     *
     * @throws IllegalArgumentException when the configuration cannot work (bad listen address, unreadable
     *                                  certificate or key), naming the setting
     * @throws IllegalStateException    when the address cannot be bound
     */
    public static RestApiServer start(RestApiConfig config, StatusBoard board, NodeActions actions, Clock clock,
            RestApiOptions options) {
        Objects.requireNonNull(config, "restapi config");
        Objects.requireNonNull(board, "status board");
        Objects.requireNonNull(actions, "node actions");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(options, "options");
        RestApiServer s = new RestApiServer(config, board, actions, clock, options);
        try {
            s.listen();
        } catch (RuntimeException e) {
            s.actionExecutor.shutdownNow();
            throw e;
        }
        return s;
    }

    /** The bound port (useful with {@code listen: host:0}). */
    public synchronized int port() {
        return connector.getLocalPort();
    }

    /** {@code http(s)://<host>:<port>} of the listener, with a loopback host when listening on every address. */
    public synchronized String baseUrl() {
        String host = Listen.parse(config.listen()).host();
        if (host == null || "0.0.0.0".equals(host)) {
            host = "127.0.0.1";
        } else if ("::".equals(host)) {
            host = "[::1]";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (config.tls() ? "https" : "http") + "://" + host + ":" + port();
    }

    /**
     * Applies a changed {@code restapi} section (SIGHUP): authentication, allowlist and extra headers change in
     * place; a new listen address or TLS setting restarts the listener.
     */
    public synchronized void reload(RestApiConfig newConfig) {
        boolean relisten = !Objects.equals(newConfig.listen(), config.listen())
                || !Objects.equals(newConfig.certfile(), config.certfile())
                || !Objects.equals(newConfig.keyfile(), config.keyfile())
                || !Objects.equals(newConfig.keyfilePassword(), config.keyfilePassword())
                || !Objects.equals(newConfig.cafile(), config.cafile())
                || !Objects.equals(newConfig.ciphers(), config.ciphers())
                || !Objects.equals(newConfig.verifyClient(), config.verifyClient());
        api.settings(settings(newConfig));
        RestApiConfig old = config;
        config = newConfig;
        if (relisten) {
            log.info("restapi: listen or TLS settings changed, restarting the listener on {}", newConfig.listen());
            guard.stop();
            app.stop();
            try {
                listen();
            } catch (RuntimeException e) {
                config = old;
                api.settings(settings(old));
                listen();
                throw e;
            }
        }
    }

    /** Write requests waiting for an action thread (at most the queue's capacity; beyond it they get a 503). */
    public int actionsWaiting() {
        return actionExecutor.getQueue().size();
    }

    @Override
    public synchronized void close() {
        if (guard != null) {
            guard.stop();
        }
        if (app != null) {
            app.stop();
            app = null;
        }
        actionExecutor.shutdownNow();
    }

    private static ApiContext.Settings settings(RestApiConfig cfg) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (cfg.httpExtraHeaders() != null) {
            headers.putAll(cfg.httpExtraHeaders());
        }
        if (cfg.tls() && cfg.httpsExtraHeaders() != null) {
            headers.putAll(cfg.httpsExtraHeaders());
        }
        return new ApiContext.Settings(AccessPolicy.from(cfg), headers);
    }

    private void listen() {
        Listen listen = Listen.parse(config.listen());
        RestApiConfig cfg = config;
        // Built before Jetty starts so a bad certificate or key fails here with the file named.
        var ssl = cfg.tls() ? TlsContext.serverFactory(cfg) : null;
        // A small pool: health checks hold a thread for microseconds, at most bodyReaders requests wait on a client
        // (and only until bodyTimeout), and requests that wait on etcd or the agent run on the action pool. Idle:
        // the acceptor, the selector and one worker (plus Jetty's scheduler thread, and no action thread).
        QueuedThreadPool pool = new QueuedThreadPool(options.maxThreads(), Math.min(3, options.maxThreads()), 60_000);
        pool.setName("rest-api");
        pool.setDaemon(true);
        pool.setReservedThreads(0); // no idle threads parked for the selector's fast path
        ConnectionGuard g = new ConnectionGuard(options);
        Router router = new Router(api);
        ServerConnector[] created = new ServerConnector[1];
        Javalin javalin = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.maxRequestSize = options.maxBodyBytes();
            c.jetty.threadPool = pool;
            c.jetty.modifyHttpConfiguration(hc -> {
                hc.setSendServerVersion(false);
                hc.setSendXPoweredBy(false);
                hc.setIdleTimeout(options.idleTimeout().toMillis());
            });
            c.jetty.addConnector((server, httpConfig) -> {
                created[0] = connector(server, httpConfig, listen, ssl, cfg.requestQueueSize());
                created[0].addBean(g);
                return created[0];
            });
            for (HandlerType t : METHODS) {
                c.routes.addHttpHandler(t, "*", router);
            }
            c.routes.error(404, Router::notRouted);
        });
        try {
            javalin.start();
        } catch (RuntimeException e) {
            try {
                javalin.stop();
            } catch (RuntimeException ignored) {
                // nothing was started
            }
            throw new IllegalStateException("restapi.listen " + config.listen() + ": cannot listen: "
                    + rootMessage(e), e);
        }
        app = javalin;
        connector = created[0];
        guard = g;
        g.start(connector.getScheduler());
        log.info("REST API listening on {}", baseUrl());
    }

    private ServerConnector connector(Server server, HttpConfiguration httpConfig, Listen listen,
            org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl, int queueSize) {
        ServerConnector c;
        if (ssl == null) {
            c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(httpConfig));
        } else {
            HttpConfiguration https = new HttpConfiguration(httpConfig);
            // Clients reach nodes by IP: do not refuse requests whose Host is not a name in the certificate.
            https.addCustomizer(new SecureRequestCustomizer(false));
            c = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(https));
        }
        c.setHost(listen.host());
        c.setPort(listen.port());
        c.setIdleTimeout(options.idleTimeout().toMillis());
        // restapi.request_queue_size is the listen backlog (Patroni's default, 5, is socketserver's). Connections
        // wait there only until the acceptor takes them, but a burst (clients reconnecting at once, or an attacker)
        // overflows 5, the kernel drops the SYN, and a health check waits a second for its retry: no less than 64.
        c.setAcceptQueueSize(Math.max(MIN_BACKLOG, queueSize));
        c.setReuseAddress(true);
        return c;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** {@code restapi.listen}: {@code host:port}, {@code [v6]:port}, {@code *:port} or {@code :port}. */
    record Listen(String host, int port) {
        static Listen parse(String listen) {
            if (listen == null || listen.isBlank()) {
                throw new IllegalArgumentException("restapi.listen is not set (expected host:port)");
            }
            String s = listen.trim();
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("restapi.listen: expected host:port, got '" + listen + "'");
            }
            String host = s.substring(0, colon);
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("restapi.listen: expected host:port, got '" + listen + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("restapi.listen: port " + port + " is out of range");
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isEmpty() || "*".equals(host)) {
                host = null;
            }
            return new Listen(host, port);
        }
    }
}
