package io.haagent.pg.control;

import io.haagent.cluster.Role;
import io.haagent.config.Credentials;
import io.haagent.config.DynamicConfig;
import io.haagent.config.PostgresBinaries;
import io.haagent.pg.ControlData;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.Pgpass;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.callbacks.CallbackRunner;
import io.haagent.pg.files.ConfigFiles;
import io.haagent.pg.files.PostgresqlConfFile;
import io.haagent.pg.postmaster.PostmasterWatch;
import io.haagent.pg.process.ProcessRunner;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import io.haagent.pg.sql.Connections;
import io.haagent.pg.sql.SqlErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every operation on one node shares: its configuration and derived settings, the tools, the files, the
 * postmaster watch, the callbacks, and the small I/O helpers (pg_controldata, local connections, writing the
 * configuration). The operations themselves live in {@link Lifecycle}, {@link Provisioning} and
 * {@link RewindOperations}; {@link LocalPostgres} serializes them.
 */
final class NodeContext {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    final PostgresNode node;
    final PostgresBinaries binaries;
    final Tuning tuning;
    final ProcessRunner runner = new ProcessRunner();
    final Path dataDir;
    final Path pgpassFile;
    final ConfigFiles files;
    final PostmasterWatch watch;
    final CallbackRunner callbacks;
    /** Configuration writes (including the pgpass file) happen one at a time. */
    final Object configLock = new Object();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    volatile DynamicConfig dynamic = DynamicConfig.DEFAULTS;
    /** Overrides the configured value once the HA loop manages synchronous replication. */
    volatile String synchronousStandbyNames;
    /** What the configuration files were last written for; null when unknown (after a clone or a rewind). */
    volatile Recovery lastRecovery;
    /**
     * A custom bootstrap (§4.6) runs, from its command until post_bootstrap has set the roles: pg_hba.conf trusts
     * the local superuser and replication connections, and the configuration files are not backed up.
     */
    volatile boolean customBootstrap;
    /** The role passed to callbacks that do not name one. */
    volatile Role role = Role.REPLICA;
    private volatile Integer major;
    private volatile PostgresSettings settings;

    NodeContext(PostgresNode node, PostgresBinaries binaries, Tuning tuning) {
        this.node = Objects.requireNonNull(node, "node");
        this.binaries = Objects.requireNonNull(binaries, "binaries");
        this.tuning = tuning == null ? Tuning.DEFAULT : tuning;
        this.dataDir = Path.of(node.postgresql().dataDir()).toAbsolutePath();
        String pgpass = node.postgresql().pgpass();
        this.pgpassFile = Path.of(pgpass == null || pgpass.isBlank()
                ? System.getProperty("user.home") + "/pgpass" : pgpass).toAbsolutePath();
        this.files = new ConfigFiles(dataDir, Path.of(node.postgresql().effectiveConfigDir()).toAbsolutePath(),
                node.postgresql().configBaseName(), node.postgresql().customConf(), pgpassFile);
        this.watch = new PostmasterWatch(dataDir, this.tuning.adoptedPollInterval());
        this.callbacks = new CallbackRunner(runner, node.postgresql().callbacks(), node.scope(),
                this.tuning.callbackTimeout());
    }

    // ------------------------------------------------------------------------------------------ tools, settings

    Path tool(String name) {
        Path p = binaries.found().get(name);
        if (p == null) {
            throw new PostgresException.BinaryMissing(name, binaries.missing().getOrDefault(name, "not found"));
        }
        return p;
    }

    /** pg_waldump is not one of Patroni's configurable tools: it lives beside postgres. */
    Path waldump() {
        Path p = tool("postgres").resolveSibling("pg_waldump");
        if (!Files.isExecutable(p)) {
            throw new PostgresException.BinaryMissing("pg_waldump", "not found beside " + tool("postgres"));
        }
        return p;
    }

    /** The server's major version, from {@code postgres --version} (run once). */
    int majorVersion() {
        Integer m = major;
        if (m == null) {
            ToolResult r = runner.run(ToolCommand.of("postgres", List.of(tool("postgres").toString(), "--version"),
                    Duration.ofSeconds(30)).capturingStdout());
            Matcher mm = VERSION.matcher(r.stdout());
            if (!r.succeeded() || !mm.find()) {
                throw new PostgresException.ToolFailed("cannot tell the PostgreSQL version", r.report(),
                        "check postgresql.bin_dir");
            }
            m = Integer.parseInt(mm.group(1));
            major = m;
        }
        return m;
    }

    PostgresSettings settings() {
        PostgresSettings s = settings;
        if (s == null) {
            s = new PostgresSettings(node, majorVersion(), pgpassFile);
            settings = s;
        }
        return s;
    }

    /** The effective parameters now; each warning about the configuration is logged once. */
    EffectiveParameters effective() {
        return settings().effective(dynamic, synchronousStandbyNames, w -> {
            if (warned.add(w)) {
                LOG.warn(w);
            }
        });
    }

    Path postmasterLog() {
        return files.postgresqlConf().resolveSibling("postmaster.log");
    }

    /** A hook gets the caller's bound when it is shorter than the configured hook timeout. */
    Duration hookTimeout(Duration bound) {
        return bound != null && bound.compareTo(tuning.hookTimeout()) < 0 ? bound : tuning.hookTimeout();
    }

    Credentials superuser() {
        Credentials c = node.postgresql().superuser();
        if (c == null || c.username() == null) {
            throw new PostgresException.InvalidOption("postgresql.authentication.superuser", "(missing)",
                    "a superuser is required");
        }
        return c;
    }

    Credentials replication() {
        Credentials c = node.postgresql().replication();
        if (c == null || c.username() == null) {
            throw new PostgresException.InvalidOption("postgresql.authentication.replication", "(missing)",
                    "a replication user is required");
        }
        return c;
    }

    // ------------------------------------------------------------------------------------------ data directory

    DataDirectoryState dataDirectoryState() {
        return DataDirectories.inspect(dataDir, majorVersion());
    }

    ControlData controlData() {
        ToolResult r = runner.run(ToolCommand.of("pg_controldata", List.of(tool("pg_controldata").toString(),
                dataDir.toString()), Duration.ofSeconds(30)).capturingStdout());
        if (!r.succeeded()) {
            throw new PostgresException.ToolFailed("cannot read pg_control of " + dataDir, r.report(),
                    "check that the data directory is a valid PostgreSQL " + majorVersion() + " one");
        }
        return ControlData.parse(r.stdout());
    }

    ControlData controlDataOrNull() {
        try {
            return dataDirectoryState().isValid() ? controlData() : null;
        } catch (PostgresException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ liveness

    boolean isRunning() {
        return watch.current().isPresent();
    }

    void requireRunning(String action) {
        if (!isRunning()) {
            throw new PostgresException.NotRunning(action);
        }
    }

    void requireStopped(String action) {
        Optional<PostmasterWatch.Tracked> t = watch.current();
        if (t.isPresent()) {
            throw new PostgresException.AlreadyRunning(action, t.get().pid());
        }
    }

    // ------------------------------------------------------------------------------------------ configuration

    /** @return true when postgresql.conf changed */
    boolean writeConfiguration(Recovery recovery) {
        synchronized (configLock) {
            if (files.postgresqlConf().startsWith(dataDir)) {
                DataDirectoryState state = dataDirectoryState();
                if (!state.isValid()) {
                    // writing into an empty data directory would make it unusable for pg_basebackup
                    throw new PostgresException.DataDirectoryProblem("write the configuration files", state);
                }
            }
            files.ensureBaseConf();
            EffectiveParameters params = effective();
            List<String> hba = settings().pgHba(dynamic);
            if (customBootstrap) {
                // §4.6: the restored cluster's passwords are not ours yet; trust this host's own connections of
                // the superuser and the replication user until post_bootstrap has set them, in our own file
                params = params.with("hba_file", files.hbaFile().toString());
                hba = settings().customBootstrapHba();
            }
            String conf = PostgresqlConfFile.render(files.includeTarget(), params.values(),
                    settings().recoveryParameters(recovery, dynamic));
            boolean changed = files.writePostgresqlConf(conf);
            if (changed) {
                LOG.info("wrote {} for a {}", files.postgresqlConf(), recovery);
            }
            if (hba != null && params.get("hba_file").equals(files.hbaFile().toString())) {
                files.writeHba(hba);
            }
            List<String> ident = settings().pgIdent(dynamic);
            if (ident != null && params.get("ident_file").equals(files.identFile().toString())) {
                files.writeIdent(ident);
            }
            switch (recovery.kind()) {
                case RESTORE -> files.setRecoverySignal();
                case AS_RESTORED -> { }
                default -> files.setStandby(recovery.standby());
            }
            if (recovery.kind() != Recovery.Kind.AS_RESTORED) {
                files.stripAutoConf();
            }
            lastRecovery = recovery;
            writePgpass(List.of());
            return changed;
        }
    }

    /**
     * The password file holds the local superuser's entry (for tools and post_bootstrap), the upstream's
     * replication entry (the walreceiver reads it through {@code passfile}) and the given ones.
     */
    void writePgpass(List<Pgpass> extra) {
        synchronized (configLock) {
            Map<String, Pgpass> entries = new LinkedHashMap<>();
            for (Pgpass p : extra) {
                if (p != null) {
                    entries.put(p.host() + ":" + p.port() + ":" + p.user(), p);
                }
            }
            Recovery r = lastRecovery;
            if (r != null && r.kind() == Recovery.Kind.FOLLOW) {
                Pgpass up = PostgresSettings.pgpass(node.postgresql().replication(), r.upstream().host(),
                        r.upstream().port());
                if (up != null) {
                    entries.putIfAbsent(up.host() + ":" + up.port() + ":" + up.user(), up);
                }
            }
            EffectiveParameters p = effective();
            for (String host : List.of(settings().toolHost(p), settings().connectHost())) {
                Pgpass su = PostgresSettings.pgpass(node.postgresql().superuser(), host, settings().port());
                if (su != null) {
                    entries.putIfAbsent(su.host() + ":" + su.port() + ":" + su.user(), su);
                }
            }
            files.writePgpass(new ArrayList<>(entries.values()));
        }
    }

    // ------------------------------------------------------------------------------------------ SQL

    Connection localConnection(String applicationName, Duration statementTimeout) {
        return localConnection(applicationName, statementTimeout, settings().database());
    }

    Connection localConnection(String applicationName, Duration statementTimeout, String database) {
        return Connections.open(settings().connectHost(), settings().port(), database, superuser(), applicationName,
                Connections.Kind.SQL, statementTimeout);
    }

    /**
     * A walsender session on the local server (IDENTIFY_SYSTEM), as the replication user, as Patroni does: it is
     * the one pg_hba.conf must allow for replication anyway.
     */
    Connection localReplicationConnection(String applicationName) {
        return Connections.open(settings().connectHost(), settings().port(), settings().database(), replication(),
                applicationName, Connections.Kind.REPLICATION, null);
    }

    void checkpoint() {
        try (Connection c = localConnection("ha-agent checkpoint", null); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            throw SqlErrors.wrap("CHECKPOINT", e);
        }
    }

    void resumeWalReplay() {
        try (Connection c = localConnection("ha-agent", Duration.ofSeconds(5)); Statement s = c.createStatement()) {
            s.execute("SELECT pg_catalog.pg_wal_replay_resume()");
        } catch (SQLException e) {
            throw SqlErrors.wrap("pg_wal_replay_resume()", e);
        }
    }

    Map<String, String> currentSettings(List<String> names) {
        try (Connection c = localConnection("ha-agent", Duration.ofSeconds(5))) {
            return readSettings(c, names);
        } catch (SQLException e) {
            throw SqlErrors.wrap("reading the current settings", e);
        }
    }

    /** The settings as the session on {@code c} sees them (a backend applies a reload before its next query). */
    static Map<String, String> readSettings(Connection c, List<String> names) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (String n : names) {
                try (ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('" + n + "')")) {
                    rs.next();
                    out.put(n, rs.getString(1));
                }
            }
        }
        return out;
    }

    private static final Duration SETTING_POLL = Duration.ofMillis(100);

    /** A reload is a signal: wait (bounded) until new sessions see the value. */
    void awaitSetting(String name, String value, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (value.equals(currentSettings(List.of(name)).get(name))) {
                return;
            }
            pause(SETTING_POLL); // a new session each time: not as often as a start's readiness check
        }
        LOG.warn("{} does not show the new value {} s after the reload", name, timeout.toSeconds());
    }

    void signalReload() {
        ToolResult r = runner.run(ToolCommand.of("pg_ctl", List.of(tool("pg_ctl").toString(), "reload", "-s", "-D",
                dataDir.toString()), Duration.ofSeconds(30)));
        if (!r.succeeded()) {
            throw new PostgresException.ToolFailed("pg_ctl reload failed", r.report(), "check that postgres runs");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(left, 1_000_000_000L));
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
