package io.haagent.pg.control;

import io.haagent.cluster.Role;
import io.haagent.config.Credentials;
import io.haagent.pg.CloneReport;
import io.haagent.pg.CommandLine;
import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.PostgresException;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.ToolOptions;
import io.haagent.pg.Upstream;
import io.haagent.pg.files.AtomicFiles;
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

    void bootstrap(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        DataDirectoryState state = ctx.dataDirectoryState();
        if (!state.isEmpty()) {
            throw new PostgresException.DataDirectoryProblem("bootstrap a new cluster", state);
        }
        String method = ctx.node.bootstrap().method();
        if (method != null && !method.isBlank() && !method.equals("initdb")) {
            throw new PostgresException.InvalidOption("bootstrap.method", method,
                    "custom bootstrap methods are not supported by this agent yet; use initdb, or bootstrap with"
                            + " your method by hand and start the agent on the resulting data directory");
        }
        List<String> options = ToolOptions.arguments(ctx.node.bootstrap().initdb(), "bootstrap.initdb",
                ToolOptions.INITDB_FORBIDDEN);
        runInitdb(options, timeout);
        try {
            if (ctx.settings().pgHba(ctx.dynamic) == null) {
                ctx.files.appendHba(ctx.node.bootstrap().pgHba());
            }
            lifecycle.start(StartRequest.asPrimary(NodeContext.remaining(deadline)).withoutCallback());
            createRoles();
            runPostBootstrap(NodeContext.remaining(deadline));
            ctx.role = Role.PRIMARY;
        } catch (PostgresException | IllegalArgumentException e) {
            abortBootstrap();
            Path moved = DataDirectories.setAside(ctx.dataDir);
            throw new PostgresException.BootstrapFailed("bootstrap failed after initdb: "
                    + (e instanceof PostgresException pe ? pe.whatHappened() : e.getMessage()), moved, e);
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

    CloneReport createReplica(Upstream source, Duration timeout) {
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
        CloneReport report = cloner.createReplica(source, up -> ctx.settings().replicationDsn(up, false), timeout);
        ctx.files.restoreMissingFromBackup();
        ctx.lastRecovery = null;
        return report;
    }

    void removeDataDirectory() {
        ctx.requireStopped("remove the data directory");
        LOG.warn("removing the content of the data directory {}", ctx.dataDir);
        DataDirectories.empty(ctx.dataDir);
        ctx.lastRecovery = null;
    }
}
