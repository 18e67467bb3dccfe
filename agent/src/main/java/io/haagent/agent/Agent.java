package io.haagent.agent;

import io.haagent.agent.ha.AgentNodeActions;
import io.haagent.agent.ha.DynamicConfigCache;
import io.haagent.agent.ha.HaLoop;
import io.haagent.agent.ha.HttpPeerClient;
import io.haagent.agent.ha.PeerClient;
import io.haagent.agent.ha.RoleChangeClock;
import io.haagent.agent.ha.StartingNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.api.StatusBoard;
import io.haagent.api.Version;
import io.haagent.cluster.Member;
import io.haagent.config.AgentConfig;
import io.haagent.config.DynamicConfig;
import io.haagent.config.PostgresBinaries;
import io.haagent.config.loader.ConfigLoader;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.config.loader.Problem;
import io.haagent.config.restclient.RestClientSettings;
import io.haagent.config.restclient.RestClientTls;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.dcs.etcd.EtcdDcs;
import io.haagent.pg.control.LocalPostgres;
import io.haagent.pg.control.PostgresNode;
import io.haagent.pg.control.Tuning;
import io.haagent.rest.RestApiServer;
import io.haagent.time.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: connects to etcd, refuses a duplicate member name, starts the REST API and the HA loop,
 * re-reads the configuration on SIGHUP or {@code POST /reload}, and on SIGTERM hands over and stops (§1.8, §3.10).
 */
public final class Agent {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final Path configPath;
    private final HostEnvironment host;
    /** systemd's Type=notify (Patroni 4.1): READY, RELOADING, STOPPING; nothing without NOTIFY_SOCKET. */
    private final SystemdNotify systemd;
    private volatile AgentConfig config;
    private final AtomicReference<String> fatal = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Counted down when the SIGTERM sequence (hand over, stop postgres, close) has finished. */
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean terminateStarted = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean terminating;

    private Agent(Path configPath, HostEnvironment host, AgentConfig config) {
        this.configPath = configPath;
        this.host = host;
        this.config = config;
        this.systemd = SystemdNotify.from(host.env());
    }

    /** Runs the node until SIGTERM or a fatal condition. @return the process exit status */
    public static int run(Path configPath, HostEnvironment host, AgentConfig config) {
        return new Agent(configPath, host, config).run();
    }

    private int run() {
        String v2 = EtcdV2Guard.check(config);
        if (v2 != null) {
            LOG.error("{}", v2);
            return 1;
        }
        Clock clock = Clock.SYSTEM;
        Path dataDir = Path.of(config.postgresql().dataDir());
        Map<String, Object> dynamic = DynamicConfigCache.load(dataDir);
        if (dynamic == null) {
            dynamic = config.bootstrap().dcs() == null ? Map.of() : config.bootstrap().dcs();
        }
        DynamicConfig dyn = DynamicConfig.from(dynamic);

        // The REST API binds while etcd is being reached (each takes about a second at start-up): health checks
        // answer 503 from the first snapshot, writes are refused until the loop runs.
        StatusBoard board = new StatusBoard(NodeSnapshot.builder(config.scope(), config.name())
                .patroniVersion(Version.PATRONI_COMPATIBLE)
                .connectAddress(config.postgresql().connectAddress())
                .apiUrl(config.restapi().apiUrl())
                .tags(config.tags())
                .dynamic(dyn)
                .nextRunNanos(clock.nanoTime() + Duration.ofSeconds(dyn.loopWait() * 2L).toNanos())
                .build());
        StartingNodeActions actions = new StartingNodeActions();
        java.util.concurrent.CompletableFuture<RestApiServer> apiStart = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> RestApiServer.start(config.restapi(), board, actions, clock));

        Dcs dcs = connect(dyn);
        RestApiServer api;
        try {
            api = apiStart.join();
        } catch (RuntimeException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            LOG.error("cannot start the REST API on {}: {}", config.restapi().listen(), c.getMessage());
            if (dcs != null) {
                dcs.close();
            }
            return 1;
        }
        if (dcs == null) {
            api.close();
            return fatal.get() != null ? 1 : 0;
        }
        RestClientSettings memberCalls = RestClientSettings.forMembers(config);
        HttpClient http = httpClient(memberCalls);
        if (!uniqueName(dcs, http)) {
            api.close();
            dcs.close();
            return 1;
        }
        PostgresBinaries binaries = PostgresBinaries.resolve(config.postgresql().binDir(), config.postgresql().binName(),
                null, host.env().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        if (!binaries.complete()) {
            LOG.error("PostgreSQL tools missing: {}: set postgresql.bin_dir or install postgresql-15", binaries.missing());
            api.close();
            dcs.close();
            return 1;
        }
        LocalPostgres pg = new LocalPostgres(PostgresNode.of(config), binaries, Tuning.DEFAULT);
        RoleChangeRecorder recorder = new RoleChangeRecorder();
        PeerClient peers = new HttpPeerClient(http, Duration.ofSeconds(2), memberCalls.authorization());
        peers.warmUp(config.restapi().apiUrl());
        HaLoop loop = new HaLoop(config, dcs, pg, peers, board, clock, new RoleChangeClock(clock, recorder), dynamic,
                reason -> fatal.compareAndSet(null, reason));
        actions.ready(new AgentNodeActions(dcs, loop, peers, this::reload, clock));
        this.api = api;
        this.loop = loop;

        Thread loopThread = new Thread(() -> {
            try {
                loop.run();
            } finally {
                stopped.countDown();
            }
        }, "ha-loop");
        // SIGTERM/SIGINT run the orderly stop on their own thread while the JVM keeps running, so that its log lines
        // are written and the process exits 0; the shutdown hook covers any other way the JVM may be stopped.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> terminate(loopThread), "ha-shutdown"));
        Signals.onTerminate(() -> terminate(loopThread));
        Signals.onHangup(this::reload);
        LOG.info("ha-agent {} (Patroni {} compatible) running as {} in cluster {}", Version.AGENT,
                Version.PATRONI_COMPATIBLE, config.name(), config.scope());
        loopThread.start();
        systemd.ready();
        try {
            stopped.await();
            if (terminating) {
                // the loop stopped because of SIGTERM: return (and stop logging) only once the handover is done
                terminated.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!terminating) {
            // the loop stopped by itself: a fatal condition (system ID mismatch, failed bootstrap)
            api.close();
            loop.close();
            pg.close();
            dcs.close();
        }
        String f = fatal.get();
        if (f != null) {
            LOG.error("exiting: {}", f);
            return 1;
        }
        return 0;
    }

    private volatile RestApiServer api;
    private volatile HaLoop loop;

    /** SIGTERM: stop the loop, then hand over (the loop's shutdown), then close everything. */
    private void terminate(Thread loopThread) {
        if (!terminateStarted.compareAndSet(false, true)) {
            // a second signal, or the shutdown hook after the signal handler: the first one does the work
            try {
                terminated.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            if (stopped.getCount() == 0 && !terminating) {
                return;
            }
            terminating = true;
            handOverAndStop(loopThread);
        } finally {
            terminated.countDown();
        }
    }

    private void handOverAndStop(Thread loopThread) {
        LOG.info("received SIGTERM: shutting down");
        systemd.stopping();
        HaLoop l = loop;
        l.stop();
        try {
            loopThread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        l.shutdown();
        api.close();
        l.close();
        LOG.info("ha-agent stopped");
    }

    /** SIGHUP or POST /reload: re-read the local configuration; apply what can change while running. */
    private void reload() {
        systemd.reloading();
        ConfigLoader.Loaded loaded = ConfigLoader.load(configPath, host);
        if (!loaded.canStart()) {
            for (Problem p : loaded.errors()) {
                LOG.error("reload refused: {}", p.format());
            }
            systemd.ready();
            return;
        }
        for (Problem p : loaded.problems()) {
            LOG.warn("{}", p.format());
        }
        AgentConfig next = loaded.config();
        RestApiServer a = api;
        if (a != null && !next.restapi().equals(config.restapi())) {
            a.reload(next.restapi());
        }
        HaLoop l = loop;
        if (l != null) {
            l.reload(next);
        }
        config = next;
        LOG.info("reloaded the configuration from {}", loaded.label());
        systemd.ready();
    }

    /** etcd, retrying every 5 s while unreachable ({@code waiting on etcd}); null when asked to stop meanwhile. */
    private Dcs connect(DynamicConfig dyn) {
        while (!terminating) {
            try {
                return EtcdDcs.connect(config.etcd(), config.namespace(), config.scope(), config.name(), dyn.ttl(),
                        dyn.retryTimeout(), Clock.SYSTEM);
            } catch (IllegalArgumentException e) {
                // etcd answered but refused us (credentials, certificates, not an etcd v3 endpoint): retrying will
                // not help; say so and stop
                LOG.error("cannot use etcd: {}: check the etcd3 section (hosts, protocol, credentials); an answer like"
                        + " 'HTTP status code 404' means the address is not an etcd v3 endpoint", e.getMessage());
                fatal.compareAndSet(null, "cannot use etcd");
                return null;
            } catch (DcsUnavailableException e) {
                LOG.info("waiting on etcd: {}", e.getMessage());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Refuse to start when another live node already uses our name (§1.8.3): two agents writing one member key
     * would each believe the other's leader key is theirs.
     */
    private boolean uniqueName(Dcs dcs, HttpClient http) {
        Member existing;
        try {
            existing = dcs.cluster().member(config.name()).orElse(null);
        } catch (DcsUnavailableException e) {
            return true;
        }
        if (existing == null || existing.apiUrl() == null || existing.apiUrl().equals(config.restapi().apiUrl())) {
            // our own previous run (same address: a second node there could not bind it anyway)
            return true;
        }
        URI api = existing.apiUri();
        if (api == null) {
            return true;
        }
        try {
            URI liveness = api.resolve("/liveness");
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(liveness).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            LOG.error("Can't start; there is already a node named '{}' running (its REST API at {} answered {})",
                    config.name(), liveness, r.statusCode());
            return false;
        } catch (Exception e) {
            // nothing answers there: the key is a leftover of our own previous run, waiting for its lease to expire
            return true;
        }
    }

    /**
     * The client for other members' REST APIs (elections, failsafe, the unique-name check): Patroni's member
     * calls, see {@link RestClientSettings}. A certificate or key that cannot be used is logged and the calls go
     * without a client certificate (the configuration check names the file too).
     */
    static HttpClient httpClient(RestClientSettings settings) {
        try {
            return RestClientTls.httpClient(settings, Duration.ofSeconds(2));
        } catch (IllegalArgumentException e) {
            LOG.error("cannot use the client certificate for calls to other members: {}", e.getMessage());
            return RestClientTls.httpClient(new RestClientSettings(settings.username(), settings.password(), null,
                    null, null, null, false, settings.certSection(), settings.cacertSetting()), Duration.ofSeconds(2));
        }
    }
}
