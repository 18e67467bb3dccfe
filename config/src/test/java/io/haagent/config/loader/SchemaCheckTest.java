package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schema check, on trees read from YAML text (file name f.yml), with {@code bootstrap.dcs} checked as
 * {@link ConfigLoader} does it (by the rules of the cluster-wide configuration, {@link DynamicProblems}).
 */
class SchemaCheckTest {

    private static List<String> check(String yaml) {
        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping tree = reader.readDocument(yaml, "f.yml", 0, true);
        assertThat(reader.problems()).isEmpty();
        List<Problem> all = new java.util.ArrayList<>(SchemaCheck.check(tree, ConfigSchema.PATRONI));
        if (ConfigTree.at(tree, "bootstrap.dcs") instanceof ConfigNode.Mapping dcs) {
            all.addAll(DynamicProblems.check(dcs, "bootstrap.dcs"));
        }
        return ConfigLoader.sorted(all).stream()
                .map(Problem::format)
                .filter(l -> !l.contains("missing:")) // the fragments below leave out required keys on purpose
                .toList();
    }

    @Test
    void emptyValuesAreAbsentNotWrong() {
        assertThat(check("scope:\nrestapi:\n  listen:\n  authentication:\netcd3:\n  username:\n  password:\n"))
                .isEmpty();
    }

    @Test
    void freeSectionsAcceptAnyKey() {
        assertThat(check("""
                tags: {zone: a, rack: 7, nested: {x: 1}}
                postgresql:
                  parameters: {shared_buffers: 1GB, "auto_explain.log_min_duration": 10}
                  recovery_conf: {restore_command: cp}
                  callbacks: {on_start: /bin/true}
                log:
                  loggers: {io.grpc: WARNING}
                  static_fields: {app: x}
                restapi:
                  http_extra_headers: {X-Frame-Options: deny}
                bootstrap:
                  dcs:
                    slots:
                      archiver:
                      cdc: {type: logical, database: app, plugin: pgoutput}
                    postgresql:
                      parameters: {work_mem: 4MB}
                """)).isEmpty();
    }

    @Test
    void aLoopbackConnectAddressIsAWarningAndAnAddressOfNoHostAnError() {
        assertThat(check("""
                restapi: {connect_address: "localhost:8008"}
                postgresql: {connect_address: "[::1]:5432", proxy_address: "127.0.0.1:6432"}
                """)).containsExactly(
                "f.yml:1: warning: restapi.connect_address: localhost is a loopback address: it works only while every"
                        + " member, HAProxy and client runs on this host; from another host nobody can reach this node"
                        + " there (replication, elections, switchover checks, health checks): set it to the"
                        + " \"host:port\" other nodes and HAProxy use to reach this node's REST API, e.g. 10.0.0.11:8008",
                "f.yml:2: warning: postgresql.connect_address: ::1 is a loopback address: it works only while every"
                        + " member, HAProxy and client runs on this host; from another host nobody can reach this node"
                        + " there (replication, elections, switchover checks, health checks): set it to the"
                        + " \"host:port\" other nodes and clients use to reach this node's PostgreSQL, e.g."
                        + " 10.0.0.11:5432",
                "f.yml:2: warning: postgresql.proxy_address: 127.0.0.1 is a loopback address: it works only while"
                        + " every member, HAProxy and client runs on this host; from another host nobody can reach this"
                        + " node there (replication, elections, switchover checks, health checks); use this node's own"
                        + " address, e.g. 10.0.0.11:6432");
        assertThat(check("restapi: {connect_address: \"127.0.0.11:8008\"}\n")).isEmpty();
        for (String host : List.of("0.0.0.0", "*", "[::]")) {
            assertThat(check("postgresql: {connect_address: \"" + host + ":5432\"}\n")).singleElement()
                    .asString().startsWith("f.yml:1: error: postgresql.connect_address: must not use "
                            + host.replaceAll("[\\[\\]]", "") + ": other nodes and clients connect to this address");
        }
    }

    @Test
    void bootstrapUsersAreDeprecated() {
        assertThat(check("bootstrap:\n  users: {admin: {password: x, options: [createrole]}}\n")).containsExactly(
                "f.yml:2: warning: bootstrap.users: deprecated, still applied at bootstrap: create users in a"
                        + " post_bootstrap script instead");
    }

    @Test
    void aParameterMustBeASingleValue() {
        assertThat(check("postgresql:\n  parameters:\n    work_mem: [4MB]\n")).containsExactly(
                "f.yml:3: error: postgresql.parameters.work_mem: must be a single value, not a list");
    }

    @Test
    void callbacksKnowTheirActions() {
        assertThat(check("postgresql:\n  callbacks:\n    on_promote: /bin/true\n")).containsExactly(
                "f.yml:3: warning: postgresql.callbacks.on_promote: unknown key; ignored");
    }

    @Test
    void customMethodSectionsAreKnownWhenNamed() {
        assertThat(check("""
                postgresql:
                  create_replica_methods: [pgbackrest, basebackup]
                  pgbackrest:
                    command: /usr/bin/pgbackrest restore
                    keep_data: true
                    no_params: yes
                    delta: true
                  wal_g:
                    command: wal-g
                bootstrap:
                  method: from_s3
                  from_s3:
                    command: /usr/local/bin/clone
                    recovery_conf: {recovery_target_action: promote}
                    no_params: maybe
                """)).containsExactly(
                "f.yml:8: warning: postgresql.wal_g: unknown key; ignored",
                "f.yml:15: error: bootstrap.from_s3.no_params: must be true or false, not 'maybe'");
    }

    @Test
    void aCustomMethodNeedsItsCommand() {
        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping tree = reader.readDocument("postgresql:\n  create_replica_methods: [x]\n  x:\n"
                + "    keep_data: true\n", "f.yml", 0, true);
        assertThat(SchemaCheck.check(tree, ConfigSchema.PATRONI)).extracting(Problem::format).contains(
                "f.yml:3: error: postgresql.x.command: missing: set the command that creates a replica with this method");
    }

    @Test
    void dynamicPostgresqlKeysOfTheLocalSectionAreNotReadThere() {
        assertThat(check("""
                bootstrap:
                  dcs:
                    postgresql:
                      callbacks: {on_start: /bin/true}
                      pg_ctl_timeout: -1
                      create_replica_methods: [basebackup]
                      listen: 0.0.0.0:5432
                      bogus: 1
                """)).containsExactly(
                "f.yml:4: warning: bootstrap.dcs.postgresql.callbacks: not read from the cluster-wide configuration:"
                        + " ha-agent takes it from each node's postgresql section",
                "f.yml:5: error: bootstrap.dcs.postgresql.pg_ctl_timeout: must be an integer of at least 0 (seconds),"
                        + " not -1",
                "f.yml:6: warning: bootstrap.dcs.postgresql.create_replica_methods: not read from the cluster-wide"
                        + " configuration: ha-agent takes it from each node's postgresql section",
                "f.yml:7: warning: bootstrap.dcs.postgresql.listen: has no effect in the cluster-wide configuration:"
                        + " it is a per-node setting; set it under each node's postgresql section",
                "f.yml:8: warning: bootstrap.dcs.postgresql.bogus: not read from the cluster-wide configuration:"
                        + " ha-agent takes it from each node's postgresql section");
    }

    @Test
    void dynamicKeysAtTheTopLevelHaveNoEffect() {
        assertThat(check("ttl: 30\nsynchronous_mode: true\n")).containsExactly(
                "f.yml:1: warning: ttl: has no effect in the local configuration: it is cluster-wide; set it under"
                        + " bootstrap.dcs for a new cluster, or with agentctl edit-config on a running one",
                "f.yml:2: warning: synchronous_mode: has no effect in the local configuration: it is cluster-wide;"
                        + " set it under bootstrap.dcs for a new cluster, or with agentctl edit-config on a running one");
    }

    @Test
    void localRestrictedParametersAndAddressParametersHaveNoEffect() {
        assertThat(check("postgresql:\n  parameters:\n    MAX_CONNECTIONS: 50\n    port: 5433\n    cluster_name: x\n"))
                .containsExactly(
                        "f.yml:3: warning: postgresql.parameters.MAX_CONNECTIONS: has no effect here: it must be equal"
                                + " on every node, so it is taken only from the cluster-wide configuration; move it to"
                                + " bootstrap.dcs.postgresql.parameters (agentctl edit-config on a running cluster)",
                        "f.yml:4: warning: postgresql.parameters.port: has no effect: the port comes from"
                                + " postgresql.listen; set it there",
                        "f.yml:5: warning: postgresql.parameters.cluster_name: has no effect: cluster_name is set"
                                + " from scope");
    }

    @Test
    void unsupportedSettingsAreErrorsThatSayWhatToDo() {
        assertThat(check("""
                etcd3:
                  srv: example.com
                kubernetes:
                  labels: {app: x}
                raft:
                  self_addr: 10.0.0.1:2222
                citus:
                  group: 0
                  database: citus
                """)).containsExactly(
                "f.yml:2: error: etcd3.srv: not supported: ha-agent does not discover etcd by DNS SRV records; list the"
                        + " endpoints with hosts",
                "f.yml:3: error: kubernetes: not supported: ha-agent supports etcd v3 only; replace this section with"
                        + " etcd3 (hosts: [host:2379, ...])",
                "f.yml:5: error: raft: not supported: ha-agent supports etcd v3 only; replace this section with etcd3"
                        + " (hosts: [host:2379, ...])",
                "f.yml:7: error: citus: not supported: ha-agent does not implement Citus (MPP) clusters; remove the"
                        + " section");
    }

    @Test
    void logFormatInitdbIgnoreSlotsAndEnumsCaseRules() {
        assertThat(check("""
                log:
                  type: JSON
                  traceback_level: debug
                  format: [asctime, {levelname: level}, [message]]
                bootstrap:
                  initdb: [data-checksums, {encoding: UTF8}, [locale]]
                  dcs:
                    ignore_slots:
                    - {name: keep_me, type: physical}
                    - {type: binary}
                    - just_a_name
                    slots:
                      s1: {type: logical, database: app, plugin: pgoutput, extra: 1}
                """)).containsExactly(
                "f.yml:2: error: log.type: must be one of plain, json, not 'JSON'",
                "f.yml:4: error: log.format[2]: must be a field name or {field: new name}, not a list",
                "f.yml:6: error: bootstrap.initdb[2]: must be an initdb option (a string or key: value), not a list",
                "f.yml:10: error: bootstrap.dcs.ignore_slots[1].type: must be physical or logical, not 'binary'",
                "f.yml:11: error: bootstrap.dcs.ignore_slots[2]: must be a mapping, not a string",
                "f.yml:13: error: bootstrap.dcs.slots.s1.extra: unknown key; the keys known here are type, database,"
                        + " plugin, cluster_type");
    }

    @Test
    void addressesOfEtcdAcceptADefaultPortAndUrlsMustBeHttp() {
        assertThat(check("""
                etcd3:
                  hosts: "10.0.0.1, 10.0.0.2:2380,[fd00::3]:2379"
                etcd:
                  url: ftp://user:secretpw@10.0.0.1
                """)).containsExactly(
                "f.yml:4: error: etcd.url: must be a URL such as http://10.0.0.1:2379, but it does not start with"
                        + " http:// or https://");
    }

    @Test
    void theNearestKnownKeyIsSuggestedAmongSiblingsThenElsewhere() {
        assertThat(check("""
                restapi:
                  listn: 0.0.0.0:8008
                  data_dir: /x
                postgresql:
                  loop_wait: 5
                  max_wal_senders: 5
                bootstrap:
                  dcs:
                    postgresql:
                      max_replication_slots: 5
                """)).containsExactly(
                "f.yml:2: warning: restapi.listn: unknown key; did you mean restapi.listen?",
                "f.yml:3: warning: restapi.data_dir: unknown key; did you mean postgresql.data_dir?",
                "f.yml:5: warning: postgresql.loop_wait: unknown key; did you mean bootstrap.dcs.loop_wait?",
                "f.yml:6: warning: postgresql.max_wal_senders: unknown key; did you mean"
                        + " bootstrap.dcs.postgresql.parameters.max_wal_senders?",
                "f.yml:10: error: bootstrap.dcs.postgresql.max_replication_slots: unknown key; did you mean"
                        + " bootstrap.dcs.postgresql.parameters.max_replication_slots?");
    }
}
