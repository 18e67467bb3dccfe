package io.haagent.config.loader;

import io.haagent.config.AgentConfig;
import io.haagent.config.PostgresBinaries;
import io.haagent.config.PostgresqlConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checks of {@code --validate-config} that look at this machine (§5.5): PostgreSQL binaries, the data
 * directory and its version, listen ports, etcd reachability, certificate files, the watchdog device, and
 * configuration files that hold passwords while other users may read them.
 */
public final class EnvironmentChecks {
    private static final Set<String> SECRET_KEYS = Set.of("password", "keyfile_password", "sslpassword",
            "key_password", "auth");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

    private final ConfigTree t;
    private final AgentConfig c;
    private final HostEnvironment host;
    private final boolean ignoreListenPort;
    private final List<Problem> out = new ArrayList<>();

    private EnvironmentChecks(ConfigTree t, AgentConfig c, HostEnvironment host, boolean ignoreListenPort) {
        this.t = t;
        this.c = c;
        this.host = host;
        this.ignoreListenPort = ignoreListenPort;
    }

    static List<Problem> check(ConfigTree t, AgentConfig config, HostEnvironment host) {
        return check(t, config, host, false);
    }

    /** @param ignoreListenPort a port in use at a listen address is no problem (Patroni 4's --ignore-listen-port) */
    static List<Problem> check(ConfigTree t, AgentConfig config, HostEnvironment host, boolean ignoreListenPort) {
        EnvironmentChecks e = new EnvironmentChecks(t, config, host, ignoreListenPort);
        e.secretFiles();
        if (config.postgresql() != null) {
            e.postgres(config.postgresql());
        }
        e.listen();
        e.etcd();
        e.files();
        e.watchdog();
        return e.out;
    }

    private void error(String path, String message) {
        out.add(Problem.error(t.origin(path), path, message));
    }

    private void warn(String path, String message) {
        out.add(Problem.warning(t.origin(path), path, message));
    }

    /** A file holding a password that other users may read: warn once per file, at its first password. */
    private void secretFiles() {
        Map<String, Problem> perFile = new LinkedHashMap<>();
        collectSecrets(t.root(), "", perFile);
        out.addAll(perFile.values());
    }

    private void collectSecrets(ConfigNode.Mapping m, String path, Map<String, Problem> perFile) {
        for (var e : m.entries().entrySet()) {
            String p = ConfigSchema.join(path, e.getKey());
            ConfigNode v = e.getValue();
            if (v instanceof ConfigNode.Mapping child) {
                collectSecrets(child, p, perFile);
            } else if (v instanceof ConfigNode.Scalar s && !s.isNull() && !s.text().isEmpty()
                    && SECRET_KEYS.contains(e.getKey()) && s.origin().rank() != Origin.ENVIRONMENT_RANK
                    && !perFile.containsKey(s.origin().source())) {
                Path file = Path.of(s.origin().source());
                if (readableByOthers(file)) {
                    perFile.put(s.origin().source(), Problem.warning(s.origin(), p, "this file holds a password and"
                            + " every user of this host may read it: chmod 600 " + file + " (or move the password"
                            + " to a PATRONI_* environment variable)"));
                }
            }
        }
    }

    private static boolean readableByOthers(Path file) {
        try {
            return Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void postgres(PostgresqlConfig pg) {
        String binDir = pg.binDir();
        boolean explicit = binDir != null && !binDir.isBlank();
        if (explicit && !Files.isDirectory(Path.of(binDir))) {
            error("postgresql.bin_dir", "directory " + binDir + " does not exist: correct the path, or leave bin_dir"
                    + " empty to search PATH and /usr/lib/postgresql/<major>/bin");
        }
        Integer dataMajor = dataDirMajor(pg.dataDir());
        PostgresBinaries bins = PostgresBinaries.resolve(binDir, pg.binName(), dataMajor, host.path());
        boolean rewind = pg.usePgRewind() || Boolean.TRUE.equals(t.bool("bootstrap.dcs.postgresql.use_pg_rewind"));
        if (!explicit || Files.isDirectory(Path.of(binDir))) {
            for (String tool : PostgresBinaries.TOOLS) {
                String why = bins.missing().get(tool);
                if (why == null || (tool.equals("pg_rewind") && !rewind)) {
                    continue;
                }
                String renamed = pg.binName().get(tool);
                String path = renamed != null ? "postgresql.bin_name." + tool : "postgresql.bin_dir";
                String message = (renamed != null ? renamed : tool) + " " + why + ": install PostgreSQL (apt-get"
                        + " install postgresql-15)" + (explicit ? "" : " or set postgresql.bin_dir");
                if (tool.equals("pg_rewind")) {
                    warn(path, message + "; until then use_pg_rewind cannot rewind a former primary");
                } else {
                    error(path, message);
                }
            }
        }
        dataDir(pg.dataDir(), bins);
    }

    private static Integer dataDirMajor(String dataDir) {
        if (dataDir == null || dataDir.isBlank()) {
            return null;
        }
        try {
            String v = Files.readString(Path.of(dataDir, "PG_VERSION"), StandardCharsets.US_ASCII).strip();
            return v.contains(".") ? null : Integer.valueOf(v);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Patroni's rule: absent, empty, or a data directory of the same major version as {@code postgres}. */
    private void dataDir(String dataDir, PostgresBinaries bins) {
        String path = "postgresql.data_dir";
        if (dataDir == null) {
            return;
        }
        if (dataDir.isBlank()) {
            error(path, "is empty: set it to this node's PostgreSQL data directory");
            return;
        }
        Path dir = Path.of(dataDir);
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            error(path, dataDir + " is not a directory: point data_dir at a directory (it may not exist yet)");
            return;
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            error(path, dataDir + " cannot be read by user " + host.osUser() + ": make that user its owner"
                    + " (chown -R postgres: " + dataDir + ") or run ha-agent as its owner");
            return;
        }
        if (isEmpty(dir)) {
            return;
        }
        Path versionFile = dir.resolve("PG_VERSION");
        if (!Files.isRegularFile(versionFile)) {
            error(path, dataDir + " is not empty but is no PostgreSQL data directory (no PG_VERSION): point data_dir"
                    + " at an empty or absent directory, or at this node's data directory");
            return;
        }
        String version;
        try {
            version = Files.readString(versionFile, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            error(path, "cannot read " + versionFile + ": make user " + host.osUser() + " its owner");
            return;
        }
        boolean modern = !version.startsWith("9.") && !version.startsWith("8.");
        String walDir = modern ? "pg_wal" : "pg_xlog";
        if (!Files.isDirectory(dir.resolve(walDir))) {
            error(path, dataDir + " holds PG_VERSION but no " + walDir + " directory: it is not a complete data"
                    + " directory; restore it or empty it so that it is created again");
            return;
        }
        Path postgres = bins.found().get("postgres");
        if (postgres == null) {
            return; // reported with the binaries
        }
        String binMajor = postgresMajor(postgres);
        if (binMajor == null) {
            error("postgresql", "cannot run " + postgres + " --version: check the PostgreSQL installation");
        } else if (!binMajor.equals(version)) {
            error(path, dataDir + " holds a PostgreSQL " + version + " cluster but " + postgres + " is version "
                    + binMajor + ": install PostgreSQL " + version + " and set postgresql.bin_dir to its bin"
                    + " directory, or upgrade the cluster with pg_upgrade, or point data_dir elsewhere");
        }
    }

    /** Empty as Patroni counts it: nothing but hidden files and lost+found, and no global/pg_control. */
    private static boolean isEmpty(Path dir) {
        if (Files.isRegularFile(dir.resolve("global").resolve("pg_control"))) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .allMatch(n -> n.startsWith(".") || n.equals("lost+found"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The major version from {@code postgres --version}: "15", or "9.6" before PostgreSQL 10. */
    public static String postgresMajor(Path postgres) {
        try {
            Process p = new ProcessBuilder(postgres.toString(), "--version").redirectErrorStream(true).start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            Matcher m = VERSION.matcher(output);
            if (!m.find()) {
                return null;
            }
            int major = Integer.parseInt(m.group(1));
            return major >= 10 || m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Each listen address must be free, or held by this very node: its own running agent (a check of the running
     * node's file) answers GET /patroni with this scope and member name; its own PostgreSQL is the postmaster
     * recorded in data_dir/postmaster.pid on that port. With --ignore-listen-port a port in use is never reported.
     */
    private void listen() {
        String api = c.restapi() == null ? null : c.restapi().listen();
        if (api != null) {
            try {
                HostPort hp = HostPort.parse(api, false, null);
                String why = host.network().cannotListen(wildcard(hp.host()), hp.port());
                if (why != null && !(inUse(why) && (ignoreListenPort || ownAgent(hp)))) {
                    String holder = inUse(why) ? otherAgent(hp) : null;
                    error("restapi.listen", "cannot listen on " + api.strip() + ": " + why
                            + (holder == null ? "" : " by " + holder) + "; free it or choose another address");
                }
            } catch (IllegalArgumentException e) {
                // reported by the schema check
            }
        }
        String pgListen = c.postgresql() == null ? null : c.postgresql().listen();
        if (pgListen != null) {
            try {
                HostPort hp = HostPort.parse(pgListen, true, null);
                for (String h : hp.hosts()) {
                    String why = host.network().cannotListen(wildcard(h), hp.port());
                    if (why == null || (inUse(why) && (ignoreListenPort || ownPostmaster(hp.port())))) {
                        continue;
                    }
                    String where = HostPort.format(h, hp.port());
                    if (inUse(why)) {
                        warn("postgresql.listen", "cannot listen on " + where + ": " + why + " (not by the"
                                + " postmaster of " + c.postgresql().dataDir() + "); fine if it is this node's"
                                + " PostgreSQL starting, else choose another port");
                    } else {
                        error("postgresql.listen", "cannot listen on " + where + ": " + why + "; fix the address");
                    }
                }
            } catch (IllegalArgumentException e) {
                // reported by the schema check
            }
        }
    }

    private static boolean inUse(String why) {
        return why.contains("in use");
    }

    /** The REST API at the listen address is this node's own agent (same scope, same member name). */
    private boolean ownAgent(HostPort listen) {
        NetworkProbe.RestIdentity who = restIdentity(listen);
        return who != null && who.scope() != null && who.scope().equals(c.scope())
                && (who.name() == null || who.name().equals(c.name()));
    }

    /** "the agent of member pg2 in cluster main" when another Patroni-compatible agent holds the port. */
    private String otherAgent(HostPort listen) {
        NetworkProbe.RestIdentity who = restIdentity(listen);
        if (who == null) {
            return null;
        }
        return "the agent" + (who.name() == null ? "" : " of member " + who.name())
                + (who.scope() == null ? "" : " in cluster " + who.scope());
    }

    private NetworkProbe.RestIdentity restIdentity(HostPort listen) {
        String h = wildcard(listen.host()).equals("*") ? "127.0.0.1" : listen.host();
        boolean tls = c.restapi().certfile() != null && !c.restapi().certfile().isBlank();
        return host.network().restIdentity(h, listen.port(), tls);
    }

    /** data_dir/postmaster.pid names a live process listening on this port (line 4 of the file). */
    private boolean ownPostmaster(int port) {
        String dataDir = c.postgresql().dataDir();
        if (dataDir == null || dataDir.isBlank()) {
            return false;
        }
        try {
            List<String> lines = Files.readAllLines(Path.of(dataDir, "postmaster.pid"), StandardCharsets.US_ASCII);
            return lines.size() >= 4 && lines.get(3).strip().equals(Integer.toString(port))
                    && ProcessHandle.of(Long.parseLong(lines.get(0).strip())).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String wildcard(String h) {
        return h.equals("*") || h.equals("0.0.0.0") ? "*" : h;
    }

    private void etcd() {
        if (c.etcd() == null) {
            return;
        }
        for (EtcdEndpoints.Endpoint e : EtcdEndpoints.of(t, c.etcd().section())) {
            String why = host.network().cannotReach(e.host(), e.port());
            if (why != null) {
                out.add(Problem.warning(e.origin(), e.path(), "etcd at " + e.address() + " is not reachable from here ("
                        + why + "): check the address, DNS and firewall; ha-agent keeps retrying when it runs"));
            }
        }
    }

    private void files() {
        List<String> paths = new ArrayList<>(List.of("restapi.certfile", "restapi.keyfile", "restapi.cafile",
                "ctl.cacert", "ctl.certfile", "ctl.keyfile"));
        if (c.etcd() != null) {
            for (String k : List.of("cacert", "cert", "key")) {
                paths.add(c.etcd().section() + "." + k);
            }
        }
        for (String p : paths) {
            String file = t.str(p);
            if (file != null && !file.isBlank() && !Files.isReadable(Path.of(file))) {
                error(p, "file " + file + (Files.exists(Path.of(file)) ? " cannot be read by user " + host.osUser()
                        : " does not exist") + ": correct the path or the file's owner");
            }
        }
    }

    private void watchdog() {
        if (c.watchdog() != null && c.watchdog().mode().equals("required")
                && !Files.exists(Path.of(c.watchdog().device()))) {
            error("watchdog.mode", "required, but " + c.watchdog().device() + " does not exist, so ha-agent would"
                    + " never take the leader lock: load a watchdog driver (modprobe softdog) or set mode: automatic");
        }
    }
}
