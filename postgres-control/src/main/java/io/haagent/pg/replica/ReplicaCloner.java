package io.haagent.pg.replica;

import io.haagent.config.PostgresqlConfig;
import io.haagent.config.Values;
import io.haagent.pg.CloneReport;
import io.haagent.pg.CommandLine;
import io.haagent.pg.PostgresException;
import io.haagent.pg.ToolOptions;
import io.haagent.pg.ToolReport;
import io.haagent.pg.Upstream;
import io.haagent.pg.control.DataDirectories;
import io.haagent.pg.process.FilesystemSync;
import io.haagent.pg.process.ProcessRunner;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a replica's data directory (§4.5): {@code pg_basebackup -X stream} from the source (two attempts),
 * or a custom {@code create_replica_methods} command. Every attempt starts from an emptied data directory (a custom
 * method from none at all: it makes the directory; with {@code keep_data} from what is there) and a failure removes
 * what it left: a half-copied directory must never look like a valid one.
 */
public final class ReplicaCloner {
    public static final String BASEBACKUP = "basebackup";
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaCloner.class);
    private static final Set<String> CONTROL_KEYS = Set.of("command", "no_params", "keep_data", "no_leader",
            "no_master");

    private final ProcessRunner runner;
    private final Path pgBasebackup;
    private final Path dataDir;
    private final String scope;
    private final PostgresqlConfig config;
    private final Path pgpass;
    private final Duration retryDelay;

    public ReplicaCloner(ProcessRunner runner, Path pgBasebackup, Path dataDir, String scope, PostgresqlConfig config,
            Path pgpass, Duration retryDelay) {
        this.runner = runner;
        this.pgBasebackup = pgBasebackup;
        this.dataDir = dataDir;
        this.scope = scope;
        this.config = config;
        this.pgpass = pgpass;
        this.retryDelay = retryDelay;
    }

    /**
     * @param source      the member to clone from, or null (only {@code no_leader} methods run then)
     * @param dsnOf       the replication DSN (no password; the pgpass file holds it) of a source
     */
    /** The copy's files reach the disk before postgres starts on them: syncfs, else initdb --sync-only. */
    private boolean synced() {
        Duration t = Duration.ofSeconds(60);
        if (FilesystemSync.syncfs(runner, dataDir, t)) {
            return true;
        }
        ToolResult r = runner.run(ToolCommand.of("initdb", List.of(pgBasebackup.resolveSibling("initdb").toString(),
                "--sync-only", "--pgdata=" + dataDir), t));
        if (!r.succeeded()) {
            LOG.warn("could not sync the copy in {} to disk: {}", dataDir, r.report().summary());
        }
        return r.succeeded();
    }

    public CloneReport createReplica(Upstream source, Function<Upstream, String> dsnOf, Duration timeout) {
        return createReplica(source, dsnOf, timeout, false);
    }

    /** @param basebackupOnly pg_basebackup whatever create_replica_methods says (Patroni's reinit --from-leader) */
    public CloneReport createReplica(Upstream source, Function<Upstream, String> dsnOf, Duration timeout,
            boolean basebackupOnly) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        List<String> methods = basebackupOnly || config.createReplicaMethods() == null
                || config.createReplicaMethods().isEmpty() ? List.of(BASEBACKUP) : config.createReplicaMethods();
        List<ToolReport> attempts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        ToolReport last = null;
        for (String method : methods) {
            if (BASEBACKUP.equals(method)) {
                if (source == null) {
                    skipped.add("basebackup needs a source member");
                    continue;
                }
                List<String> options = ToolOptions.arguments(config.basebackup(), "postgresql.basebackup",
                        ToolOptions.BASEBACKUP_FORBIDDEN);
                for (int attempt = 1; attempt <= 2; attempt++) {
                    Duration left = Duration.ofNanos(deadline - System.nanoTime());
                    if (left.isNegative() || left.isZero()) {
                        break;
                    }
                    DataDirectories.empty(dataDir);
                    List<String> cmd = new ArrayList<>(List.of(pgBasebackup.toString(), "--pgdata=" + dataDir,
                            "-X", "stream", "--dbname=" + dsnOf.apply(source)));
                    cmd.addAll(options);
                    // durable all the same: one syncfs after it instead of its fsync of each file (FilesystemSync);
                    // a user who configured no-sync keeps it
                    boolean userNoSync = options.contains("--no-sync") || options.contains("-N");
                    if (!userNoSync) {
                        cmd.add("--no-sync");
                    }
                    ToolResult r = runner.run(ToolCommand.of("pg_basebackup", cmd, left)
                            .withEnv("PGPASSFILE", pgpass.toString()));
                    attempts.add(r.report());
                    last = r.report();
                    if (r.succeeded() && (userNoSync || synced())) {
                        return done(BASEBACKUP, source, start, attempts);
                    }
                    LOG.warn("basebackup attempt {} from {} failed", attempt, source);
                    if (attempt == 1 && !diskFull(r.report())) {
                        pause(Math.min(retryDelay.toNanos(), deadline - System.nanoTime()));
                    } else {
                        break;
                    }
                }
            } else {
                Map<String, Object> section = config.replicaMethods() == null ? null
                        : config.replicaMethods().get(method);
                if (section == null || section.get("command") == null) {
                    skipped.add("postgresql." + method + ".command is not configured");
                    continue;
                }
                boolean noLeader = Values.truthy(section.get("no_leader")) || Values.truthy(section.get("no_master"));
                if (source == null && !noLeader) {
                    skipped.add(method + " needs a source member (no no_leader)");
                    continue;
                }
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                boolean keepData = Values.truthy(section.get("keep_data"));
                if (!keepData) {
                    // the method makes the data directory itself (a restore that copies a tree into a new
                    // directory fails with "File exists" otherwise), as with Patroni
                    DataDirectories.remove(dataDir);
                }
                ToolResult r = runner.run(ToolCommand.of(method, customCommand(method, section,
                        source == null ? "" : dsnOf.apply(source)), left).withEnv("PGPASSFILE", pgpass.toString()));
                attempts.add(r.report());
                last = r.report();
                if (r.succeeded()) {
                    return done(method, source, start, attempts);
                }
                LOG.warn("replica method {} failed{}", method, keepData ? "; keep_data: what it left stays" : "");
                if (!keepData) {
                    // nothing half-made is taken for a valid directory by the next method or the next cycle
                    DataDirectories.remove(dataDir);
                }
            }
        }
        DataDirectories.remove(dataDir);
        String from = source == null ? "without a source" : "from " + source;
        if (last != null && diskFull(last)) {
            throw new PostgresException.DiskFull("creating a replica " + from, dataDir, last);
        }
        if (last != null && last.timedOut() && System.nanoTime() >= deadline) {
            throw new PostgresException.ToolTimedOut("creating a replica " + from, last, timeout,
                    "check that " + (source == null ? "the source" : source) + " answers; the data directory was"
                            + " left empty; raise the timeout if the database is large");
        }
        throw new PostgresException.ReplicaCreationFailed("every replica creation method failed " + from
                + (skipped.isEmpty() ? "" : " (not tried: " + String.join("; ", skipped) + ")"), attempts);
    }

    private List<String> customCommand(String method, Map<String, Object> section, String connstring) {
        List<String> cmd;
        try {
            cmd = new ArrayList<>(CommandLine.split(section.get("command").toString()));
        } catch (IllegalArgumentException e) {
            throw new PostgresException.InvalidOption("postgresql." + method + ".command",
                    section.get("command").toString(), e.getMessage());
        }
        boolean noParams = Values.truthy(section.get("no_params"));
        if (!noParams) {
            cmd.add("--scope=" + scope);
            cmd.add("--role=replica");
            cmd.add("--datadir=" + dataDir);
            cmd.add("--connstring=" + connstring);
        }
        for (Map.Entry<String, Object> e : section.entrySet()) {
            String k = e.getKey();
            if (k.equals("command") || (noParams && CONTROL_KEYS.contains(k)) || e.getValue() == null) {
                continue;
            }
            cmd.add("--" + k + "=" + e.getValue());
        }
        return cmd;
    }

    private CloneReport done(String method, Upstream source, long start, List<ToolReport> attempts) {
        LOG.info("replica created with {}{}", method, source == null ? "" : " from " + source);
        return new CloneReport(method, source, Duration.ofNanos(System.nanoTime() - start), attempts);
    }

    static boolean diskFull(ToolReport r) {
        return r.outputContains("No space left on device");
    }

    private static void pause(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
