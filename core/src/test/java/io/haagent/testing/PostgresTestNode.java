package io.haagent.testing;

import io.haagent.config.Credentials;
import io.haagent.config.Secret;
import java.nio.file.Path;
import java.util.List;

/**
 * One PostgreSQL node's place in a {@link PostgresFixture}: its own loopback address and free port, and its own
 * directories (data, Unix socket, pgpass) under the fixture's temporary root, which the fixture cleans up.
 */
public record PostgresTestNode(String name, String address, int port, Path root, Path dataDir, Path socketDir,
        Path pgpass, Path binDir) {

    public static final Credentials SUPERUSER = Credentials.of("postgres", Secret.of("su-secret:1"));
    public static final Credentials REPLICATION = Credentials.of("replicator", Secret.of("repl 'secret'"));
    public static final Credentials REWIND = Credentials.of("rewinder", Secret.of("rewind\\secret"));

    /** Password authentication on loopback for everyone, replication included; trust on the private socket. */
    public static final List<String> PG_HBA = List.of(
            "local all all trust",
            "local replication all trust",
            "host all all 127.0.0.0/8 scram-sha-256",
            "host replication all 127.0.0.0/8 scram-sha-256");

    /** {@code host:port}, as in a member's conn_url. */
    public String hostPort() {
        return address + ":" + port;
    }

    /**
     * A working configuration for this node: listen on its address and port, the three users (their
     * passwords contain characters that need escaping, on purpose), the pg_hba above, small memory, fsync off
     * (the tests kill processes, never the machine), pg_rewind allowed, fast basebackup checkpoints.
     */
    public PostgresConfigBuilder config() {
        return new PostgresConfigBuilder()
                .listen(hostPort())
                .connectAddress(hostPort())
                .dataDir(dataDir.toString())
                .binDir(binDir.toString())
                .pgpass(pgpass.toString())
                .superuser(SUPERUSER)
                .replication(REPLICATION)
                .rewind(REWIND)
                .pgHba(PG_HBA)
                .parameter("unix_socket_directories", socketDir.toString())
                .parameter("shared_buffers", "16MB")
                .parameter("fsync", "off")
                .parameter("max_wal_size", "256MB")
                .usePgRewind(true)
                .basebackup(List.of(java.util.Map.of("checkpoint", "fast")));
    }
}
