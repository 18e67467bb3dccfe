package io.haagent.testing;

import io.haagent.config.Credentials;
import io.haagent.config.PostgresqlConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mutable builder of {@link PostgresqlConfig} for tests: {@link PostgresTestNode#config()} fills in a working
 * node (its own address, port, data directory, socket directory and pgpass), tests change what they exercise.
 */
public final class PostgresConfigBuilder {
    private String listen;
    private String connectAddress;
    private String dataDir;
    private String configDir;
    private String binDir;
    private Map<String, String> binName = new LinkedHashMap<>();
    private String pgpass;
    private Credentials superuser;
    private Credentials replication;
    private Credentials rewind;
    private Map<String, Object> parameters = new LinkedHashMap<>();
    private List<String> pgHba = new ArrayList<>();
    private List<String> pgIdent;
    private Map<String, Object> recoveryConf = new LinkedHashMap<>();
    private Map<String, String> callbacks = new LinkedHashMap<>();
    private String prePromote;
    private String beforeStop;
    private List<String> createReplicaMethods = new ArrayList<>(List.of("basebackup"));
    private Object basebackup;
    private Map<String, Map<String, Object>> replicaMethods = new LinkedHashMap<>();
    private boolean useUnixSocket;
    private int pgCtlTimeout = 60;
    private boolean usePgRewind;
    private boolean removeDataDirectoryOnRewindFailure;
    private boolean removeDataDirectoryOnDivergedTimelines;

    PostgresConfigBuilder() {
    }

    public PostgresConfigBuilder listen(String v) { listen = v; return this; }
    public PostgresConfigBuilder connectAddress(String v) { connectAddress = v; return this; }
    public PostgresConfigBuilder dataDir(String v) { dataDir = v; return this; }
    public PostgresConfigBuilder configDir(String v) { configDir = v; return this; }
    public PostgresConfigBuilder binDir(String v) { binDir = v; return this; }
    public PostgresConfigBuilder binName(String tool, String name) { binName.put(tool, name); return this; }
    public PostgresConfigBuilder pgpass(String v) { pgpass = v; return this; }
    public PostgresConfigBuilder superuser(Credentials v) { superuser = v; return this; }
    public PostgresConfigBuilder replication(Credentials v) { replication = v; return this; }
    public PostgresConfigBuilder rewind(Credentials v) { rewind = v; return this; }
    public PostgresConfigBuilder parameter(String name, Object value) { parameters.put(name, value); return this; }
    public PostgresConfigBuilder pgHba(List<String> v) { pgHba = v == null ? null : new ArrayList<>(v); return this; }
    public PostgresConfigBuilder pgIdent(List<String> v) { pgIdent = v; return this; }
    public PostgresConfigBuilder recoveryConf(String name, Object value) { recoveryConf.put(name, value); return this; }
    public PostgresConfigBuilder callback(String action, String command) { callbacks.put(action, command); return this; }
    public PostgresConfigBuilder prePromote(String v) { prePromote = v; return this; }
    public PostgresConfigBuilder beforeStop(String v) { beforeStop = v; return this; }
    public PostgresConfigBuilder createReplicaMethods(List<String> v) { createReplicaMethods = v; return this; }
    public PostgresConfigBuilder basebackup(Object v) { basebackup = v; return this; }
    public PostgresConfigBuilder replicaMethod(String name, Map<String, Object> section) {
        replicaMethods.put(name, section);
        return this;
    }
    public PostgresConfigBuilder useUnixSocket(boolean v) { useUnixSocket = v; return this; }
    public PostgresConfigBuilder pgCtlTimeout(int v) { pgCtlTimeout = v; return this; }
    public PostgresConfigBuilder usePgRewind(boolean v) { usePgRewind = v; return this; }
    public PostgresConfigBuilder removeDataDirectoryOnRewindFailure(boolean v) {
        removeDataDirectoryOnRewindFailure = v;
        return this;
    }
    public PostgresConfigBuilder removeDataDirectoryOnDivergedTimelines(boolean v) {
        removeDataDirectoryOnDivergedTimelines = v;
        return this;
    }

    public PostgresqlConfig build() {
        return new PostgresqlConfig(listen, connectAddress, null, dataDir, configDir, binDir, Map.copyOf(binName),
                pgpass, superuser, replication, rewind, new LinkedHashMap<>(parameters), pgHba, pgIdent, null,
                new LinkedHashMap<>(recoveryConf), Map.copyOf(callbacks), prePromote, beforeStop,
                createReplicaMethods, basebackup, new LinkedHashMap<>(replicaMethods), useUnixSocket, false,
                pgCtlTimeout, usePgRewind, removeDataDirectoryOnRewindFailure, removeDataDirectoryOnDivergedTimelines,
                null, "postgres", "postgresql");
    }
}
