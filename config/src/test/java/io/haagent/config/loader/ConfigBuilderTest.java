package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.config.AgentConfig;
import io.haagent.config.BootstrapConfig;
import io.haagent.config.Credentials;
import io.haagent.config.DynamicConfig;
import io.haagent.config.LogConfig;
import io.haagent.config.Secret;
import io.haagent.config.SlotSpec;
import io.haagent.config.WatchdogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed configuration: Patroni's defaults, legacy names and the seed's shape. */
class ConfigBuilderTest {
    @TempDir
    Path dir;

    private static final String MINIMAL = """
            scope: main
            name: pg1
            restapi:
              listen: 10.0.0.11:8008
              connect_address: 10.0.0.11:8008
            etcd3:
              host: 10.0.0.1:2379
            postgresql:
              listen: 10.0.0.11:5432
              connect_address: 10.0.0.11:5432
              data_dir: /nonexistent/pg1
              authentication:
                superuser: {username: postgres, password: superpw}
                replication: {username: replicator, password: replpw}
            """;

    private ConfigLoader.Loaded load(String yaml, HostEnvironment host) throws IOException {
        Path f = dir.resolve("patroni.yml");
        Files.writeString(f, yaml);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return ConfigLoader.load(f, host);
    }

    private ConfigLoader.Loaded load(String yaml) throws IOException {
        return load(yaml, TestHost.postgresUser());
    }

    private List<String> lines(ConfigLoader.Loaded l) {
        return l.problems().stream().map(p -> p.format().replace(dir + "/", "")).toList();
    }

    @Test
    void roleNamesFollowTheClusterUnlessPinned() throws IOException {
        assertThat(load(MINIMAL).config().roleNames()).isEqualTo(io.haagent.cluster.RoleNames.Setting.AUTO);
        assertThat(load(MINIMAL + "ha_agent:\n  role_names: master\n").config().roleNames())
                .isEqualTo(io.haagent.cluster.RoleNames.Setting.MASTER);
        assertThat(load(MINIMAL + "log:\n  deduplicate_heartbeat_logs: true\n").config().log()
                .deduplicateHeartbeatLogs()).as("Patroni 4.1's log key").isTrue();
        assertThat(load(MINIMAL).config().log().deduplicateHeartbeatLogs()).isFalse();
        ConfigLoader.Loaded bad = load(MINIMAL + "ha_agent:\n  role_names: leader\n");
        assertThat(lines(bad)).anyMatch(l -> l.startsWith("patroni.yml:16: error: ha_agent.role_names: must be one"
                + " of auto, master, primary, not 'leader'"));
    }

    @Test
    void patroniDefaults() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL);
        assertThat(l.problems()).isEmpty();
        assertThat(l.canStart()).isTrue();
        AgentConfig c = l.config();
        assertThat(c.namespace()).isEqualTo("/service");
        assertThat(c.basePath()).isEqualTo("/service/main");
        assertThat(c.log()).isEqualTo(LogConfig.DEFAULT);
        assertThat(c.bootstrap()).isEqualTo(BootstrapConfig.NONE);
        assertThat(c.restapi().requestQueueSize()).isEqualTo(5);
        assertThat(c.restapi().verifyClient()).isEqualTo("none");
        assertThat(c.restapi().apiUrl()).isEqualTo("http://10.0.0.11:8008/patroni");
        assertThat(c.ctl().insecure()).isFalse();
        assertThat(c.etcd().section()).isEqualTo("etcd3");
        assertThat(c.etcd().endpoints()).containsExactly("http://10.0.0.1:2379");
        assertThat(c.postgresql().pgpass()).isEqualTo("/home/pgtest/pgpass");
        assertThat(c.postgresql().database()).isEqualTo("postgres");
        assertThat(c.postgresql().pgCtlTimeout()).isEqualTo(60);
        assertThat(c.postgresql().createReplicaMethods()).containsExactly("basebackup");
        assertThat(c.postgresql().binDir()).isEmpty();
        assertThat(c.postgresql().configBaseName()).isEqualTo("postgresql");
        assertThat(c.postgresql().effectiveConfigDir()).isEqualTo("/nonexistent/pg1");
        assertThat(c.postgresql().connUrl()).isEqualTo("postgres://10.0.0.11:5432/postgres");
        assertThat(c.postgresql().pgHba()).isNull();
        assertThat(c.postgresql().usePgRewind()).isFalse();
        assertThat(c.postgresql().useUnixSocket()).isFalse();
        assertThat(c.watchdog()).isEqualTo(WatchdogConfig.DEFAULT);
        assertThat(c.tags().isEmpty()).isTrue();
        assertThat(c.sources()).containsExactly(dir.resolve("patroni.yml"));
    }

    @Test
    void logDirBringsPatronisFileDefaults() throws IOException {
        AgentConfig c = load(MINIMAL + "log:\n  dir: /var/log/ha-agent\n  level: DEBUG\n").config();
        assertThat(c.log().dir()).isEqualTo("/var/log/ha-agent");
        assertThat(c.log().fileNum()).isEqualTo(4);
        assertThat(c.log().fileSize()).isEqualTo(25_000_000L);
        assertThat(c.log().level()).isEqualTo("DEBUG");
    }

    @Test
    void watchdogModeOffReadsAsABooleanInYamlAndStillMeansOff() throws IOException {
        assertThat(load(MINIMAL + "watchdog:\n  mode: off\n").config().watchdog().mode()).isEqualTo("off");
        assertThat(load(MINIMAL + "watchdog:\n  mode: Required\n  safety_margin: -1\n").config().watchdog())
                .isEqualTo(new WatchdogConfig("required", "/dev/watchdog", -1));
    }

    @Test
    void etcdEndpointsFromHostsStringUrlAndProxy() throws IOException {
        String base = MINIMAL.replace("etcd3:\n  host: 10.0.0.1:2379\n", "");
        assertThat(load(base + "etcd3:\n  hosts: 10.0.0.1:2379, 10.0.0.2\n  port: 2380\n").config().etcd()
                .endpoints()).containsExactly("http://10.0.0.1:2379", "http://10.0.0.2:2380");
        AgentConfig url = load(base + "etcd3:\n  url: https://root:etcdpw@[fd00::1]:2379\n").config();
        assertThat(url.etcd().endpoints()).containsExactly("https://[fd00::1]:2379");
        assertThat(url.etcd().protocol()).isEqualTo("https");
        assertThat(url.etcd().username()).isEqualTo("root");
        assertThat(url.etcd().password()).isEqualTo(Secret.of("etcdpw"));
        assertThat(url.etcd().tls()).isTrue();
        ConfigLoader.Loaded proxy = load(base + "etcd3:\n  proxy: http://etcd-proxy:23790\n  host: 10.0.0.1\n");
        assertThat(proxy.config().etcd().endpoints()).containsExactly("http://etcd-proxy:23790");
        assertThat(lines(proxy)).containsExactly("patroni.yml:15: warning: etcd3.host: several of proxy, host are set:"
                + " only proxy is used; keep one");
    }

    @Test
    void noEtcdEndpointsBlocksTheStart() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL.replace("  host: 10.0.0.1:2379\n", "  protocol: http\n"));
        assertThat(lines(l)).containsExactly("patroni.yml:6: error: etcd3: no etcd endpoints: set hosts: [host:2379, ...]");
        assertThat(l.canStart()).isFalse();
    }

    @Test
    void theSeedsReplicationMasterShapeGivesTheReplicationCredentials() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL.replace("""
                  authentication:
                    superuser: {username: postgres, password: superpw}
                    replication: {username: replicator, password: replpw}
                """, """
                  replication:
                    master:
                      host: 10.0.0.11
                      user: repl
                      password: replpw
                """));
        assertThat(l.config().postgresql().replication()).isEqualTo(Credentials.of("repl", Secret.of("replpw")));
        // run as the postgres OS user: the superuser defaults to postgres over the local socket
        assertThat(l.config().postgresql().superuser()).isEqualTo(Credentials.of("postgres", null));
        assertThat(l.config().postgresql().useUnixSocket()).isTrue();
        assertThat(l.canStart()).isTrue();
        assertThat(lines(l)).containsExactly(
                "patroni.yml:8: warning: postgresql.authentication.superuser: missing: using user postgres over the"
                        + " local socket (peer authentication), as ha-agent runs as the postgres OS user; set username"
                        + " and password to connect otherwise",
                "patroni.yml:12: warning: postgresql.replication: not Patroni's shape: master.user and"
                        + " master.password are used as the replication credentials; write them as"
                        + " postgresql.authentication.replication.username and password",
                "patroni.yml:14: warning: postgresql.replication.master.host: not a Patroni key; ignored: ha-agent"
                        + " takes the leader's address from etcd");
    }

    @Test
    void withoutSuperuserAndNotRunAsPostgresTheStartIsBlocked() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL.replace("    superuser: {username: postgres, password: superpw}\n", ""),
                TestHost.otherUser());
        assertThat(lines(l)).containsExactly("patroni.yml:12: error: postgresql.authentication.superuser: missing:"
                + " set username and password of a PostgreSQL superuser (or run ha-agent as the postgres OS user to"
                + " use postgres over the local socket)");
        assertThat(l.canStart()).isFalse();
    }

    @Test
    void legacyPatroniCredentialSectionsAndPgRewind() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL.replace("""
                  authentication:
                    superuser: {username: postgres, password: superpw}
                    replication: {username: replicator, password: replpw}
                """, """
                  replication:
                    username: replicator
                    password: replpw
                    sslmode: require
                  pg_rewind:
                    username: rewinder
                    password: rewindpw
                """));
        assertThat(l.config().postgresql().replication().username()).isEqualTo("replicator");
        assertThat(l.config().postgresql().replication().sslmode()).isEqualTo("require");
        // Patroni: the legacy pg_rewind section switches rewind on and stands in for a missing superuser
        assertThat(l.config().postgresql().superuser()).isEqualTo(Credentials.of("rewinder", Secret.of("rewindpw")));
        assertThat(l.config().postgresql().usePgRewind()).isTrue();
        assertThat(lines(l)).containsExactly(
                "patroni.yml:12: warning: postgresql.replication: legacy place, still read as"
                        + " postgresql.authentication.replication: move it there",
                "patroni.yml:16: warning: postgresql.pg_rewind: legacy, still read: pg_rewind is used and these"
                        + " credentials are the superuser's; write postgresql.authentication and use_pg_rewind instead");
    }

    @Test
    void legacySectionsNextToAuthenticationAreIgnored() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL + "  superuser:\n    username: old\n");
        assertThat(l.config().postgresql().superuser().username()).isEqualTo("postgres");
        assertThat(lines(l)).containsExactly("patroni.yml:15: warning: postgresql.superuser: ignored:"
                + " postgresql.authentication is set; remove this legacy section");
    }

    @Test
    void legacyMemberNameAndReplicaMethod() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL.replace("name: pg1\n", "") + """
                  name: pg-legacy
                  create_replica_method: wal_e
                  wal_e:
                    command: /usr/local/bin/wale_restore
                    no_leader: true
                """);
        assertThat(l.config().name()).isEqualTo("pg-legacy");
        assertThat(l.config().postgresql().createReplicaMethods()).containsExactly("wal_e");
        assertThat(l.config().postgresql().replicaMethods())
                .isEqualTo(Map.of("wal_e", Map.of("command", "/usr/local/bin/wale_restore", "no_leader", true)));
        assertThat(lines(l)).containsExactly(
                "patroni.yml:14: warning: postgresql.name: legacy place of the member name, still read: move it to"
                        + " the top-level name",
                "patroni.yml:15: warning: postgresql.create_replica_method: legacy name, still read: rename it to"
                        + " create_replica_methods");
    }

    @Test
    void legacyRestApiAuthStringGivesUserAndPassword() throws IOException {
        String yaml = MINIMAL.replace("  connect_address: 10.0.0.11:8008\n",
                "  connect_address: 10.0.0.11:8008\n  auth: 'admin:api:pw'\n");
        ConfigLoader.Loaded l = load(yaml);
        assertThat(lines(l)).containsExactly("patroni.yml:6: warning: restapi.auth: legacy form, still read: write"
                + " restapi.authentication with username and password");
        AgentConfig c = l.config();
        assertThat(c.restapi().username()).isEqualTo("admin");
        assertThat(c.restapi().password()).isEqualTo(Secret.of("api:pw"));
        assertThat(c.restapi().authenticationEnabled()).isTrue();
    }

    @Test
    void theMemberNameDefaultsToTheHostName() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL.replace("name: pg1\n", ""));
        assertThat(l.config().name()).isEqualTo(TestHost.HOST_NAME);
        assertThat(lines(l)).containsExactly("patroni.yml:1: warning: name: missing: using this host's name 'pgtest'"
                + " as the member name; set name: explicitly, unique in the cluster (e.g. pg1)");
    }

    @Test
    void bootstrapSectionWithCustomMethodUsersAndInitdbOptions() throws IOException {
        AgentConfig c = load(MINIMAL + """
                bootstrap:
                  method: from_backup
                  from_backup:
                    command: /usr/local/bin/restore --fast
                    keep_existing_recovery_conf: true
                  initdb:
                  - data-checksums
                  - encoding: UTF8
                  post_init: /usr/local/bin/post
                  users:
                    admin:
                      password: adminpw
                      options: [createrole]
                """).config();
        assertThat(c.bootstrap().method()).isEqualTo("from_backup");
        assertThat(c.bootstrap().methods()).isEqualTo(Map.of("from_backup",
                Map.of("command", "/usr/local/bin/restore --fast", "keep_existing_recovery_conf", true)));
        assertThat(c.bootstrap().initdb()).containsExactly("data-checksums", Map.of("encoding", "UTF8"));
        assertThat(c.bootstrap().postBootstrap()).isEqualTo("/usr/local/bin/post");
        assertThat(c.bootstrap().users()).isEqualTo(Map.of("admin",
                Map.of("password", Secret.of("adminpw"), "options", List.of("createrole"))));
        assertThat(c.bootstrap().toString()).doesNotContain("adminpw");
    }

    @Test
    void aBootstrapMethodWithoutItsSectionFallsBackToInitdbWithAWarning() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL + "bootstrap:\n  method: clone\n");
        assertThat(lines(l)).containsExactly("patroni.yml:16: warning: bootstrap.method: 'clone' has no bootstrap.clone"
                + " section with a command, so a new cluster is created with initdb; add bootstrap.clone.command");
    }

    @Test
    void bootstrapDcsIsKeptAsWrittenAndReadsAsTheDynamicConfigurationWithLegacyNames() throws IOException {
        AgentConfig c = load(MINIMAL + """
                bootstrap:
                  dcs:
                    ttl: 40
                    master_start_timeout: 30
                    master_stop_timeout: 5
                    synchronous_mode: on
                    permanent_replication_slots:
                      archiver:
                      cdc: {type: logical, database: app, plugin: pgoutput}
                    postgresql:
                      use_slots: false
                      parameters: {max_connections: 200}
                """).config();
        DynamicConfig d = DynamicConfig.from(c.bootstrap().dcs());
        assertThat(d.ttl()).isEqualTo(40);
        assertThat(d.primaryStartTimeout()).isEqualTo(30);
        assertThat(d.primaryStopTimeout()).isEqualTo(5);
        assertThat(d.synchronousMode()).isTrue();
        assertThat(d.useSlots()).isFalse();
        assertThat(d.slots()).containsOnlyKeys("archiver", "cdc");
        assertThat(d.slots().get("cdc")).isEqualTo(new SlotSpec("cdc", "logical", "app", "pgoutput"));
        assertThat(d.parameters()).containsEntry("max_connections", 200);
        assertThat(d.warnings()).isEmpty();
    }

    @Test
    void dynamicProblemsAreThoseOfTheConfigKeyWithTheLineOfTheKey() throws IOException {
        // the same rules (DynamicConfigRules) as PATCH /config and the nodes reading the config key
        ConfigLoader.Loaded l = load(MINIMAL + """
                bootstrap:
                  dcs:
                    ttl: 10
                    loop_wait: 15
                    retry_timeout: 2
                    maximum_lag_on_failover: -5
                """);
        // timings below Patroni's minimums are adjusted as Patroni adjusts them, and the nodes say which run
        assertThat(lines(l)).containsExactly(
                "patroni.yml:17: warning: bootstrap.dcs.ttl: 10 is below Patroni's minimum 20: the nodes run with 20,"
                        + " as Patroni adjusts it; set 20 or more to make this warning go",
                "patroni.yml:18: warning: bootstrap.dcs.loop_wait: loop_wait + 2*retry_timeout = 15 + 2*3 = 21 exceeds"
                        + " ttl 20 (a primary cut off from etcd must demote before its leader lock expires): the nodes"
                        + " run with loop_wait 14 and retry_timeout 3, as Patroni adjusts them; set them so to make"
                        + " this warning go",
                "patroni.yml:19: warning: bootstrap.dcs.retry_timeout: 2 is below Patroni's minimum 3: the nodes run"
                        + " with 3, as Patroni adjusts it; set 3 or more to make this warning go",
                "patroni.yml:20: error: bootstrap.dcs.maximum_lag_on_failover: must be an integer of at least 0"
                        + " (bytes), not -5");
        assertThat(l.canStart()).isTrue(); // Patroni 3 starts with these too; the nodes say so once at run time
        ConfigLoader.Loaded unwritten = load(MINIMAL + "bootstrap:\n  dcs:\n    ttl: 20\n    retry_timeout: 8\n");
        // Patroni's own tests write ttl: 20 with the default loop_wait and retry_timeout: stored and adjusted
        assertThat(lines(unwritten)).containsExactly("patroni.yml:18: warning: bootstrap.dcs.retry_timeout:"
                + " loop_wait + 2*retry_timeout = 10 + 2*8 = 26 exceeds ttl 20 (a primary cut off from etcd must"
                + " demote before its leader lock expires): the nodes run with loop_wait 4 and retry_timeout 8, as"
                + " Patroni adjusts them; set them so to make this warning go");
    }

    @Test
    void localSettingsThePostgresFilesCannotCarryBlockTheStart() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL + """
                  parameters:
                    work_mem: "4MB\\nfsync = off"
                    "x y": 1
                  pg_hba:
                  - "local all all peer\\nhost all all 0.0.0.0/0 trust"
                """);
        assertThat(lines(l)).contains(
                "patroni.yml:16: error: postgresql.parameters.work_mem: the value holds a control character (a line"
                        + " feed at position 3): postgresql.conf cannot carry it",
                "patroni.yml:17: error: postgresql.parameters.x y: not a valid parameter name: a letter or _, then"
                        + " letters, digits or _, with at most one '.' (PostgreSQL's configuration file syntax)",
                "patroni.yml:19: error: postgresql.pg_hba[0]: holds a control character (a line feed would write a"
                        + " second line into the file)");
        assertThat(l.canStart()).isFalse();
    }

    @Test
    void customReplicaMethodsNeedASection() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL + "  create_replica_methods: [pgbackrest, basebackup]\n");
        assertThat(l.config().postgresql().createReplicaMethods()).containsExactly("pgbackrest", "basebackup");
        assertThat(lines(l)).containsExactly("patroni.yml:15: warning: postgresql.create_replica_methods:"
                + " 'pgbackrest' has no postgresql.pgbackrest section with a command, so it is skipped; add"
                + " postgresql.pgbackrest.command");
    }

    @Test
    void tagsAreKeptAsWrittenAndNofailoverWithPriorityIsAnError() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL + "tags:\n  nofailover: true\n  failover_priority: 2\n  zone: a\n");
        assertThat(l.config().tags().values()).isEqualTo(Map.of("nofailover", true, "failover_priority", 2, "zone", "a"));
        assertThat(l.config().tags().nofailover()).isTrue();
        assertThat(lines(l)).containsExactly("patroni.yml:17: error: tags.failover_priority: set together with"
                + " tags.nofailover: keep only one of them (nofailover: true is failover_priority: 0)");
        assertThat(l.canStart()).isTrue();
    }

    @Test
    void predefinedTagsThatAreFalseAreLeftOutAsPatroniDoes() throws IOException {
        // Patroni's own postgres0.yml: a client comparing tags must see only {new_tag: new_value}
        ConfigLoader.Loaded l = load(MINIMAL + "tags:\n  nofailover: false\n  noloadbalance: false\n"
                + "  clonefrom: false\n  nosync: false\n  nostream: false\n  new_tag: new_value\n");
        assertThat(l.config().tags().values()).isEqualTo(Map.of("new_tag", "new_value"));
        ConfigLoader.Loaded on = load(MINIMAL + "tags:\n  nofailover: false\n  failover_priority: 0\n"
                + "  clonefrom: true\n  nosync: false\n");
        // nofailover stays beside failover_priority (Patroni 3.2+: it decides which one wins)
        assertThat(on.config().tags().values()).isEqualTo(Map.of("nofailover", false, "failover_priority", 0,
                "clonefrom", true));
    }

    @Test
    void theEtcdSectionIsReadAsEtcd3WithAWarning() throws IOException {
        ConfigLoader.Loaded l = load(MINIMAL.replace("etcd3:", "etcd:"));
        assertThat(l.config().etcd().section()).isEqualTo("etcd");
        assertThat(l.config().etcd().endpoints()).containsExactly("http://10.0.0.1:2379");
        assertThat(lines(l)).singleElement().asString().startsWith("patroni.yml:6: warning: etcd: read as etcd v3:");
    }

    @Test
    void aWholeSectionOfTheWrongTypeIsOneLineNotADozen() throws IOException {
        ConfigLoader.Loaded l = load("scope: main\nname: pg1\nrestapi: {listen: 10.0.0.11:8008,"
                + " connect_address: 10.0.0.11:8008}\netcd3: {host: 10.0.0.1}\npostgresql: yes\n");
        assertThat(lines(l)).containsExactly("patroni.yml:5: error: postgresql: must be a mapping, not a boolean: add a"
                + " postgresql section with listen, connect_address, data_dir and authentication");
        assertThat(l.canStart()).isFalse();
    }

    /**
     * Issue 16: Patroni's log.loggers names matched nothing in the Java process and were dropped without a word, and
     * file_num above 20 was capped silently. Each is a warning with its key path and line; Java names are fine.
     */
    @Test
    void logSettingsThatCannotApplyAreWarnedAboutWithTheirLine() throws IOException {
        ConfigLoader.Loaded loaded = load(MINIMAL + """
                log:
                  dir: /var/log/ha-agent
                  file_num: 50
                  loggers:
                    patroni.postmaster: WARNING
                    urllib3: DEBUG
                    io.etcd: WARNING
                    io.haagent.ha: DEBUG
                    org.postgresql: LOUD
                """, TestHost.postgresUser());
        Path f = dir.resolve("patroni.yml");
        assertThat(loaded.problems()).extracting(Problem::format).containsExactly(
                f + ":17: warning: log.file_num: 50 rotated files cannot be kept: ha-agent keeps at most 20"
                        + " (patroni.log.1 to patroni.log.20); set 20 or less, or a larger file_size",
                f + ":19: warning: log.loggers.patroni.postmaster: no logger of ha-agent has this name, so this"
                        + " setting does nothing: Patroni's Python logger names (patroni.*, urllib3, etcd, ...) do not"
                        + " exist in this Java process; use a Java logger name such as io.haagent (the agent),"
                        + " io.haagent.ha (the HA loop), io.haagent.rest (the REST API), io.etcd or io.grpc (the etcd"
                        + " client) or org.postgresql (its PostgreSQL connections)",
                f + ":20: warning: log.loggers.urllib3: no logger of ha-agent has this name, so this"
                        + " setting does nothing: Patroni's Python logger names (patroni.*, urllib3, etcd, ...) do not"
                        + " exist in this Java process; use a Java logger name such as io.haagent (the agent),"
                        + " io.haagent.ha (the HA loop), io.haagent.rest (the REST API), io.etcd or io.grpc (the etcd"
                        + " client) or org.postgresql (its PostgreSQL connections)",
                f + ":23: warning: log.loggers.org.postgresql: 'LOUD' is not a log level, so this setting does"
                        + " nothing: use DEBUG, INFO, WARNING, ERROR or CRITICAL");
        assertThat(loaded.canStart()).isTrue();
        assertThat(ConfigRules.isJavaLogger("io.haagent.agent")).isTrue();
        assertThat(ConfigRules.isJavaLogger("org.eclipse.jetty.server")).isTrue();
        assertThat(ConfigRules.isJavaLogger("io")).isTrue();
        assertThat(ConfigRules.isJavaLogger("patroni")).isFalse();
        assertThat(ConfigRules.isJavaLogger("patroni.ha")).isFalse();
    }
}
