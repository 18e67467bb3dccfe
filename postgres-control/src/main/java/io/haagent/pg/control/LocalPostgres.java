package io.haagent.pg.control;

import io.haagent.cluster.Lsn;
import io.haagent.cluster.Role;
import io.haagent.config.Credentials;
import io.haagent.config.DynamicConfig;
import io.haagent.config.PostgresBinaries;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.CloneReport;
import io.haagent.pg.CommandLine;
import io.haagent.pg.ControlData;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.Divergence;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.FollowResult;
import io.haagent.pg.Pgpass;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.PostgresStatus;
import io.haagent.pg.PostmasterEvent;
import io.haagent.pg.Recovery;
import io.haagent.pg.RewindReport;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.StopResult;
import io.haagent.pg.ToolOptions;
import io.haagent.pg.Upstream;
import io.haagent.pg.callbacks.CallbackRunner;
import io.haagent.pg.files.ConfigFiles;
import io.haagent.pg.files.PostgresqlConfFile;
import io.haagent.pg.postmaster.PostmasterLauncher;
import io.haagent.pg.postmaster.PostmasterOpts;
import io.haagent.pg.postmaster.PostmasterWatch;
import io.haagent.pg.process.ProcessRunner;
import io.haagent.pg.process.ProcessTrees;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import io.haagent.pg.replica.ReplicaCloner;
import io.haagent.pg.rewind.Rewinder;
import io.haagent.pg.slots.SlotApplier;
import io.haagent.pg.sql.Connections;
import io.haagent.pg.sql.MonitoringQuery;
import io.haagent.pg.sql.ReplicationProtocol;
import io.haagent.pg.sql.RoleSetup;
import io.haagent.pg.sql.SqlErrors;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PostgresControl} for a PostgreSQL 15 on this host, through its own tools and pgjdbc. It does what it is
 * told and reports exactly what happened; the HA decisions are made elsewhere.
 *
 * <p>Concurrency: lifecycle actions hold {@code actionLock} (one at a time, in call order); configuration writes
 * hold {@code configLock}; {@link #state()} uses its own connection under {@code monitorLock};
 * {@link #isRunning()} takes no lock but the watch's own brief one.
 */
public final class LocalPostgres implements PostgresControl {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    private final PostgresNode node;
    private final PostgresBinaries binaries;
    private final Tuning tuning;
    private final ProcessRunner runner = new ProcessRunner();
    private final Path dataDir;
    private final Path pgpassFile;
    private final ConfigFiles files;
    private final PostmasterWatch watch;
    private final CallbackRunner callbacks;
    private final ReentrantLock actionLock = new ReentrantLock(true);
    private final Object configLock = new Object();
    private final Object monitorLock = new Object();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private volatile DynamicConfig dynamic = DynamicConfig.DEFAULTS;
    private volatile Integer major;
    private volatile NodeSettings settings;
    private volatile String synchronousStandbyNames;
    private volatile Recovery lastRecovery;
    private volatile Role role = Role.REPLICA;
    private Connection monitor;

    public LocalPostgres(PostgresNode node, PostgresBinaries binaries, Tuning tuning) {
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

    @Override
    public String memberName() {
        return node.name();
    }

    @Override
    public void setDynamicConfig(DynamicConfig d) {
        this.dynamic = d == null ? DynamicConfig.DEFAULTS : d;
    }

    // ------------------------------------------------------------------------------------------ tools, settings

    private Path tool(String name) {
        Path p = binaries.found().get(name);
        if (p == null) {
            throw new PostgresException.BinaryMissing(name, binaries.missing().getOrDefault(name, "not found"));
        }
        return p;
    }

    /** pg_waldump is not one of Patroni's configurable tools: it lives beside postgres. */
    private Path waldump() {
        Path p = tool("postgres").resolveSibling("pg_waldump");
        if (!Files.isExecutable(p)) {
            throw new PostgresException.BinaryMissing("pg_waldump", "not found beside " + tool("postgres"));
        }
        return p;
    }

    /** The server's major version, from {@code postgres --version} (run once). */
    public int majorVersion() {
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

    private NodeSettings settings() {
        NodeSettings s = settings;
        if (s == null) {
            s = new NodeSettings(node, majorVersion(), pgpassFile);
            settings = s;
        }
        return s;
    }

    private EffectiveParameters effective() {
        return settings().effective(dynamic, synchronousStandbyNames, w -> {
            if (warned.add(w)) {
                LOG.warn(w);
            }
        });
    }

    private Path postmasterLog() {
        return files.postgresqlConf().resolveSibling("postmaster.log");
    }

    private Duration hookTimeout(Duration bound) {
        return bound != null && bound.compareTo(tuning.hookTimeout()) < 0 ? bound : tuning.hookTimeout();
    }

    // ------------------------------------------------------------------------------------------ data directory

    @Override
    public DataDirectoryState dataDirectoryState() {
        return DataDirectories.inspect(dataDir, majorVersion());
    }

    @Override
    public void bootstrap(Duration timeout) {
        actionLock.lock();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            DataDirectoryState state = dataDirectoryState();
            if (!state.isEmpty()) {
                throw new PostgresException.DataDirectoryProblem("bootstrap a new cluster", state);
            }
            List<String> options = ToolOptions.arguments(node.bootstrap().initdb(), "bootstrap.initdb",
                    ToolOptions.INITDB_FORBIDDEN);
            runInitdb(options, timeout);
            try {
                if (settings().pgHba(dynamic) == null) {
                    files.appendHba(node.bootstrap().pgHba());
                }
                start(StartRequest.asPrimary(remaining(deadline)).withoutCallback());
                createRoles();
                runPostBootstrap(remaining(deadline));
                role = Role.PRIMARY;
            } catch (PostgresException | IllegalArgumentException e) {
                abortBootstrap();
                Path moved = DataDirectories.setAside(dataDir);
                throw new PostgresException.BootstrapFailed("bootstrap failed after initdb: "
                        + (e instanceof PostgresException pe ? pe.whatHappened() : e.getMessage()), moved, e);
            }
        } finally {
            actionLock.unlock();
        }
    }

    private void runInitdb(List<String> options, Duration timeout) {
        Credentials su = node.postgresql().superuser();
        Path pwfile = null;
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(tool("initdb").toString());
            cmd.addAll(options);
            cmd.add("--username=" + su.username());
            if (su.password() != null) {
                // Safety: the password goes through a 0600 file that lives only for this call, never argv
                pwfile = Files.createTempFile("ha-agent-pwfile", "", java.nio.file.attribute.PosixFilePermissions
                        .asFileAttribute(io.haagent.pg.files.AtomicFiles.OWNER_ONLY));
                Files.writeString(pwfile, su.password().reveal() + "\n", StandardCharsets.UTF_8);
                cmd.add("--pwfile=" + pwfile);
            }
            cmd.add("--pgdata=" + dataDir);
            ToolResult r = runner.run(ToolCommand.of("initdb", cmd, timeout).withInheritedLocale());
            if (!r.succeeded()) {
                DataDirectories.empty(dataDir);
                if (r.report().timedOut()) {
                    throw new PostgresException.ToolTimedOut("initdb", r.report(), timeout,
                            "check the disk of " + dataDir + "; the data directory was left empty");
                }
                if (r.report().outputContains("No space left on device")) {
                    throw new PostgresException.DiskFull("initdb", dataDir, r.report());
                }
                throw new PostgresException.ToolFailed("initdb failed", r.report(),
                        "fix bootstrap.initdb or the data directory; it was left empty");
            }
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot write the temporary password file", pwfile == null
                    ? Path.of(System.getProperty("java.io.tmpdir")) : pwfile, e);
        } finally {
            if (pwfile != null) {
                try {
                    Files.deleteIfExists(pwfile);
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", pwfile, e.toString());
                }
            }
        }
    }

    private void abortBootstrap() {
        try {
            if (isRunning()) {
                stopInternal(StopMode.IMMEDIATE, false, Duration.ofSeconds(30), false);
            }
        } catch (PostgresException e) {
            LOG.error("could not stop postgres after a failed bootstrap: {}", e.getMessage());
        }
    }

    private void runPostBootstrap(Duration timeout) {
        String script = node.bootstrap().postBootstrap();
        if (script == null || script.isBlank()) {
            return;
        }
        List<String> cmd;
        try {
            cmd = new ArrayList<>(CommandLine.split(script));
        } catch (IllegalArgumentException e) {
            throw new PostgresException.InvalidOption("bootstrap.post_bootstrap", script, e.getMessage());
        }
        EffectiveParameters p = effective();
        cmd.add(settings().localSuperuserDsn(p));
        writePgpass(List.of());
        ToolResult r = runner.run(ToolCommand.of("post_bootstrap", cmd, hookTimeout(timeout))
                .withEnv("PGPASSFILE", pgpassFile.toString())
                .withEnv("PGOPTIONS", "-c synchronous_commit=local -c statement_timeout=0"));
        if (!r.succeeded()) {
            throw new PostgresException.HookFailed("bootstrap.post_bootstrap", r.report(), "the bootstrap is aborted");
        }
    }

    @Override
    public void createRoles() {
        PostgresqlConfigView c = new PostgresqlConfigView();
        try (Connection conn = localConnection("ha-agent bootstrap", null)) {
            RoleSetup.apply(conn, c.superuser(), c.replication(), node.postgresql().rewind());
        } catch (SQLException e) {
            throw SqlErrors.wrap("creating the superuser, replication and rewind roles", e);
        }
    }

    @Override
    public CloneReport createReplica(Upstream source, Duration timeout) {
        actionLock.lock();
        try {
            requireStopped("create a replica");
            DataDirectoryState state = dataDirectoryState();
            if (!state.isEmpty()) {
                throw new PostgresException.DataDirectoryProblem("clone a replica into it (remove it first)", state);
            }
            if (source != null) {
                writePgpass(List.of(NodeSettings.pgpass(node.postgresql().replication(), source.host(),
                        source.port())));
            }
            ReplicaCloner cloner = new ReplicaCloner(runner, tool("pg_basebackup"), dataDir, node.scope(),
                    node.postgresql(), pgpassFile, tuning.basebackupRetryDelay());
            CloneReport report = cloner.createReplica(source, up -> settings().replicationDsn(up, false), timeout);
            files.restoreMissingFromBackup();
            lastRecovery = null;
            return report;
        } finally {
            actionLock.unlock();
        }
    }

    @Override
    public void removeDataDirectory() {
        actionLock.lock();
        try {
            requireStopped("remove the data directory");
            LOG.warn("removing the content of the data directory {}", dataDir);
            DataDirectories.empty(dataDir);
            lastRecovery = null;
        } finally {
            actionLock.unlock();
        }
    }

    @Override
    public ControlData controlData() {
        ToolResult r = runner.run(ToolCommand.of("pg_controldata", List.of(tool("pg_controldata").toString(),
                dataDir.toString()), Duration.ofSeconds(30)).capturingStdout());
        if (!r.succeeded()) {
            throw new PostgresException.ToolFailed("cannot read pg_control of " + dataDir, r.report(),
                    "check that the data directory is a valid PostgreSQL " + majorVersion() + " one");
        }
        return ControlData.parse(r.stdout());
    }

    @Override
    public String systemIdentifier() {
        String id = controlData().systemIdentifier();
        if (id == null) {
            throw new PostgresException.DataDirectoryProblem("read the system identifier",
                    new DataDirectoryState(DataDirectoryState.Kind.NOT_A_DATA_DIRECTORY, dataDir, null,
                            "pg_controldata printed no Database system identifier"));
        }
        return id;
    }

    // ------------------------------------------------------------------------------------------ configuration

    @Override
    public void writeConfiguration(Recovery recovery) {
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
            String conf = PostgresqlConfFile.render(files.includeTarget(), params.values(),
                    settings().recoveryParameters(recovery, dynamic));
            if (files.writePostgresqlConf(conf)) {
                LOG.info("wrote {} for a {}", files.postgresqlConf(), recovery);
            }
            List<String> hba = settings().pgHba(dynamic);
            if (hba != null && params.get("hba_file").equals(files.hbaFile().toString())) {
                files.writeHba(hba);
            }
            List<String> ident = settings().pgIdent(dynamic);
            if (ident != null && params.get("ident_file").equals(files.identFile().toString())) {
                files.writeIdent(ident);
            }
            files.setStandby(recovery.standby());
            files.stripAutoConf();
            List<Pgpass> entries = new ArrayList<>();
            if (recovery.kind() == Recovery.Kind.FOLLOW) {
                entries.add(NodeSettings.pgpass(node.postgresql().replication(), recovery.upstream().host(),
                        recovery.upstream().port()));
            }
            writePgpass(entries);
            lastRecovery = recovery;
        }
    }

    /**
     * The password file holds the local superuser's entry (for tools and post_bootstrap) plus the given ones
     * (the upstream's replication entry, which the walreceiver reads through {@code passfile}).
     */
    private void writePgpass(List<Pgpass> extra) {
        Map<String, Pgpass> entries = new LinkedHashMap<>();
        for (Pgpass p : extra) {
            if (p != null) {
                entries.put(p.host() + ":" + p.port() + ":" + p.user(), p);
            }
        }
        Recovery r = lastRecovery;
        if (r != null && r.kind() == Recovery.Kind.FOLLOW) {
            Pgpass up = NodeSettings.pgpass(node.postgresql().replication(), r.upstream().host(), r.upstream().port());
            if (up != null) {
                entries.putIfAbsent(up.host() + ":" + up.port() + ":" + up.user(), up);
            }
        }
        EffectiveParameters p = effective();
        for (String host : List.of(settings().toolHost(p), settings().connectHost())) {
            Pgpass su = NodeSettings.pgpass(node.postgresql().superuser(), host, settings().port());
            if (su != null) {
                entries.putIfAbsent(su.host() + ":" + su.port() + ":" + su.user(), su);
            }
        }
        files.writePgpass(new ArrayList<>(entries.values()));
    }

    @Override
    public FollowResult follow(Recovery recovery) {
        if (!recovery.standby()) {
            throw new IllegalArgumentException("follow() makes a replica follow an upstream; promote() makes a primary");
        }
        actionLock.lock();
        try {
            PostgresStatus s = state();
            if (s.isPrimary()) {
                writeConfiguration(recovery);
                return FollowResult.RESTART_REQUIRED;
            }
            Map<String, String> want = settings().recoveryParameters(recovery, dynamic);
            String wantConninfo = want.getOrDefault("primary_conninfo", "");
            String wantSlot = want.getOrDefault("primary_slot_name", "");
            Map<String, String> have = currentSettings(List.of("primary_conninfo", "primary_slot_name"));
            writeConfiguration(recovery);
            if (wantConninfo.equals(have.get("primary_conninfo")) && wantSlot.equals(have.get("primary_slot_name"))) {
                return FollowResult.UNCHANGED;
            }
            // PG13+: primary_conninfo and primary_slot_name are reloadable; the walreceiver restarts by itself
            signalReload();
            awaitSetting("primary_conninfo", wantConninfo, Duration.ofSeconds(10));
            LOG.info("now following {}", recovery);
            return FollowResult.RELOADED;
        } finally {
            actionLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start(StartRequest request) {
        actionLock.lock();
        try {
            DataDirectoryState state = dataDirectoryState();
            if (!state.isValid()) {
                throw new PostgresException.DataDirectoryProblem("start postgres", state);
            }
            Optional<PostmasterWatch.Tracked> running = watch.current();
            if (running.isPresent()) {
                throw new PostgresException.AlreadyRunning("start postgres", running.get().pid());
            }
            writeConfiguration(request.recovery());
            EffectiveParameters params = effective();
            PostmasterLauncher.Target target = new PostmasterLauncher.Target(dataDir, files.postgresqlConf(),
                    params.commandLineOptions(), postmasterLog(), settings().toolHost(params), settings().port(),
                    settings().listenHosts(), node.postgresql().superuser().username(), settings().database());
            Map<String, String> env = new LinkedHashMap<>();
            watch.stalePidHeldByOtherProcess().ifPresent(pid -> {
                // postmaster.pid names a live process that is not a postmaster (pid reuse after a crash): tell
                // the new postmaster it may ignore it instead of deleting the lock file (racy if it were real)
                LOG.info("postmaster.pid names pid {}, which is not a postmaster: telling postgres to ignore it", pid);
                env.put("PG_GRANDPARENT_PID", Long.toString(pid));
            });
            PostmasterLauncher launcher = new PostmasterLauncher(runner, tool("postgres"), tool("pg_isready"),
                    tuning.readinessPollInterval());
            long offset = PostmasterLauncher.logOffset(postmasterLog());
            PostmasterWatch.Tracked tracked = launcher.launch(target, watch, env);
            launcher.awaitReady(target, tracked, watch, request.timeout(), offset);
            role = request.recovery().standby() ? (request.callbackRole() == Role.STANDBY_LEADER
                    ? Role.STANDBY_LEADER : Role.REPLICA) : Role.PRIMARY;
            files.backup();
            if (request.callback() != null) {
                callbacks.fire(request.callback(), request.callbackRole());
            }
        } finally {
            actionLock.unlock();
        }
    }

    @Override
    public StopResult stop(StopMode mode, boolean checkpoint, Duration timeout) {
        actionLock.lock();
        try {
            return stopInternal(mode, checkpoint, timeout, true);
        } finally {
            actionLock.unlock();
        }
    }

    private StopResult stopInternal(StopMode mode, boolean checkpoint, Duration timeout, boolean fireOnStop) {
        long start = System.nanoTime();
        Optional<PostmasterWatch.Tracked> found = watch.current();
        if (found.isEmpty()) {
            return new StopResult(false, mode, null, Duration.ZERO, controlDataOrNull());
        }
        PostmasterWatch.Tracked pm = found.get();
        ToolResult hook = callbacks.runHook("before_stop", node.postgresql().beforeStop(), hookTimeout(timeout));
        if (hook != null && !hook.succeeded()) {
            LOG.warn("before_stop failed (ignored, as Patroni does): {}", hook.report().summary());
        }
        if (checkpoint && mode != StopMode.IMMEDIATE) {
            try {
                checkpointInternal();
            } catch (PostgresException e) {
                LOG.warn("CHECKPOINT before stopping failed, stopping anyway: {}", e.whatHappened());
            }
        }
        closeMonitor();
        pm.stopRequested();
        StopMode used = mode;
        signal(pm, mode);
        if (!awaitExit(pm, timeout)) {
            // Escalation: a stop that never finishes keeps a demoting primary writable; immediate, then SIGKILL
            if (mode != StopMode.IMMEDIATE) {
                LOG.warn("postgres did not stop in {} mode within {} s: switching to immediate", mode.wire(),
                        timeout.toSeconds());
                used = StopMode.IMMEDIATE;
                signal(pm, StopMode.IMMEDIATE);
            }
            if (!awaitExit(pm, tuning.stopEscalationGrace())) {
                LOG.warn("postgres (pid {}) still runs: killing it and its children with SIGKILL", pm.pid());
                used = null;
                ProcessTrees.killTree(pm.handle());
                if (!awaitExit(pm, Duration.ofSeconds(10))) {
                    throw new PostgresException.StopFailed("postgres (pid " + pm.pid() + ") did not exit even after"
                            + " SIGKILL", "check the process (uninterruptible I/O?) and the host");
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        LOG.info("postgres stopped ({} mode{}) in {} ms", mode.wire(), used == mode ? ""
                : ", escalated to " + (used == null ? "SIGKILL" : used.wire()), took.toMillis());
        if (fireOnStop) {
            callbacks.fire(CallbackAction.ON_STOP, role);
        }
        return new StopResult(true, mode, used, took, controlDataOrNull());
    }

    private void signal(PostmasterWatch.Tracked pm, StopMode mode) {
        ToolResult r = runner.run(ToolCommand.of("pg_ctl", List.of(tool("pg_ctl").toString(), "kill", mode.signal(),
                Long.toString(pm.pid())), Duration.ofSeconds(10)));
        if (!r.succeeded() && pm.alive()) {
            LOG.warn("pg_ctl kill {} {} failed: {}", mode.signal(), pm.pid(), r.report().summary());
        }
    }

    private static boolean awaitExit(PostmasterWatch.Tracked pm, Duration timeout) {
        try {
            pm.exited().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    private ControlData controlDataOrNull() {
        try {
            return dataDirectoryState().isValid() ? controlData() : null;
        } catch (PostgresException e) {
            return null;
        }
    }

    @Override
    public void restart(StartRequest request, Duration stopTimeout) {
        actionLock.lock();
        try {
            stopInternal(StopMode.FAST, true, stopTimeout, false);
            StartRequest r = request.callback() == null || request.callback() == CallbackAction.ON_START
                    ? request.withCallback(CallbackAction.ON_RESTART, request.callbackRole()) : request;
            start(r);
        } finally {
            actionLock.unlock();
        }
    }

    @Override
    public void promote(Duration timeout) {
        actionLock.lock();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            requireRunning("promote");
            ToolResult pre = callbacks.runHook("pre_promote", node.postgresql().prePromote(), hookTimeout(timeout));
            if (pre != null && !pre.succeeded()) {
                // Safety: a failing pre_promote (e.g. a fencing script) means this node must not become writable
                throw new PostgresException.HookFailed("pre_promote", pre.report(), "postgres was not promoted");
            }
            long secs = Math.max(1, remaining(deadline).toSeconds());
            ToolResult r = runner.run(ToolCommand.of("pg_ctl", List.of(tool("pg_ctl").toString(), "promote", "-w",
                    "-t", Long.toString(secs), "-D", dataDir.toString()), remaining(deadline).plusSeconds(5)));
            if (!r.succeeded()) {
                throw new PostgresException.PromoteFailed("pg_ctl promote failed: " + r.report().summary(),
                        "check the server log; the node is still a replica");
            }
            String state;
            do {
                state = controlData().clusterState();
                if (ControlData.STATE_IN_PRODUCTION.equals(state)) {
                    break;
                }
                pause(tuning.readinessPollInterval());
            } while (System.nanoTime() < deadline);
            if (!ControlData.STATE_IN_PRODUCTION.equals(state)) {
                throw new PostgresException.PromoteFailed("postgres did not leave recovery within " + timeout.toSeconds()
                        + " s (pg_control state: " + state + ")", "check the server log");
            }
            role = Role.PRIMARY;
            LOG.info("promoted: pg_control says {}", state);
            try {
                writeConfiguration(Recovery.primary());
            } catch (PostgresException e) {
                LOG.warn("promoted, but could not rewrite the configuration as a primary: {}", e.whatHappened());
            }
            callbacks.fire(CallbackAction.ON_ROLE_CHANGE, Role.PRIMARY);
        } finally {
            actionLock.unlock();
        }
    }

    @Override
    public void reload() {
        actionLock.lock();
        try {
            requireRunning("reload");
            Recovery r = lastRecovery;
            if (r != null) {
                writeConfiguration(r);
            }
            signalReload();
            callbacks.fire(CallbackAction.ON_RELOAD, role);
        } finally {
            actionLock.unlock();
        }
    }

    private void signalReload() {
        ToolResult r = runner.run(ToolCommand.of("pg_ctl", List.of(tool("pg_ctl").toString(), "reload", "-s", "-D",
                dataDir.toString()), Duration.ofSeconds(30)));
        if (!r.succeeded()) {
            throw new PostgresException.ToolFailed("pg_ctl reload failed", r.report(), "check that postgres runs");
        }
    }

    @Override
    public void checkpoint() {
        actionLock.lock();
        try {
            checkpointInternal();
        } finally {
            actionLock.unlock();
        }
    }

    private void checkpointInternal() {
        try (Connection c = localConnection("ha-agent checkpoint", null); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            throw SqlErrors.wrap("CHECKPOINT", e);
        }
    }

    @Override
    public void crashRecoverySingleUser(Duration timeout) {
        actionLock.lock();
        try {
            requireStopped("run crash recovery");
            // standby.signal is not allowed in single-user mode; the next start writes the right one again
            files.removeSignalFiles();
            List<String> cmd = new ArrayList<>(List.of(tool("postgres").toString(), "--single", "-D",
                    dataDir.toString(), "--config-file=" + files.postgresqlConf()));
            effective().commandLineValues().forEach((k, v) -> {
                if (!k.equals("listen_addresses") && !k.equals("port")) {
                    cmd.add("-c");
                    cmd.add(k + "=" + v);
                }
            });
            // archiving on with a failing command keeps WAL segments that are not yet archived
            cmd.addAll(List.of("-c", "archive_mode=on", "-c", "archive_command=false", "template1"));
            ToolResult r = runner.run(ToolCommand.of("postgres --single", cmd, timeout));
            if (!r.succeeded()) {
                if (r.report().timedOut()) {
                    throw new PostgresException.ToolTimedOut("single-user crash recovery", r.report(), timeout,
                            "recovery may need longer; raise the timeout");
                }
                throw new PostgresException.ToolFailed("single-user crash recovery failed", r.report(),
                        "see the output above; the data directory may need to be re-created");
            }
            LOG.info("crash recovery done; pg_control says {}", controlData().clusterState());
        } finally {
            actionLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ liveness

    @Override
    public boolean isRunning() {
        return watch.current().isPresent();
    }

    @Override
    public Optional<Long> postmasterPid() {
        return watch.current().map(PostmasterWatch.Tracked::pid);
    }

    @Override
    public void addPostmasterListener(PostmasterEvent.Listener listener) {
        watch.addListener(listener);
    }

    private void requireRunning(String action) {
        if (!isRunning()) {
            throw new PostgresException.NotRunning(action);
        }
    }

    private void requireStopped(String action) {
        Optional<PostmasterWatch.Tracked> t = watch.current();
        if (t.isPresent()) {
            throw new PostgresException.AlreadyRunning(action, t.get().pid());
        }
    }

    // ------------------------------------------------------------------------------------------ state

    @Override
    public PostgresStatus state() {
        if (!isRunning()) {
            throw new PostgresException.NotRunning("read the state");
        }
        PostgresStatus s;
        synchronized (monitorLock) {
            try {
                if (monitor == null || monitor.isClosed()) {
                    monitor = localConnection("ha-agent heartbeat", Duration.ofSeconds(2));
                }
                s = MonitoringQuery.run(monitor);
            } catch (SQLException e) {
                closeMonitor();
                throw SqlErrors.wrap("the monitoring query failed", e);
            } catch (PostgresException e) {
                closeMonitor();
                throw e;
            }
        }
        return withCommandLinePending(s);
    }

    /**
     * Adds command-line settings that would change on restart (postmaster.opts vs what the agent would pass
     * now), e.g. a new max_connections in the dynamic configuration.
     */
    private PostgresStatus withCommandLinePending(PostgresStatus s) {
        Path opts = dataDir.resolve("postmaster.opts");
        Map<String, String> running;
        try {
            running = PostmasterOpts.settings(Files.readString(opts, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return s;
        }
        Map<String, PostgresStatus.PendingRestart> pending = new LinkedHashMap<>(s.pendingRestart());
        effective().commandLineValues().forEach((k, want) -> {
            String have = running.get(k);
            if (have != null && !have.equals(want)) {
                pending.putIfAbsent(k, new PostgresStatus.PendingRestart(k, have, want));
            }
        });
        if (pending.size() == s.pendingRestart().size()) {
            return s;
        }
        return new PostgresStatus(s.role(), s.timeline(), s.flushLsn(), s.receiveLsn(), s.replayLsn(),
                s.replayPaused(), s.lastReplayTimestamp(), s.walReceiver(), s.restoreCommand(), s.replication(),
                pending, s.serverVersion(), s.postmasterStartTime(), s.systemIdentifier(),
                s.synchronousStandbyNames(), s.synchronousCommit());
    }

    private void closeMonitor() {
        synchronized (monitorLock) {
            Connections.closeQuietly(monitor);
            monitor = null;
        }
    }

    private Connection localConnection(String applicationName, Duration statementTimeout) {
        return localConnection(applicationName, statementTimeout, settings().database());
    }

    private Connection localConnection(String applicationName, Duration statementTimeout, String database) {
        return Connections.open(settings().connectHost(), settings().port(), database,
                node.postgresql().superuser(), applicationName, Connections.Kind.SQL, statementTimeout);
    }

    private Map<String, String> currentSettings(List<String> names) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = localConnection("ha-agent", Duration.ofSeconds(5)); Statement s = c.createStatement()) {
            for (String n : names) {
                try (ResultSet rs = s.executeQuery("SELECT pg_catalog.current_setting('" + n + "')")) {
                    rs.next();
                    out.put(n, rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.wrap("reading the current settings", e);
        }
        return out;
    }

    /** A reload is a signal: wait (bounded) until new sessions see the value. */
    private void awaitSetting(String name, String value, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String have = null;
        while (System.nanoTime() < deadline) {
            have = currentSettings(List.of(name)).get(name);
            if (value.equals(have)) {
                return;
            }
            pause(tuning.readinessPollInterval());
        }
        LOG.warn("{} still reads '{}' {} s after the reload", name, name.contains("conninfo") ? "(hidden)" : have,
                timeout.toSeconds());
    }

    // ------------------------------------------------------------------------------------------ rewind

    @Override
    public Divergence checkDivergence(Upstream leader) {
        actionLock.lock();
        try {
            ControlData cd = controlData();
            ControlData.LocalPosition local;
            if (isRunning()) {
                try (Connection repl = Connections.open(settings().connectHost(), settings().port(),
                        settings().database(), node.postgresql().superuser(), "ha-agent divergence check",
                        Connections.Kind.REPLICATION, null);
                        Connection sql = localConnection("ha-agent divergence check", Duration.ofSeconds(5));
                        Statement st = sql.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_is_in_recovery(),"
                                + " pg_catalog.pg_last_wal_replay_lsn()::text")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return new Divergence.Undetermined("postgres runs as a primary here: demote it before"
                                + " comparing it with " + leader);
                    }
                    long tl = ReplicationProtocol.identifySystem(repl).timeline();
                    local = new ControlData.LocalPosition(true, tl, Lsn.parse(rs.getString(2)));
                } catch (SQLException | PostgresException e) {
                    return new Divergence.Undetermined("cannot read the local timeline and position: " + e.getMessage());
                }
            } else {
                Optional<ControlData.LocalPosition> p = cd.localPosition();
                if (p.isEmpty()) {
                    return new Divergence.Undetermined("pg_control says '" + cd.clusterState() + "': the last"
                            + " shutdown was not clean; run crash recovery first");
                }
                local = p.get();
            }
            long primaryTimeline;
            String history = null;
            try (Connection check = Connections.open(leader.host(), leader.port(), settings().database(),
                    settings().rewindCredentials(), "ha-agent divergence check", Connections.Kind.PRIMARY_ONLY,
                    Duration.ofSeconds(5))) {
                check.isValid(3);
            } catch (PostgresException e) {
                return new Divergence.Undetermined(leader + " is not reachable as a read-write primary: "
                        + e.whatHappened());
            } catch (SQLException e) {
                return new Divergence.Undetermined(leader + " is not usable: " + e.getMessage());
            }
            try (Connection repl = Connections.open(leader.host(), leader.port(), settings().database(),
                    node.postgresql().replication(), "ha-agent divergence check", Connections.Kind.REPLICATION,
                    null)) {
                primaryTimeline = ReplicationProtocol.identifySystem(repl).timeline();
                if (local.timeline() < primaryTimeline) {
                    history = ReplicationProtocol.timelineHistory(repl, primaryTimeline);
                }
            } catch (SQLException | PostgresException e) {
                return new Divergence.Undetermined("cannot read the timeline history of " + leader + ": "
                        + e.getMessage());
            }
            Divergence d = new Rewinder(runner, waldump(), dataDir).decide(local, primaryTimeline, history);
            LOG.info("divergence check against {}: {}", leader, d);
            if (!(d instanceof Divergence.RewindNeeded)) {
                return d;
            }
            String why = rewindImpossibleBecause(cd);
            return why == null ? d : new Divergence.RewindImpossible(d.reason(), why,
                    settings().removeDataDirectoryOnDivergedTimelines(dynamic));
        } finally {
            actionLock.unlock();
        }
    }

    /** Why pg_rewind cannot run here, or null when it can (§4.7). */
    private String rewindImpossibleBecause(ControlData cd) {
        if (!settings().usePgRewind(dynamic)) {
            return "use_pg_rewind is off";
        }
        if (!binaries.found().containsKey("pg_rewind")) {
            return "pg_rewind is not installed (" + binaries.missing().get("pg_rewind") + ")";
        }
        if (!cd.rewindPossible()) {
            return "the data directory has neither wal_log_hints=on nor data checksums";
        }
        return null;
    }

    @Override
    public RewindReport rewind(Upstream leader, Duration timeout) {
        actionLock.lock();
        try {
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            requireStopped("rewind");
            ControlData cd = controlData();
            String impossible = rewindImpossibleBecause(cd);
            if (impossible != null) {
                return failRewind("pg_rewind cannot run: " + impossible, null);
            }
            boolean crashRecovery = false;
            if (!cd.cleanlyShutDown()) {
                LOG.info("pg_control says '{}': running single-user crash recovery before pg_rewind", cd.clusterState());
                crashRecoverySingleUser(remaining(deadline));
                crashRecovery = true;
            }
            ensureLeaderCheckpointed(leader);
            writePgpass(List.of(NodeSettings.pgpass(settings().rewindCredentials(), leader.host(), leader.port())));
            List<String> cmd = new ArrayList<>(List.of(tool("pg_rewind").toString(), "-D", dataDir.toString(),
                    "--source-server=" + settings().rewindDsn(leader)));
            Object restore = settings().recoveryParameters(Recovery.readOnly(), dynamic).get("restore_command");
            if (restore != null) {
                cmd.add("--restore-target-wal");
                cmd.add("--config-file=" + files.postgresqlConf());
            }
            Duration left = remaining(deadline);
            ToolResult r = runner.run(ToolCommand.of("pg_rewind", cmd, left)
                    .withEnv("PGPASSFILE", pgpassFile.toString())
                    .withEnv("PGOPTIONS", "-c statement_timeout=0"));
            if (!r.succeeded()) {
                return failRewind("pg_rewind from " + leader + " failed: " + r.report().summary(),
                        r.report().timedOut() ? new PostgresException.ToolTimedOut("pg_rewind", r.report(), left,
                                "raise the timeout") : new PostgresException.ToolFailed("pg_rewind", r.report(), null));
            }
            // pg_rewind copied the leader's configuration files; the next start writes this node's again
            lastRecovery = null;
            LOG.info("pg_rewind from {} done", leader);
            return new RewindReport(leader, crashRecovery, Duration.ofNanos(System.nanoTime() - start), r.report());
        } finally {
            actionLock.unlock();
        }
    }

    private RewindReport failRewind(String what, Throwable cause) {
        boolean remove = settings().removeDataDirectoryOnRewindFailure(dynamic);
        if (remove) {
            LOG.warn("{}; removing the data directory (remove_data_directory_on_rewind_failure)", what);
            DataDirectories.empty(dataDir);
            lastRecovery = null;
        }
        throw new PostgresException.RewindFailed(what, remove, cause);
    }

    /**
     * pg_rewind reads the source's timeline from its pg_control, which a new primary updates only at its first
     * checkpoint after promotion. Without it pg_rewind would see "same timeline" and do nothing.
     */
    private void ensureLeaderCheckpointed(Upstream leader) {
        try (Connection c = Connections.open(leader.host(), leader.port(), settings().database(),
                node.postgresql().superuser(), "ha-agent rewind", Connections.Kind.PRIMARY_ONLY, null);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ('x' || pg_catalog.substr(pg_catalog.pg_walfile_name("
                        + "pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int = timeline_id"
                        + " FROM pg_catalog.pg_control_checkpoint()")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                LOG.info("{} has not checkpointed since its promotion: issuing CHECKPOINT there", leader);
                s.execute("CHECKPOINT");
            }
        } catch (SQLException e) {
            throw SqlErrors.wrap("checking that " + leader + " checkpointed after its promotion", e);
        }
    }

    // ------------------------------------------------------------------------------------------ slots, sync

    @Override
    public List<ReplicationSlot> replicationSlots() {
        requireRunning("list replication slots");
        try (Connection c = localConnection("ha-agent slots", Duration.ofSeconds(5))) {
            return SlotApplier.list(c);
        } catch (SQLException e) {
            throw SqlErrors.wrap("listing replication slots", e);
        }
    }

    @Override
    public List<SlotResult> applySlots(SlotPlan plan) {
        if (!plan.hasChanges()) {
            return SlotApplier.apply(plan, null, db -> null);
        }
        requireRunning("apply the replication slot plan");
        try (Connection c = localConnection("ha-agent slots", Duration.ofSeconds(30))) {
            return SlotApplier.apply(plan, c, db -> localConnection("ha-agent slots", Duration.ofSeconds(30), db));
        } catch (SQLException e) {
            throw SqlErrors.wrap("applying the replication slot plan", e);
        }
    }

    @Override
    public void setSynchronousStandbyNames(String value) {
        Objects.requireNonNull(value, "value");
        requireRunning("set synchronous_standby_names");
        synchronized (configLock) {
            synchronousStandbyNames = value;
            Recovery r = lastRecovery != null ? lastRecovery : Recovery.primary();
            writeConfiguration(r);
        }
        signalReload();
        awaitSetting("synchronous_standby_names", value, Duration.ofSeconds(10));
        try (Connection c = localConnection("ha-agent sync", Duration.ofSeconds(5)); Statement s = c.createStatement()) {
            // a transaction id with synchronous_commit off makes walsenders report positions promptly
            s.execute("SET synchronous_commit TO off");
            s.executeQuery("SELECT pg_catalog.txid_current()").close();
        } catch (SQLException e) {
            LOG.debug("txid_current after changing synchronous_standby_names: {}", e.getMessage());
        }
        LOG.info("synchronous_standby_names = '{}'", value);
    }

    // ------------------------------------------------------------------------------------------ callbacks

    @Override
    public void fireCallback(CallbackAction action, Role callbackRole) {
        callbacks.fire(action, callbackRole);
    }

    @Override
    public void close() {
        watch.close();
        closeMonitor();
        callbacks.close();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        return Duration.ofNanos(Math.max(left, 1_000_000_000L));
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the credentials once, failing with the key path when a required one is missing. */
    private final class PostgresqlConfigView {
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
    }
}
