package io.haagent.pg.control;

import io.haagent.cluster.Role;
import io.haagent.config.BootstrapConfig;
import io.haagent.config.Credentials;
import io.haagent.config.Values;
import io.haagent.pg.CloneReport;
import io.haagent.pg.CommandLine;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.ToolOptions;
import io.haagent.pg.Upstream;
import io.haagent.pg.files.AtomicFiles;
import io.haagent.pg.process.FilesystemSync;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import io.haagent.pg.replica.ReplicaCloner;
import io.haagent.pg.sql.RoleSetup;
import io.haagent.pg.sql.SqlErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Making a data directory: a new cluster with initdb (§1.7, §4.1) or a replica's copy (§4.5). Nothing
 * half-made is ever left looking valid. The caller ({@link LocalPostgres}) holds the action lock.
 */
final class Provisioning {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    private final NodeContext ctx;
    private final Lifecycle lifecycle;

    Provisioning(NodeContext ctx, Lifecycle lifecycle) {
        this.ctx = ctx;
        this.lifecycle = lifecycle;
    }

    /**
     * A new cluster's data directory, started (§1.7 step 3): initdb, or the custom method of
     * {@code bootstrap.method} (§4.6). The roles and post_bootstrap follow in {@link #postBootstrap}, once postgres
     * runs as a primary (a custom method's restore may replay for a while first).
     */
    void bootstrap(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        DataDirectoryState state = ctx.dataDirectoryState();
        if (!state.isEmpty()) {
            throw new PostgresException.DataDirectoryProblem("bootstrap a new cluster", state);
        }
        BootstrapConfig b = ctx.node.bootstrap();
        Map<String, Object> custom = b.customMethod();
        if (custom != null) {
            customBootstrap(b.method(), custom, deadline);
            return;
        }
        List<String> options = ToolOptions.arguments(b.initdb(), "bootstrap.initdb", ToolOptions.INITDB_FORBIDDEN);
        runInitdb(options, timeout);
        try {
            if (ctx.settings().pgHba(ctx.dynamic) == null) {
                ctx.files.appendHba(b.pgHba());
            }
            lifecycle.start(StartRequest.asPrimary(NodeContext.remaining(deadline)).withoutCallback());
        } catch (PostgresException | IllegalArgumentException e) {
            abortBootstrap();
            Path moved = DataDirectories.setAside(ctx.dataDir);
            throw new PostgresException.BootstrapFailed("bootstrap failed after initdb: "
                    + (e instanceof PostgresException pe ? pe.whatHappened() : e.getMessage()), moved, e);
        }
    }

    /** Keys of a custom bootstrap method that are not passed to its command (Patroni 4.x's reserved_args). */
    private static final java.util.Set<String> BOOTSTRAP_RESERVED = java.util.Set.of("command", "no_params",
            "keep_existing_recovery_conf", "recovery_conf", "scope", "datadir");

    /**
     * §4.6, Patroni's {@code _custom_bootstrap}: the command gets {@code --scope} and {@code --datadir} (unless
     * {@code no_params}) and the section's other keys as {@code --key=value}; it must create the data directory
     * (a restore tool often copies into a directory that must not exist yet). Then the configuration files are
     * restored, a leftover promote trigger file removed, and postgres started with {@code recovery_conf} (a
     * point-in-time restore), with the recovery the tool left ({@code keep_existing_recovery_conf}), or as a
     * primary. The command's failure leaves the data directory as it is: the HA loop sets it aside.
     */
    private void customBootstrap(String method, Map<String, Object> section, long deadline) {
        List<String> cmd;
        try {
            cmd = new ArrayList<>(CommandLine.split(section.get("command").toString()));
        } catch (IllegalArgumentException e) {
            throw new PostgresException.InvalidOption("bootstrap." + method + ".command",
                    section.get("command").toString(), e.getMessage());
        }
        if (!Values.truthy(section.get("no_params"))) {
            cmd.add("--scope=" + ctx.node.scope());
            cmd.add("--datadir=" + ctx.dataDir);
        }
        for (Map.Entry<String, Object> e : section.entrySet()) {
            if (!BOOTSTRAP_RESERVED.contains(e.getKey()) && e.getValue() != null) {
                cmd.add("--" + e.getKey() + "=" + e.getValue());
            }
        }
        DataDirectories.removeIfEmpty(ctx.dataDir);
        LOG.info("Running custom bootstrap script: {}", section.get("command"));
        ToolResult r = ctx.runner.run(ToolCommand.of("bootstrap " + method, cmd, NodeContext.remaining(deadline)));
        if (!r.succeeded()) {
            throw new PostgresException.ToolFailed("the custom bootstrap method " + method + " failed", r.report(),
                    "fix bootstrap." + method + ".command; the data directory it left is set aside");
        }
        DataDirectoryState made = ctx.dataDirectoryState();
        if (!made.isValid()) {
            throw new PostgresException.DataDirectoryProblem("start the cluster made by bootstrap." + method, made);
        }
        ctx.customBootstrap = true;
        ctx.files.restoreMissingFromBackup();
        removePromoteTrigger(section);
        Recovery recovery;
        Map<String, Object> recoveryConf = Values.map(section.get("recovery_conf"));
        if (recoveryConf != null) {
            Map<String, String> settings = new java.util.LinkedHashMap<>();
            recoveryConf.forEach((k, v) -> {
                if (v != null) {
                    settings.put(k, v instanceof Boolean bo ? (bo ? "on" : "off") : v.toString());
                }
            });
            recovery = Recovery.restore(settings);
        } else if (Values.truthy(section.get("keep_existing_recovery_conf"))) {
            recovery = Recovery.asRestored();
        } else {
            recovery = Recovery.primary();
        }
        if (ctx.settings().pgHba(ctx.dynamic) == null) {
            ctx.files.appendHba(ctx.node.bootstrap().pgHba());
        }
        // the files as restored (plus bootstrap.pg_hba), for post_bootstrap to put back after the trust period
        ctx.files.backup();
        lifecycle.start(new StartRequest(recovery, NodeContext.remaining(deadline), null, null));
    }

    /** A promote trigger file left in the backup would end the restore at once (Patroni's _post_restore). */
    private void removePromoteTrigger(Map<String, Object> section) {
        Map<String, Object> rc = Values.map(section.get("recovery_conf"));
        Object name = rc == null ? null : rc.get("promote_trigger_file");
        for (Path p : java.util.stream.Stream.of(name == null ? null : ctx.dataDir.resolve(name.toString()),
                ctx.dataDir.resolve("promote")).filter(java.util.Objects::nonNull).toList()) {
            try {
                if (Files.deleteIfExists(p)) {
                    LOG.info("removed the promote trigger file {}", p);
                }
            } catch (IOException e) {
                throw new PostgresException.FileOperationFailed("cannot remove the promote trigger file", p, e);
            }
        }
    }

    /**
     * After the bootstrap, once postgres runs as a primary (§1.7 step 4): the superuser, replication and rewind
     * roles, then {@code bootstrap.post_bootstrap}. After a custom bootstrap the trusted access ends: pg_hba.conf
     * as configured (or as restored), no recovery settings left, and postgres reloads (restarts when
     * {@code hba_file} points elsewhere).
     */
    void postBootstrap(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ctx.requireRunning("run post_bootstrap");
        try {
            createRoles();
            runPostBootstrap(NodeContext.remaining(deadline));
            endCustomBootstrap(deadline);
        } catch (PostgresException | IllegalArgumentException e) {
            abortBootstrap();
            ctx.customBootstrap = false;
            Path moved = DataDirectories.setAside(ctx.dataDir);
            throw new PostgresException.BootstrapFailed("bootstrap failed after postgres started: "
                    + (e instanceof PostgresException pe ? pe.whatHappened() : e.getMessage()), moved, e);
        }
        ctx.role = Role.PRIMARY;
        ctx.files.backup();
    }

    private void endCustomBootstrap(long deadline) {
        if (ctx.customBootstrap) {
            ctx.customBootstrap = false;
            if (ctx.settings().pgHba(ctx.dynamic) == null) {
                try {
                    Files.deleteIfExists(ctx.files.hbaFile());
                } catch (IOException e) {
                    throw new PostgresException.FileOperationFailed("cannot remove the bootstrap's pg_hba.conf",
                            ctx.files.hbaFile(), e);
                }
                ctx.files.restoreMissingFromBackup();
            }
            ctx.writeConfiguration(Recovery.primary());
            if (!ctx.effective().get("hba_file").equals(ctx.files.hbaFile().toString())) {
                // hba_file is read at postmaster start only
                lifecycle.stop(StopMode.FAST, true, NodeContext.remaining(deadline), false, () -> { });
                lifecycle.start(StartRequest.asPrimary(NodeContext.remaining(deadline)).withoutCallback());
            } else {
                ctx.signalReload();
            }
            LOG.info("custom bootstrap done: pg_hba.conf no longer trusts the local superuser and replication user");
        }
    }

    /** The new cluster's files reach the disk before postgres starts on them (initdb ran with --no-sync). */
    private void syncNewDataDirectory(Duration timeout) {
        Duration left = timeout.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : timeout;
        if (FilesystemSync.syncfs(ctx.runner, ctx.dataDir, left)) {
            return;
        }
        ToolResult r = ctx.runner.run(ToolCommand.of("initdb", List.of(ctx.tool("initdb").toString(), "--sync-only",
                "--pgdata=" + ctx.dataDir), left));
        if (!r.succeeded()) {
            DataDirectories.empty(ctx.dataDir);
            throw new PostgresException.ToolFailed("initdb --sync-only failed", r.report(),
                    "check the disk of " + ctx.dataDir + "; the data directory was left empty");
        }
    }

    private void runInitdb(List<String> options, Duration timeout) {
        Credentials su = ctx.superuser();
        Path pwfile = null;
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(ctx.tool("initdb").toString());
            cmd.addAll(options);
            cmd.add("--username=" + su.username());
            if (su.password() != null) {
                // Safety: the password goes through a 0600 file that lives only for this call, never argv
                pwfile = Files.createTempFile("ha-agent-pwfile", "",
                        PosixFilePermissions.asFileAttribute(AtomicFiles.OWNER_ONLY));
                Files.writeString(pwfile, su.password().reveal() + "\n", StandardCharsets.UTF_8);
                cmd.add("--pwfile=" + pwfile);
            }
            cmd.add("--pgdata=" + ctx.dataDir);
            // durable all the same: one syncfs below instead of initdb's fsync of each file (FilesystemSync)
            cmd.add("--no-sync");
            long deadline = System.nanoTime() + timeout.toNanos();
            // initdb picks the new cluster's locale from the environment: keep the agent's
            ToolResult r = ctx.runner.run(ToolCommand.of("initdb", cmd, timeout).withInheritedLocale());
            if (!r.succeeded()) {
                DataDirectories.empty(ctx.dataDir);
                if (r.report().timedOut()) {
                    throw new PostgresException.ToolTimedOut("initdb", r.report(), timeout,
                            "check the disk of " + ctx.dataDir + "; the data directory was left empty");
                }
                if (r.report().outputContains("No space left on device")) {
                    throw new PostgresException.DiskFull("initdb", ctx.dataDir, r.report());
                }
                throw new PostgresException.ToolFailed("initdb failed", r.report(),
                        "fix bootstrap.initdb or the data directory; it was left empty");
            }
            syncNewDataDirectory(NodeContext.remaining(deadline));
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot write the temporary password file",
                    pwfile == null ? Path.of(System.getProperty("java.io.tmpdir")) : pwfile, e);
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
            if (ctx.isRunning()) {
                lifecycle.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(30), false, () -> { });
            }
        } catch (PostgresException e) {
            LOG.error("could not stop postgres after a failed bootstrap: {}", e.getMessage());
        }
    }

    private void runPostBootstrap(Duration timeout) {
        String script = ctx.node.bootstrap().postBootstrap();
        if (script == null || script.isBlank()) {
            return;
        }
        List<String> cmd;
        try {
            cmd = new ArrayList<>(CommandLine.split(script));
        } catch (IllegalArgumentException e) {
            throw new PostgresException.InvalidOption("bootstrap.post_bootstrap", script, e.getMessage());
        }
        EffectiveParameters p = ctx.effective();
        cmd.add(ctx.settings().localSuperuserDsn(p));
        ctx.writePgpass(List.of());
        ToolResult r = ctx.runner.run(ToolCommand.of("post_bootstrap", cmd, ctx.hookTimeout(timeout))
                .withEnv("PGPASSFILE", ctx.pgpassFile.toString())
                .withEnv("PGOPTIONS", "-c synchronous_commit=local -c statement_timeout=0"));
        if (!r.succeeded()) {
            throw new PostgresException.HookFailed("bootstrap.post_bootstrap", r.report(), "the bootstrap is aborted");
        }
    }

    void createRoles() {
        try (Connection conn = ctx.localConnection("ha-agent bootstrap", null)) {
            RoleSetup.apply(conn, ctx.superuser(), ctx.replication(), ctx.node.postgresql().rewind());
        } catch (SQLException e) {
            throw SqlErrors.wrap("creating the superuser, replication and rewind roles", e);
        }
    }

    CloneReport createReplica(Upstream source, Duration timeout, boolean basebackupOnly) {
        ctx.requireStopped("create a replica");
        DataDirectoryState state = ctx.dataDirectoryState();
        if (!state.isEmpty()) {
            throw new PostgresException.DataDirectoryProblem("clone a replica into it (remove it first)", state);
        }
        if (source != null) {
            ctx.writePgpass(List.of(PostgresSettings.pgpass(ctx.node.postgresql().replication(), source.host(),
                    source.port())));
        }
        ReplicaCloner cloner = new ReplicaCloner(ctx.runner, ctx.tool("pg_basebackup"), ctx.dataDir,
                ctx.node.scope(), ctx.node.postgresql(), ctx.pgpassFile, ctx.tuning.basebackupRetryDelay());
        CloneReport report = cloner.createReplica(source, up -> ctx.settings().replicationDsn(up, false), timeout,
                basebackupOnly);
        ctx.files.restoreMissingFromBackup();
        ctx.lastRecovery = null;
        return report;
    }

    void removeDataDirectory() {
        ctx.requireStopped("remove the data directory");
        LOG.warn("removing the data directory {}", ctx.dataDir);
        DataDirectories.remove(ctx.dataDir);
        ctx.lastRecovery = null;
    }
}
