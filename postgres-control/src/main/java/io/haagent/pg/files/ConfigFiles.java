package io.haagent.pg.files;

import io.haagent.pg.PostgresException;
import io.haagent.pg.Pgpass;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration files of one node on disk (§4.2–4.4): where they live and the writes the agent makes to
 * them, each atomic. What goes into them is rendered elsewhere ({@link PostgresqlConfFile}, {@link HbaFile}).
 */
public final class ConfigFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFiles.class);
    /** Copied to {@code <file>.backup} once postgres runs, restored after a clone when missing (§4.2). */
    private static final List<String> BACKED_UP = List.of("postgresql.conf", "postgresql.base.conf", "pg_hba.conf",
            "pg_ident.conf");

    private final Path dataDir;
    private final Path configDir;
    private final String baseName;
    private final String customConf;
    private final Path pgpass;

    /**
     * @param configBaseName {@code postgresql.config_base_name} (default {@code postgresql})
     * @param customConf     {@code postgresql.custom_conf}, included instead of the base file, or null
     */
    public ConfigFiles(Path dataDir, Path configDir, String configBaseName, String customConf, Path pgpass) {
        this.dataDir = dataDir;
        this.configDir = configDir;
        this.baseName = configBaseName == null || configBaseName.isBlank() ? "postgresql" : configBaseName;
        this.customConf = customConf == null || customConf.isBlank() ? null : customConf;
        this.pgpass = pgpass;
    }

    public Path postgresqlConf() {
        return configDir.resolve(baseName + ".conf");
    }

    public Path baseConf() {
        return configDir.resolve(baseName + ".base.conf");
    }

    public Path hbaFile() {
        return configDir.resolve("pg_hba.conf");
    }

    public Path identFile() {
        return configDir.resolve("pg_ident.conf");
    }

    public Path autoConf() {
        return dataDir.resolve("postgresql.auto.conf");
    }

    public Path standbySignal() {
        return dataDir.resolve("standby.signal");
    }

    public Path recoverySignal() {
        return dataDir.resolve("recovery.signal");
    }

    public Path pgpass() {
        return pgpass;
    }

    /** What {@code postgresql.conf} includes: the custom file, or the base file by its name. */
    public String includeTarget() {
        return customConf != null ? customConf : baseConf().getFileName().toString();
    }

    /**
     * Before the first write: keep initdb's (or the user's) {@code postgresql.conf} as the base file, as Patroni
     * does, unless {@code custom_conf} is set or the base file exists. A file the agent itself wrote is never
     * moved there (it would include itself); an empty base file is created instead.
     */
    public void ensureBaseConf() {
        if (customConf != null || Files.exists(baseConf())) {
            return;
        }
        Path conf = postgresqlConf();
        try {
            if (Files.exists(conf) && !PostgresqlConfFile.isOurs(Files.readString(conf, StandardCharsets.UTF_8))) {
                LOG.info("keeping the original {} as {}", conf, baseConf());
                Files.move(conf, baseConf(), StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDirectory(configDir);
            } else {
                AtomicFiles.write(baseConf(), "");
            }
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot set up the base configuration file", baseConf(),
                    e);
        }
    }

    /** @return true when the content changed */
    public boolean writePostgresqlConf(String content) {
        return writeIfChanged(postgresqlConf(), content);
    }

    public boolean writeHba(List<String> lines) {
        return writeIfChanged(hbaFile(), HbaFile.render(lines));
    }

    public boolean writeIdent(List<String> lines) {
        return writeIfChanged(identFile(), HbaFile.render(lines));
    }

    /** Appends {@code bootstrap.pg_hba} lines to initdb's pg_hba.conf (only when postgresql.pg_hba is unset). */
    public void appendHba(List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return;
        }
        String old = readOr(hbaFile(), "");
        String add = lines.stream().collect(Collectors.joining("\n", old.endsWith("\n") || old.isEmpty() ? "" : "\n",
                "\n"));
        AtomicFiles.write(hbaFile(), old + add);
    }

    /**
     * A standby needs {@code standby.signal}; a primary must have neither signal file (a leftover one would
     * start it read-only).
     */
    public void setStandby(boolean standby) {
        if (standby) {
            if (!Files.exists(standbySignal())) {
                AtomicFiles.write(standbySignal(), "");
            }
        } else {
            AtomicFiles.delete(standbySignal());
        }
        AtomicFiles.delete(recoverySignal());
    }

    /** A point-in-time restore: {@code recovery.signal}, never {@code standby.signal} (it would never end). */
    public void setRecoverySignal() {
        AtomicFiles.delete(standbySignal());
        if (!Files.exists(recoverySignal())) {
            AtomicFiles.write(recoverySignal(), "");
        }
    }

    public void removeSignalFiles() {
        AtomicFiles.delete(standbySignal());
        AtomicFiles.delete(recoverySignal());
    }

    /** Removes recovery settings from {@code postgresql.auto.conf}. @return true when something was removed */
    public boolean stripAutoConf() {
        if (!Files.exists(autoConf())) {
            return false;
        }
        Optional<String> stripped = AutoConf.stripRecoverySettings(readOr(autoConf(), ""));
        stripped.ifPresent(s -> {
            LOG.info("removing recovery settings from {}", autoConf());
            AtomicFiles.write(autoConf(), s);
        });
        return stripped.isPresent();
    }

    /** Rewrites the password file (mode 0600) with exactly these entries. */
    public void writePgpass(List<Pgpass> entries) {
        StringBuilder sb = new StringBuilder();
        for (Pgpass p : entries) {
            sb.append(p.line()).append('\n');
        }
        if (pgpass.getParent() != null) {
            try {
                Files.createDirectories(pgpass.getParent());
            } catch (IOException e) {
                throw new PostgresException.FileOperationFailed("cannot create the directory of", pgpass, e);
            }
        }
        AtomicFiles.write(pgpass, sb.toString().getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY);
    }

    /** Copies the configuration files to {@code <file>.backup} in the data directory. */
    public void backup() {
        for (String name : BACKED_UP) {
            Path src = configDir.resolve(name.replace("postgresql", baseName));
            if (Files.exists(src)) {
                try {
                    AtomicFiles.write(dataDir.resolve(src.getFileName() + ".backup"), Files.readAllBytes(src),
                            AtomicFiles.OWNER_ONLY);
                } catch (IOException e) {
                    LOG.warn("could not back up {}: {}", src, e.toString());
                }
            }
        }
    }

    /** After a clone: configuration files missing in the config directory are restored from their backups. */
    public void restoreMissingFromBackup() {
        for (String name : BACKED_UP) {
            Path target = configDir.resolve(name.replace("postgresql", baseName));
            Path backup = dataDir.resolve(target.getFileName() + ".backup");
            if (!Files.exists(target) && Files.exists(backup)) {
                try {
                    LOG.info("restoring {} from {}", target, backup);
                    AtomicFiles.write(target, Files.readAllBytes(backup), AtomicFiles.OWNER_ONLY);
                } catch (IOException e) {
                    throw new PostgresException.FileOperationFailed("cannot restore", target, e);
                }
            }
        }
    }

    private boolean writeIfChanged(Path file, String content) {
        if (content.equals(readOr(file, null))) {
            return false;
        }
        AtomicFiles.write(file, content);
        return true;
    }

    static String readOr(Path file, String dflt) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : dflt;
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot read", file, e);
        }
    }
}
