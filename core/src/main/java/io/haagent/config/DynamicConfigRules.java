package io.haagent.config;

import io.haagent.pg.EffectiveParameters;
import io.haagent.pg.GucSyntax;
import io.haagent.text.NearestWord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one validation of the cluster-wide configuration (§5.3: the {@code config} key, and {@code bootstrap.dcs}
 * that seeds it), used by {@code PATCH}/{@code PUT /config}, {@code agentctl edit-config}, {@code --validate-config}
 * and the agent when it reads the key. Same rules and messages everywhere; what it accepts,
 * {@link DynamicConfig#from} and {@link RestrictedGucs#resolve} read without adjusting anything.
 *
 * <p>Where Patroni stands: its REST API stores any JSON object (api.py {@code do_PATCH_config},
 * {@code do_PUT_config}); its nodes adjust the timeouts ({@code Config._validate_and_adjust_timeouts}), replace
 * invalid restricted GUCs by their defaults ({@code _process_postgresql_parameters}), and keep the previous
 * configuration only when reading raises ({@code set_dynamic_configuration}: "Exception when setting
 * dynamic_configuration"). We refuse instead of adjusting, so etcd never says one thing while the nodes run
 * another; the ranges are those of Patroni 4.1's validator ({@code bootstrap.dcs} in validator.py) and of
 * {@code ConfigHandler.CMDLINE_OPTIONS}; values bound for {@code postgresql.conf} follow PostgreSQL's file syntax
 * ({@link GucSyntax}), which Patroni does not check (a line feed in a value writes a second line).
 *
 * <p>Unknown keys are errors, with the nearest known key: a typo would otherwise be stored and silently do
 * nothing. Keys of Patroni 3.0-4.1 that ha-agent does not implement are warnings. A {@code null} value is an
 * absent key.
 */
public final class DynamicConfigRules extends ConfigValueChecks {
    /** Longest ttl accepted, in seconds: a leader lock outlives a dead primary by ttl, and a day is already absurd. */
    public static final int MAX_SECONDS = 86_400;

    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    private static final Set<String> SLOT_TYPES = Set.of(SlotSpec.PHYSICAL, SlotSpec.LOGICAL);
    private static final Set<String> SLOT_SECTIONS = Set.of("slots", "permanent_slots", "permanent_replication_slots");
    private static final Set<String> PER_NODE = Set.of("connect_address", "proxy_address", "listen", "config_dir",
            "data_dir", "pgpass", "authentication");
    private static final Set<String> WAL_LEVELS = Set.of("hot_standby", "replica", "logical");

    /** Top-level keys and the keys of each section, for unknown-key checks and suggestions. */
    public static final List<String> TOP = List.of("ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover",
            "maximum_lag_on_syncnode", "max_timelines_history", "primary_start_timeout", "primary_stop_timeout",
            "master_start_timeout", "master_stop_timeout", "synchronous_mode", "synchronous_mode_strict",
            "synchronous_node_count", "failsafe_mode", "check_timeline", "pause", "member_slots_ttl", "postgresql",
            "standby_cluster", "slots", "permanent_slots", "permanent_replication_slots", "ignore_slots");
    public static final List<String> POSTGRESQL = List.of("use_pg_rewind", "use_slots", "parameters", "pg_hba",
            "pg_ident", "recovery_conf", "pg_ctl_timeout", "remove_data_directory_on_rewind_failure",
            "remove_data_directory_on_diverged_timelines");
    public static final List<String> STANDBY_CLUSTER = List.of("host", "port", "primary_slot_name",
            "create_replica_methods", "restore_command", "archive_cleanup_command", "recovery_min_apply_delay");
    public static final List<String> SLOT = List.of("type", "database", "plugin", "cluster_type");
    public static final List<String> IGNORE_SLOT = List.of("name", "type", "database", "plugin");

    private DynamicConfigRules() {
    }

    /** Every problem of {@code config}, in reading order. */
    public static List<ConfigProblem> check(Map<String, ?> config) {
        DynamicConfigRules r = new DynamicConfigRules();
        r.top(config == null ? Map.of() : config);
        return List.copyOf(r.problems);
    }

    /** The errors only: an empty list means the configuration may be written and applied. */
    public static List<ConfigProblem> errors(Map<String, ?> config) {
        return check(config).stream().filter(ConfigProblem::error).toList();
    }

    // ------------------------------------------------------------------------------------------------ top level

    private void top(Map<String, ?> m) {
        for (Map.Entry<String, ?> e : m.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            switch (k) {
                case "ttl" -> timing(k, v, 20);
                case "loop_wait" -> integer(k, v, 1, MAX_SECONDS, "seconds");
                case "retry_timeout" -> timing(k, v, 3);
                case "maximum_lag_on_failover" -> integer(k, v, 0, Long.MAX_VALUE, "bytes");
                case "maximum_lag_on_syncnode" -> integer(k, v, -1, Long.MAX_VALUE, "bytes");
                case "max_timelines_history" -> integer(k, v, 0, Integer.MAX_VALUE, null);
                case "primary_start_timeout", "primary_stop_timeout" -> integer(k, v, 0, Integer.MAX_VALUE, "seconds");
                case "master_start_timeout", "master_stop_timeout" -> {
                    String now = k.replace("master_", "primary_");
                    if (m.get(now) != null) {
                        warning(k, "ignored: " + now + " is set (the legacy name is read only without it)");
                    } else {
                        warning(k, "legacy name, still read: rename it to " + now);
                    }
                    integer(k, v, 0, Integer.MAX_VALUE, "seconds");
                }
                case "synchronous_mode" -> {
                    // on, off, or Patroni 4's quorum (quorum commit, io.haagent.ha.QuorumResolver)
                    if (!(v instanceof String s && "quorum".equalsIgnoreCase(s.trim())) && boolValue(v) == null) {
                        error(k, "must be true, false or quorum, not " + shown(v));
                    }
                }
                case "synchronous_mode_strict", "failsafe_mode", "check_timeline", "pause" -> bool(k, v);
                case "synchronous_node_count" -> integer(k, v, 1, Integer.MAX_VALUE, null);
                case "member_slots_ttl" -> {
                    // Patroni 4.1: IntValidator(min=0, base_unit='s'): 1800, '30min', 0 (off)
                    Long secs = v instanceof String s ? Units.parseInt(s, "s") : Values.toLong(v);
                    if (v instanceof Boolean || secs == null || secs < 0 || secs > Integer.MAX_VALUE) {
                        error(k, "must be a number of seconds of 0 or more, with an optional unit (1800, 30min),"
                                + " not " + shown(v));
                    }
                }
                case "postgresql" -> {
                    Map<String, Object> pg = mapping(k, v);
                    if (pg != null) {
                        postgresql(pg);
                    }
                }
                case "standby_cluster" -> {
                    Map<String, Object> sc = mapping(k, v);
                    if (sc != null) {
                        standbyCluster(sc);
                    }
                }
                case "slots", "permanent_slots", "permanent_replication_slots" -> {
                    if (!k.equals("slots")) {
                        warning(k, "legacy name, still read: rename it to slots");
                    }
                    String first = firstSlotSection(m);
                    if (!k.equals(first)) {
                        warning(k, "ignored: " + first + " is set, and only one slot section is read");
                    }
                    Map<String, Object> slots = mapping(k, v);
                    if (slots != null) {
                        slots(k, slots);
                    }
                }
                case "ignore_slots" -> ignoreSlots(v);
                default -> unknown("", k, TOP);
            }
        }
        timeouts(m);
    }

    private static String firstSlotSection(Map<String, ?> m) {
        for (String s : List.of("slots", "permanent_slots", "permanent_replication_slots")) {
            if (m.get(s) != null) {
                return s;
            }
        }
        return null;
    }

    /**
     * {@code loop_wait + 2*retry_timeout <= ttl} (§1.5). Safety rule 2: a primary that cannot reach etcd notices
     * within loop_wait + retry_timeout and must have demoted before its lease (ttl) can expire and another node
     * promote. A {@code loop_wait} of {@code ttl} or more can never hold the lock and is refused. Otherwise the
     * values are stored and every node lowers loop_wait (then retry_timeout) until the rule holds, as Patroni's
     * {@code Config._validate_and_adjust_timeouts} does (v3.0.2 to v4.1.4), and the answer says so as a warning:
     * Patroni's own tools and tests set {@code ttl: 20} with the default loop_wait and retry_timeout (10 + 2*10),
     * and a refusal broke them. The nodes' {@link DynamicConfig} applies the same adjustment.
     */
    private void timeouts(Map<String, ?> m) {
        Long ttl = m.get("ttl") == null ? (Long) (long) DynamicConfig.DEFAULT_TTL : integerValue(m.get("ttl"));
        Long loopWait = m.get("loop_wait") == null ? (Long) (long) DynamicConfig.DEFAULT_LOOP_WAIT
                : integerValue(m.get("loop_wait"));
        Long retry = m.get("retry_timeout") == null ? (Long) (long) DynamicConfig.DEFAULT_RETRY_TIMEOUT
                : integerValue(m.get("retry_timeout"));
        if (ttl == null || loopWait == null || retry == null || ttl < 1 || ttl > MAX_SECONDS || loopWait < 1
                || loopWait > MAX_SECONDS || retry < 1 || retry > MAX_SECONDS) {
            return; // each is reported on its own
        }
        ttl = Math.max(ttl, 20); // as the nodes adjust them (timing)
        retry = Math.max(retry, 3);
        if (loopWait >= ttl) {
            error(m.get("loop_wait") != null ? "loop_wait" : "ttl", "loop_wait " + loopWait + " is not below ttl "
                    + ttl + ": a leader would lose its lock between two cycles; lower loop_wait or raise ttl");
        } else if (loopWait + 2 * retry > ttl) {
            String at = m.get("loop_wait") != null ? "loop_wait" : m.get("retry_timeout") != null ? "retry_timeout"
                    : "ttl";
            int[] t = DynamicConfig.adjustTimeouts(ttl.intValue(), loopWait.intValue(), retry.intValue(),
                    new ArrayList<>());
            warning(at, "loop_wait + 2*retry_timeout = " + loopWait + " + 2*" + retry + " = " + (loopWait + 2 * retry)
                    + " exceeds ttl " + ttl + " (a primary cut off from etcd must demote before its leader lock"
                    + " expires): the nodes run with loop_wait " + t[1] + " and retry_timeout " + t[2]
                    + ", as Patroni adjusts them; set them so to make this warning go");
        }
    }

    // ------------------------------------------------------------------------------------------------ postgresql

    private void postgresql(Map<String, Object> pg) {
        for (Map.Entry<String, Object> e : pg.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            String path = "postgresql." + key(k);
            if (v == null) {
                continue;
            }
            switch (k) {
                case "use_pg_rewind", "use_slots", "remove_data_directory_on_rewind_failure",
                        "remove_data_directory_on_diverged_timelines" -> bool(path, v);
                case "pg_ctl_timeout" -> integer(path, v, 0, Integer.MAX_VALUE, "seconds");
                case "pg_hba", "pg_ident" -> lines(path, v);
                case "parameters" -> {
                    Map<String, Object> params = mapping(path, v);
                    if (params != null) {
                        parameters(path, params);
                    }
                }
                case "recovery_conf" -> {
                    Map<String, Object> rc = mapping(path, v);
                    if (rc != null) {
                        for (Map.Entry<String, Object> p : rc.entrySet()) {
                            confEntry(path, p.getKey(), p.getValue());
                        }
                    }
                }
                default -> {
                    if (RestrictedGucs.isRestricted(k)) {
                        error(path, "unknown key; did you mean postgresql.parameters." + key(k) + "?");
                    } else if (PER_NODE.contains(k)) {
                        warning(path, "has no effect in the cluster-wide configuration: it is a per-node setting;"
                                + " set it under each node's postgresql section");
                    } else if (NearestWord.nearest(k, POSTGRESQL, 3) != null) {
                        unknown("postgresql.", k, POSTGRESQL);
                    } else {
                        // Patroni copies other keys into each node's postgresql section; ha-agent reads them there
                        warning(path, "not read from the cluster-wide configuration: ha-agent takes it from each"
                                + " node's postgresql section");
                    }
                }
            }
        }
    }

    private void parameters(String path, Map<String, Object> params) {
        for (Map.Entry<String, Object> p : params.entrySet()) {
            String name = p.getKey();
            Object v = p.getValue();
            if (!confEntry(path, name, v) || v == null) {
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            String at = path + "." + name;
            switch (lower) {
                case "listen_addresses", "port" -> warning(at, "has no effect: each node's PostgreSQL listens where"
                        + " its postgresql.listen says");
                case "cluster_name" -> warning(at, "has no effect: cluster_name is set from scope");
                case "data_directory", "config_file" -> error(at, "cannot be set: each node's data directory and"
                        + " configuration file come from its postgresql.data_dir and config_dir");
                case "hba_file", "ident_file" -> error(at, "cannot be set cluster-wide: it is a path on each node;"
                        + " write the lines in postgresql." + (lower.equals("hba_file") ? "pg_hba" : "pg_ident")
                        + ", or set it in a node's own postgresql.parameters");
                default -> {
                    if (EffectiveParameters.RECOVERY_PARAMETERS.contains(lower)) {
                        warning(at, "ignored: recovery settings are managed by the agent (postgresql.recovery_conf,"
                                + " standby_cluster)");
                    } else if (RestrictedGucs.isRestricted(lower)) {
                        restricted(at, lower, v);
                    }
                }
            }
        }
    }

    /**
     * The GUCs every node must share (§5.3), with the minimums of Patroni's {@code CMDLINE_OPTIONS} and the
     * maximums of its validator (PostgreSQL's own limits).
     */
    private void restricted(String at, String name, Object value) {
        // judged by the text RestrictedGucs reads (100.0 is not an integer there), booleans as on/off
        String v = RestrictedGucs.valueText(value);
        switch (name) {
            case "max_connections" -> integer(at, v, 25, 262_143, null);
            case "max_wal_senders" -> integer(at, v, 3, 262_143, null);
            case "max_replication_slots" -> integer(at, v, 4, 262_143, null);
            case "max_worker_processes" -> integer(at, v, 2, 262_143, null);
            case "max_prepared_transactions" -> integer(at, v, 0, 262_143, null);
            case "max_locks_per_transaction" -> integer(at, v, 32, Integer.MAX_VALUE, null);
            case "wal_keep_segments" -> integer(at, v, 1, Integer.MAX_VALUE, null);
            case "wal_keep_size" -> {
                Long mb = megabytes(v);
                if (mb == null || mb < 16) {
                    error(at, "must be a size of at least 16MB (a number of MB, or with kB, MB, GB or TB), not "
                            + shown(v));
                }
            }
            case "wal_level" -> {
                if (value instanceof Boolean || !WAL_LEVELS.contains(v.toLowerCase(Locale.ROOT))) {
                    error(at, "must be one of replica, logical, hot_standby (replicas need at least replica), not "
                            + shown(v));
                }
            }
            case "hot_standby" -> {
                if (!Boolean.TRUE.equals(boolValue(v))) {
                    error(at, "must stay on: replicas must accept read-only queries, and health checks read them");
                }
            }
            case "track_commit_timestamp", "wal_log_hints" -> bool(at, v);
            default -> {
            }
        }
    }

    /** A name and value bound for postgresql.conf; false when the entry cannot be written at all. */
    private boolean confEntry(String path, String name, Object v) {
        String at = path + "." + key(name);
        String nameProblem = GucSyntax.nameProblem(name);
        if (nameProblem != null) {
            error(at, nameProblem);
            return false;
        }
        if (v == null) {
            return true;
        }
        if (v instanceof Map || v instanceof List) {
            error(at, "must be a string, number or boolean, not " + kind(v));
            return false;
        }
        if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            error(at, "must be a finite number");
            return false;
        }
        String valueProblem = GucSyntax.valueProblem(RestrictedGucs.valueText(v));
        if (valueProblem != null) {
            error(at, valueProblem);
            return false;
        }
        return true;
    }

    private void lines(String path, Object v) {
        if (!(v instanceof List<?> l)) {
            error(path, "must be a list of lines (strings), not " + kind(v));
            return;
        }
        for (int i = 0; i < l.size(); i++) {
            Object line = l.get(i);
            String at = path + "[" + i + "]";
            if (!(line instanceof String s)) {
                error(at, "must be a line of text, not " + kind(line));
            } else if (GucSyntax.firstControl(s, true) >= 0) {
                error(at, "holds a control character (a line feed would write a second line into the file)");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ standby

    private void standbyCluster(Map<String, Object> sc) {
        boolean target = false;
        for (Map.Entry<String, Object> e : sc.entrySet()) {
            String k = e.getKey();
            Object v = e.getValue();
            String at = "standby_cluster." + key(k);
            if (v == null) {
                continue;
            }
            switch (k) {
                case "host" -> {
                    // an invalid host is reported as such, not also as "no remote"
                    if (!text(at, v, false) || !((String) v).isBlank()) {
                        target = true;
                    }
                }
                case "port" -> {
                    integer(at, v, 1, 65_535, null);
                    target = true;
                }
                case "restore_command" -> {
                    if (!text(at, v, true) || !((String) v).isBlank()) {
                        target = true;
                    }
                }
                case "archive_cleanup_command" -> text(at, v, true);
                case "recovery_min_apply_delay" -> {
                    if (v instanceof Number n) {
                        integer(at, n, 0, Integer.MAX_VALUE, null);
                    } else {
                        text(at, v, false);
                    }
                }
                case "primary_slot_name" -> {
                    if (text(at, v, false) && !SLOT_NAME.matcher((String) v).matches()) {
                        error(at, "must be a slot name: 1 to 63 of a-z, 0-9 and _, not " + shown(v));
                    }
                }
                case "create_replica_methods" -> {
                    if (!(v instanceof List<?> l)) {
                        error(at, "must be a list of method names, not " + kind(v));
                    } else {
                        for (int i = 0; i < l.size(); i++) {
                            text(at + "[" + i + "]", l.get(i), false);
                        }
                    }
                }
                default -> unknown("standby_cluster.", k, STANDBY_CLUSTER);
            }
        }
        if (!target && sc.values().stream().anyMatch(v -> v != null && !"".equals(v))) {
            error("standby_cluster", "names no remote to follow: set host (and port), or restore_command");
        }
    }

    // ------------------------------------------------------------------------------------------------ slots

    private void slots(String section, Map<String, Object> slots) {
        for (Map.Entry<String, Object> e : slots.entrySet()) {
            String name = e.getKey();
            String at = section + "." + key(name);
            if (!SLOT_NAME.matcher(name).matches()) {
                error(at, "not a slot name: slot names are 1 to 63 of a-z, 0-9 and _");
                continue;
            }
            if (e.getValue() == null) {
                continue; // a physical slot with no options
            }
            Map<String, Object> def = mapping(at, e.getValue());
            if (def == null) {
                continue;
            }
            String type = SlotSpec.PHYSICAL;
            for (Map.Entry<String, Object> d : def.entrySet()) {
                String k = d.getKey();
                Object v = d.getValue();
                String dat = at + "." + key(k);
                if (v == null) {
                    continue;
                }
                switch (k) {
                    case "type" -> {
                        if (text(dat, v, false)) {
                            if (SLOT_TYPES.contains(v)) {
                                type = (String) v;
                            } else {
                                error(dat, "must be physical or logical, not " + shown(v));
                            }
                        }
                    }
                    case "database", "plugin" -> text(dat, v, false);
                    case "cluster_type" -> warning(dat, "not implemented by ha-agent (Patroni 4 keeps the slot on"
                            + " a primary or a standby cluster only); the slot is kept in both");
                    default -> unknown(at + ".", k, SLOT);
                }
            }
            if (SlotSpec.LOGICAL.equals(type)) {
                for (String need : List.of("database", "plugin")) {
                    if (!(def.get(need) instanceof String s) || s.isBlank()) {
                        error(at + "." + need, "missing: a logical slot needs database and plugin");
                    }
                }
            }
        }
    }

    private void ignoreSlots(Object v) {
        if (!(v instanceof List<?> l)) {
            error("ignore_slots", "must be a list of matchers ({name, type, database, plugin}), not " + kind(v));
            return;
        }
        for (int i = 0; i < l.size(); i++) {
            String at = "ignore_slots[" + i + "]";
            Map<String, Object> m = mapping(at, l.get(i));
            if (m == null) {
                continue;
            }
            boolean any = false;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                String k = e.getKey();
                String kat = at + "." + key(k);
                if (!IGNORE_SLOT.contains(k)) {
                    unknown(at + ".", k, IGNORE_SLOT);
                    continue;
                }
                if (e.getValue() == null) {
                    continue;
                }
                any = true;
                if (text(kat, e.getValue(), false) && k.equals("type") && !SLOT_TYPES.contains(e.getValue())) {
                    error(kat, "must be physical or logical, not " + shown(e.getValue()));
                }
            }
            if (!any) {
                error(at, "matches every slot: give at least one of name, type, database, plugin");
            }
        }
    }
}
