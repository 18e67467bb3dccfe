package io.haagent.pg.golden;

import io.haagent.config.Credentials;
import io.haagent.config.DynamicConfig;
import io.haagent.config.Secret;
import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.Recovery;
import io.haagent.pg.Upstream;
import io.haagent.pg.control.PostgresSettings;
import io.haagent.pg.control.PostgresNode;
import io.haagent.pg.files.HbaFile;
import io.haagent.pg.files.PostgresqlConfFile;
import io.haagent.testing.PostgresConfigBuilder;
import io.haagent.testing.PostgresTestNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Fixed inputs for the renderer golden files: one replica's configuration with values that need escaping
 * (quotes, backslashes, spaces, percent signs). {@link GenerateGoldenFiles} renders them and has real
 * PostgreSQL 15 parse the result; the unit tests render them again and compare.
 */
public final class GoldenInputs {
    private GoldenInputs() {
    }

    static PostgresNode node() {
        PostgresTestNode n = new PostgresTestNode("pg-2", "10.0.0.2", 5432, Path.of("/var/lib/postgresql"),
                Path.of("/var/lib/postgresql/15/main"), Path.of("/var/run/postgresql"),
                Path.of("/var/lib/postgresql/pgpass"), Path.of("/usr/lib/postgresql/15/bin"));
        PostgresConfigBuilder b = n.config()
                .listen("10.0.0.2,127.0.0.1:5432")
                .configDir("/etc/ha-agent/pg")
                .replication(new Credentials("repl user", Secret.of("x"), "require", null, null, null,
                        "/etc/ssl/ca's.pem", null, null, null, null))
                .parameter("log_line_prefix", "%m [%p] it's a \\ test ")
                .parameter("archive_command", "test ! -f '/mnt/arch/%f' && cp %p '/mnt/arch/%f'")
                .parameter("archive_mode", true)
                .parameter("max_connections", 999)
                .recoveryConf("restore_command", "cp '/mnt/arch/%f' \"%p\"")
                .recoveryConf("recovery_target_timeline", "1");
        return new PostgresNode("pg-2", "batman cluster", b.build(), null);
    }

    static DynamicConfig dynamic() {
        return DynamicConfig.from(Map.of("postgresql", Map.of("parameters", Map.of("max_connections", 150,
                "wal_level", "logical", "work_mem", "8MB", "wal_keep_segments", 4))));
    }

    /** The replica's postgresql.conf, following pg1 through slot pg_2. */
    public static String replicaConf() {
        PostgresSettings s = new PostgresSettings(node(), 15, Path.of("/var/lib/postgresql/pgpass"));
        EffectiveParameters p = s.effective(dynamic(), null, w -> { });
        Recovery r = Recovery.follow(new Upstream("pg1", "10.0.0.1", 5433), "pg_2");
        return PostgresqlConfFile.render("postgresql.base.conf", p.values(), s.recoveryParameters(r, dynamic()));
    }

    public static final List<String> HBA = List.of(
            "local all all peer",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host replication \"repl user\" 10.0.0.0/24 scram-sha-256",
            "hostssl all +admins 0.0.0.0/0 cert clientcert=verify-full");

    public static String hba() {
        return HbaFile.render(HBA);
    }
}
