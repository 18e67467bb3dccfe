package io.haagent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one validation of the cluster-wide configuration: each refused value with its key path and reason. */
class DynamicConfigRulesTest {

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> params(Object... kv) {
        return map("postgresql", map("parameters", map(kv)));
    }

    static List<String> errors(Map<String, Object> config) {
        return DynamicConfigRules.errors(config).stream().map(ConfigProblem::line).toList();
    }

    static List<String> warnings(Map<String, Object> config) {
        return DynamicConfigRules.check(config).stream().filter(p -> !p.error()).map(ConfigProblem::line).toList();
    }

    @Test
    void theSeedAndTheExampleConfigurationsAreValid() {
        Map<String, Object> seed = map("ttl", 30, "loop_wait", 10, "retry_timeout", 10,
                "maximum_lag_on_failover", 1048576, "postgresql", map("use_pg_rewind", true, "use_slots", true,
                        "parameters", map("recovery_target_timeline", "latest", "max_connections", 100,
                                "wal_level", "replica", "hot_standby", "on", "work_mem", "4MB",
                                "shared_preload_libraries", "pg_stat_statements", "auto_explain.log_min_duration",
                                "1s", "log_line_prefix", "%t [%p]\t")),
                "synchronous_mode", "on", "slots", map("keep", null, "cdc", map("type", "logical",
                        "database", "app", "plugin", "pgoutput")),
                "ignore_slots", List.of(map("name", "ext_slot")),
                "standby_cluster", null);
        assertThat(errors(seed)).isEmpty();
        // the recovery setting the seed's authors put there is reported, not refused (Patroni ignores it too)
        assertThat(warnings(seed)).containsExactly("postgresql.parameters.recovery_target_timeline: ignored:"
                + " recovery settings are managed by the agent (postgresql.recovery_conf, standby_cluster)");
        assertThat(DynamicConfigRules.check(Map.of())).isEmpty();
    }

    static List<Arguments> refused() {
        return List.of(
                // issue 18, defect 1: configuration injection into postgresql.conf
                Arguments.of(params("work_mem", "4MB\nfsync = off"), "postgresql.parameters.work_mem: the value holds"
                        + " a control character (a line feed at position 3): postgresql.conf cannot carry it"),
                Arguments.of(params("work_mem\nfsync", "off"), "postgresql.parameters.work_mem\\nfsync: the parameter"
                        + " name holds a control character (a line feed)"),
                Arguments.of(params("include", "/etc/passwd"), "postgresql.parameters.include: 'include' is a"
                        + " directive of postgresql.conf (it reads another file), not a parameter"),
                Arguments.of(params("work mem", "1"), "postgresql.parameters.work mem: not a valid parameter name: a"
                        + " letter or _, then letters, digits or _, with at most one '.' (PostgreSQL's configuration"
                        + " file syntax)"),
                Arguments.of(params("a.b.c", "1"), "postgresql.parameters.a.b.c: not a valid parameter name: a"
                        + " letter or _, then letters, digits or _, with at most one '.' (PostgreSQL's configuration"
                        + " file syntax)"),
                Arguments.of(params("search_path", "x\u0000y"), "postgresql.parameters.search_path: the value holds"
                        + " a control character (a NUL at position 1): postgresql.conf cannot carry it"),
                Arguments.of(params("hba_file", "/etc/passwd"), "postgresql.parameters.hba_file: cannot be set"
                        + " cluster-wide: it is a path on each node; write the lines in postgresql.pg_hba, or set it"
                        + " in a node's own postgresql.parameters"),
                Arguments.of(params("data_directory", "/tmp"), "postgresql.parameters.data_directory: cannot be set:"
                        + " each node's data directory and configuration file come from its postgresql.data_dir and"
                        + " config_dir"),
                Arguments.of(params("work_mem", Map.of("a", 1)), "postgresql.parameters.work_mem: must be a string,"
                        + " number or boolean, not a mapping"),
                Arguments.of(map("postgresql", map("pg_hba", List.of("host all all 0.0.0.0/0 md5\nhost all all"
                        + " 0.0.0.0/0 trust"))), "postgresql.pg_hba[0]: holds a control character (a line feed would"
                        + " write a second line into the file)"),
                Arguments.of(map("postgresql", map("recovery_conf", map("restore_command", "cp %f %p\nx = 1"))),
                        "postgresql.recovery_conf.restore_command: the value holds a control character (a line feed"
                                + " at position 8): postgresql.conf cannot carry it"),
                // issue 18, defect 3: values the nodes would have replaced
                Arguments.of(map("ttl", -1), "ttl: must be an integer from 20 to 86400 (seconds), not -1"),
                Arguments.of(map("ttl", 0), "ttl: must be an integer from 20 to 86400 (seconds), not 0"),
                Arguments.of(map("ttl", 1.0e12), "ttl: must be an integer from 20 to 86400 (seconds), not 1.0E12"),
                Arguments.of(map("ttl", "thirty"), "ttl: must be an integer from 20 to 86400 (seconds), not 'thirty'"),
                Arguments.of(map("ttl", true), "ttl: must be an integer from 20 to 86400 (seconds), not true"),
                Arguments.of(map("loop_wait", 40), "loop_wait: loop_wait 40 is not below ttl 30: a leader would lose"
                        + " its lock between two cycles; lower loop_wait or raise ttl"),
                Arguments.of(map("retry_timeout", -3), "retry_timeout: must be an integer from 3 to 86400 (seconds),"
                        + " not -3"),
                Arguments.of(params("wal_level", "minimal"), "postgresql.parameters.wal_level: must be one of"
                        + " replica, logical, hot_standby (replicas need at least replica), not 'minimal'"),
                Arguments.of(params("max_connections", -5), "postgresql.parameters.max_connections: must be an"
                        + " integer from 25 to 262143, not '-5'"),
                Arguments.of(params("max_connections", "abc"), "postgresql.parameters.max_connections: must be an"
                        + " integer from 25 to 262143, not 'abc'"),
                Arguments.of(params("hot_standby", "off"), "postgresql.parameters.hot_standby: must stay on:"
                        + " replicas must accept read-only queries, and health checks read them"),
                Arguments.of(params("wal_keep_size", "1MB"), "postgresql.parameters.wal_keep_size: must be a size"
                        + " of at least 16MB (a number of MB, or with kB, MB, GB or TB), not '1MB'"),
                Arguments.of(map("foo", "bar"), "foo: unknown key; the keys known here are ttl, loop_wait,"
                        + " retry_timeout, maximum_lag_on_failover, maximum_lag_on_syncnode, max_timelines_history,"
                        + " primary_start_timeout, primary_stop_timeout, master_start_timeout, master_stop_timeout,"
                        + " synchronous_mode, synchronous_mode_strict, synchronous_node_count, failsafe_mode,"
                        + " check_timeline, pause, member_slots_ttl, postgresql, standby_cluster, slots,"
                        + " permanent_slots, permanent_replication_slots, ignore_slots"),
                Arguments.of(map("ttll", 30), "ttll: unknown key; did you mean ttl?"),
                Arguments.of(map("max_connections", 100), "max_connections: unknown key; did you mean"
                        + " postgresql.parameters.max_connections?"),
                Arguments.of(map("postgresql", map("use_slot", true)), "postgresql.use_slot: unknown key; did you"
                        + " mean postgresql.use_slots?"),
                Arguments.of(map("pause", "maybe"), "pause: must be true or false, not 'maybe'"),
                Arguments.of(map("synchronous_mode", "quorom"), "synchronous_mode: must be true, false or quorum, not 'quorom'"),
                Arguments.of(map("synchronous_node_count", 0), "synchronous_node_count: must be an integer of at"
                        + " least 1, not 0"),
                Arguments.of(map("postgresql", "on"), "postgresql: must be a mapping, not a string"),
                // the standby_cluster that demoted a healthy primary
                Arguments.of(map("standby_cluster", map("host", 5)), "standby_cluster.host: must be a string, not a"
                        + " number 5"),
                Arguments.of(map("standby_cluster", map("primary_slot_name", "x")), "standby_cluster: names no"
                        + " remote to follow: set host (and port), or restore_command"),
                Arguments.of(map("standby_cluster", map("host", "10.0.0.1", "port", 70000)), "standby_cluster.port:"
                        + " must be an integer from 1 to 65535, not 70000"),
                Arguments.of(map("standby_cluster", map("host", "10.0.0.1", "restore_command", "cp\n")),
                        "standby_cluster.restore_command: holds a control character at position 2"),
                Arguments.of(map("slots", map("Bad-Name", null)), "slots.Bad-Name: not a slot name: slot names are 1"
                        + " to 63 of a-z, 0-9 and _"),
                Arguments.of(map("slots", map("cdc", map("type", "logical"))), "slots.cdc.database: missing: a"
                        + " logical slot needs database and plugin"),
                Arguments.of(map("slots", map("s", map("type", "virtual"))), "slots.s.type: must be physical or"
                        + " logical, not 'virtual'"),
                Arguments.of(map("ignore_slots", List.of(map())), "ignore_slots[0]: matches every slot: give at"
                        + " least one of name, type, database, plugin"),
                Arguments.of(map("ignore_slots", "all"), "ignore_slots: must be a list of matchers ({name, type,"
                        + " database, plugin}), not a string"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusesWithThePathAndTheReason(Map<String, Object> config, String expected) {
        assertThat(errors(config)).contains(expected);
    }

    @Test
    void valuesPatroniReadsAsIntegersAreIntegers() {
        // Patroni reads int("30"); so do the nodes (Values.toInt), so "30" is not refused
        assertThat(errors(map("ttl", "30", "loop_wait", 10.0, "retry_timeout", " 10 "))).isEmpty();
        assertThat(errors(params("max_connections", "200", "max_wal_senders", 12))).isEmpty();
        assertThat(errors(params("max_connections", 100.5))).hasSize(1);
    }

    /**
     * Patroni's acceptance scenarios (basic_replication, v3.0.2) PATCH {@code {"ttl": 20, "synchronous_mode": true}}
     * with the default loop_wait 10 and retry_timeout 10; Patroni stores it and lowers loop_wait. So do we: a
     * refusal made every later scenario of that feature fail. The nodes adjust as {@link DynamicConfig} does.
     */
    @Test
    void patronisTimingRuleIsAdjustedWithAWarningAsPatroniDoes() {
        Map<String, Object> c = map("ttl", 20, "synchronous_mode", true);
        assertThat(errors(c)).isEmpty();
        assertThat(warnings(c)).containsExactly("ttl: loop_wait + 2*retry_timeout = 10 + 2*10 = 30 exceeds ttl 20 (a"
                + " primary cut off from etcd must demote before its leader lock expires): the nodes run with loop_wait"
                + " 1 and retry_timeout 9, as Patroni adjusts them; set them so to make this warning go");
        DynamicConfig running = DynamicConfig.from(c);
        assertThat(running.loopWait()).isEqualTo(1);
        assertThat(running.retryTimeout()).isEqualTo(9);
        assertThat(errors(map("ttl", 30, "retry_timeout", 12))).isEmpty();
        assertThat(DynamicConfig.from(map("ttl", 30, "retry_timeout", 12)).loopWait()).isEqualTo(6);
    }

    @Test
    void memberSlotsTtlIsSecondsWithAnOptionalUnitAsPatroni41() {
        assertThat(errors(map("member_slots_ttl", "30min"))).isEmpty();
        assertThat(errors(map("member_slots_ttl", 0))).isEmpty();
        assertThat(DynamicConfig.from(map("member_slots_ttl", "30min")).memberSlotsTtl()).isEqualTo(1800);
        assertThat(DynamicConfig.from(map("member_slots_ttl", "2h")).memberSlotsTtl()).isEqualTo(7200);
        assertThat(DynamicConfig.from(map("member_slots_ttl", 0)).memberSlotsTtl()).isZero();
        assertThat(DynamicConfig.DEFAULTS.memberSlotsTtl()).isEqualTo(1800);
        assertThat(errors(map("member_slots_ttl", -1))).containsExactly("member_slots_ttl: must be a number of"
                + " seconds of 0 or more, with an optional unit (1800, 30min), not -1");
        assertThat(errors(map("member_slots_ttl", "30 parsecs"))).hasSize(1);
    }

    @Test
    void legacyAndNoEffectKeysAreWarningsOnly() {
        Map<String, Object> c = map("master_start_timeout", 10, "permanent_slots", map("s1", null),
                "member_slots_ttl", "30min", "postgresql", map("listen", "0.0.0.0:5432", "parameters",
                        map("port", 5433, "cluster_name", "x")), "slots", map("s2", null));
        assertThat(errors(c)).isEmpty();
        assertThat(warnings(c)).containsExactly(
                "master_start_timeout: legacy name, still read: rename it to primary_start_timeout",
                "permanent_slots: legacy name, still read: rename it to slots",
                "permanent_slots: ignored: slots is set, and only one slot section is read",
                "postgresql.listen: has no effect in the cluster-wide configuration: it is a per-node setting; set it"
                        + " under each node's postgresql section",
                "postgresql.parameters.port: has no effect: each node's PostgreSQL listens where its postgresql.listen"
                        + " says",
                "postgresql.parameters.cluster_name: has no effect: cluster_name is set from scope");
    }

    @Test
    void secretsInParameterValuesAreNeverQuoted() {
        String password = "pa55-w0rd-zebra";
        Map<String, Object> c = map("postgresql", map("recovery_conf", map("primary_conninfo",
                "password=" + password + "\nx=1"), "parameters", map("ssl_passphrase_command", "echo " + password
                        + "\r")));
        List<String> all = new ArrayList<>();
        DynamicConfigRules.check(c).forEach(p -> all.add(p.line()));
        assertThat(all).hasSize(2).allSatisfy(l -> assertThat(l).doesNotContain(password));
    }

    @Test
    void keyNamesAreEscapedInPaths() {
        assertThat(errors(map("evil\nERROR forged line", 1))).singleElement().asString()
                .startsWith("evil\\nERROR forged line: unknown key").doesNotContain("\n");
    }
}
