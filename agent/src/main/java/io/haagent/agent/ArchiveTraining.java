package io.haagent.agent;

import io.haagent.agent.ha.HttpPeerClient;
import io.haagent.agent.ha.PeerClient;
import io.haagent.agent.ha.StartingNodeActions;
import io.haagent.agent.logging.LogSetup;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.StatusBoard;
import io.haagent.api.Version;
import io.haagent.config.AgentConfig;
import io.haagent.config.restclient.RestClientSettings;
import io.haagent.config.DynamicConfig;
import io.haagent.config.loader.ConfigLoader;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.dcs.etcd.EtcdDcs;
import io.haagent.pg.sql.Connections;
import io.haagent.rest.RestApiServer;
import io.haagent.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training run behind the class-data archive (the launcher's {@code --write-class-data-archive}): a JVM of its
 * own, started with {@code -XX:ArchiveClassesAtExit}, that walks the paths an agent and agentctl take at start-up
 * and then exits, so that the JVM writes the classes they loaded to the archive. A running agent never dumps one:
 * a dump stops the whole JVM for seconds (issue 15), longer than HAProxy waits for a primary's health check.
 *
 * <p>Everything runs on loopback, against nothing real: a configuration in a temporary directory (loaded and
 * validated as the agent does), logging, the REST API on an ephemeral port answering GETs through the agent's own
 * peer client, an etcd client and pgjdbc against closed ports with short deadlines, and agentctl's command tree.
 * Failures of those calls are the point (they are the start-up's error paths too); only a failure to walk a path
 * at all makes the exit status non-zero, and the launcher then keeps no archive.
 */
public final class ArchiveTraining {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveTraining.class);

    private ArchiveTraining() {
    }

    public static void main(String[] args) throws Exception {
        int status;
        Path dir = Files.createTempDirectory("ha-agent-training",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            status = train(dir);
        } finally {
            deleteTree(dir);
        }
        System.exit(status);
    }

    /** Walks the start-up paths; 0 when each could be walked. */
    static int train(Path dir) throws Exception {
        int closedPort = closedPort();
        Path config = writeConfig(dir, closedPort, closedPort());
        HostEnvironment host = HostEnvironment.current();

        // ha-agent's command line, --validate-config and the loading of a node's configuration
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
        Main.run(host, quiet, quiet, "--version");
        Main.run(host, quiet, quiet, "--validate-config", config.toString());
        ConfigLoader.Loaded loaded = ConfigLoader.load(config, host);
        if (!loaded.canStart()) {
            System.err.println("training: the training configuration does not load: " + loaded.problems());
            return 1;
        }
        AgentConfig cfg = loaded.config();
        LogSetup.configure(cfg.log());
        LOG.info("training the class-data archive (no cluster is touched)");
        DynamicConfig dyn = DynamicConfig.from(cfg.bootstrap().dcs() == null ? Map.of() : cfg.bootstrap().dcs());

        // the REST API, asked the questions HAProxy, Prometheus, peers and agentctl ask
        StatusBoard board = new StatusBoard(NodeSnapshot.builder(cfg.scope(), cfg.name())
                .patroniVersion(Version.PATRONI_COMPATIBLE).connectAddress(cfg.postgresql().connectAddress())
                .apiUrl(cfg.restapi().apiUrl()).tags(cfg.tags()).dynamic(dyn)
                .nextRunNanos(Clock.SYSTEM.nanoTime() + Duration.ofSeconds(20).toNanos()).build());
        StartingNodeActions actions = new StartingNodeActions();
        try (RestApiServer api = RestApiServer.start(cfg.restapi(), board, actions, Clock.SYSTEM)) {
            HttpClient http = Agent.httpClient(RestClientSettings.forMembers(cfg));
            String base = api.baseUrl();
            PeerClient peers = new HttpPeerClient(http, Duration.ofSeconds(2), null);
            peers.statuses(Map.of("self", base + "/patroni"));
            for (String path : List.of("/patroni", "/health", "/liveness", "/readiness", "/primary", "/replica",
                    "/cluster", "/history", "/config", "/metrics", "/nothing-here")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                LOG.debug("GET {}: {}", path, r.statusCode());
            }
            // a write that is refused before it reaches the node (no leader or candidate named): the JSON body path
            http.send(HttpRequest.newBuilder(URI.create(base + "/switchover")).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), HttpResponse.BodyHandlers.discarding());
        }

        // etcd: a member's connection (watch, lease) and a call with a short deadline against a closed port
        try (EtcdDcs dcs = EtcdDcs.connect(cfg.etcd(), cfg.namespace(), cfg.scope(), cfg.name(), 10, 1,
                Clock.SYSTEM)) {
            dcs.cluster();
        } catch (RuntimeException expected) {
            LOG.debug("etcd: {}", expected.getMessage());
        }

        // pgjdbc: the driver, its connection settings, a refused connection
        try {
            Connections.open("127.0.0.1", closedPort, "postgres", cfg.postgresql().superuser(), "ha-agent-training",
                    Connections.Kind.SQL, Duration.ofSeconds(2)).close();
        } catch (RuntimeException expected) {
            LOG.debug("postgres: {}", expected.getMessage());
        }

        // agentctl: the command tree, its help screens, a command against an etcd that does not answer. The daemon
        // does not depend on agentctl; both are in lib/, so the training finds it by name.
        String etcd = "etcd3://127.0.0.1:" + closedPort + "/service";
        try {
            Class.forName("io.haagent.ctl.CtlTraining").getMethod("train", String.class, String.class)
                    .invoke(null, config.toString(), etcd);
        } catch (ReflectiveOperationException e) {
            LOG.info("agentctl's classes are not trained: {}", e);
        }
        LOG.info("training done");
        LogSetup.stop();
        return 0;
    }

    /** A loopback TCP port nobody listens on (now). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The REST API listens on {@code apiPort}; etcd and postgres are expected at the closed port. */
    private static Path writeConfig(Path dir, int closedPort, int apiPort) throws IOException {
        Path config = dir.resolve("patroni.yml");
        String yaml = String.join("\n",
                "scope: training",
                "namespace: /service",
                "name: training1",
                "restapi:",
                "  listen: 127.0.0.1:" + apiPort,
                "  connect_address: 127.0.0.2:" + apiPort,
                "etcd3:",
                "  hosts: 127.0.0.1:" + closedPort,
                "bootstrap:",
                "  dcs:",
                "    ttl: 30",
                "    loop_wait: 10",
                "    retry_timeout: 10",
                "    postgresql:",
                "      use_pg_rewind: true",
                "      parameters:",
                "        wal_level: replica",
                "postgresql:",
                "  listen: 127.0.0.1:" + closedPort,
                "  connect_address: 127.0.0.2:" + closedPort,
                "  data_dir: " + dir.resolve("data"),
                "  authentication:",
                "    superuser: {username: postgres, password: training}",
                "    replication: {username: replicator, password: training}",
                "tags: {nofailover: false}",
                "");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        return config;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is no reason to lose the archive
        }
    }
}
