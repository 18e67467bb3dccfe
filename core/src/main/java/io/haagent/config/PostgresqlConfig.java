package io.haagent.config;

import java.util.List;
import java.util.Map;

/**
 * {@code postgresql} (§5.2), the local settings of this node. Restricted GUCs found in {@code parameters}
 * are kept here as written (validation warns that they have no effect); what runs is decided by merging with
 * the dynamic configuration.
 *
 * @param binName     overrides of tool names: pg_ctl, initdb, pg_controldata, pg_basebackup, postgres,
 *                    pg_isready, pg_rewind
 * @param basebackup  {@code postgresql.basebackup} options, list or map form, as written
 * @param replicaMethods the {@code postgresql.<method>} sections named by create_replica_methods
 */
public record PostgresqlConfig(
        String listen,
        String connectAddress,
        String proxyAddress,
        String dataDir,
        String configDir,
        String binDir,
        Map<String, String> binName,
        String pgpass,
        Credentials superuser,
        Credentials replication,
        Credentials rewind,
        Map<String, Object> parameters,
        List<String> pgHba,
        List<String> pgIdent,
        String customConf,
        Map<String, Object> recoveryConf,
        Map<String, String> callbacks,
        String prePromote,
        String beforeStop,
        List<String> createReplicaMethods,
        Object basebackup,
        Map<String, Map<String, Object>> replicaMethods,
        boolean useUnixSocket,
        boolean useUnixSocketRepl,
        int pgCtlTimeout,
        boolean usePgRewind,
        boolean removeDataDirectoryOnRewindFailure,
        boolean removeDataDirectoryOnDivergedTimelines,
        String krbsrvname,
        String database,
        String configBaseName) {

    public String effectiveConfigDir() {
        return configDir == null || configDir.isBlank() ? dataDir : configDir;
    }

    /** {@code postgres://<connect_address>/<dbname>}: no credentials (§1.3). */
    public String connUrl() {
        return "postgres://" + connectAddress + "/" + (database == null ? "postgres" : database);
    }

    public String proxyUrl() {
        return proxyAddress == null || proxyAddress.isBlank() ? null
                : "postgres://" + proxyAddress + "/" + (database == null ? "postgres" : database);
    }
}
