package io.haagent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The cluster-wide dynamic configuration (§5.3): the {@code config} key in etcd, seeded from
 * {@code bootstrap.dcs}. Parsing is lenient and never throws: a bad value falls back to its default and is
 * listed in {@link #warnings()}, so one bad value written to etcd cannot stop the HA loop.
 *
 * @param raw the JSON object as stored, for PATCH merges and {@code GET /config}
 */
public record DynamicConfig(
        int ttl,
        int loopWait,
        int retryTimeout,
        long maximumLagOnFailover,
        long maximumLagOnSyncnode,
        int maxTimelinesHistory,
        int primaryStartTimeout,
        int primaryStopTimeout,
        boolean synchronousMode,
        boolean synchronousModeStrict,
        int synchronousNodeCount,
        boolean failsafeMode,
        boolean checkTimeline,
        boolean pause,
        boolean usePgRewind,
        boolean useSlots,
        Map<String, Object> parameters,
        List<String> pgHba,
        List<String> pgIdent,
        Map<String, Object> recoveryConf,
        Integer pgCtlTimeout,
        Boolean removeDataDirectoryOnRewindFailure,
        Boolean removeDataDirectoryOnDivergedTimelines,
        StandbyClusterConfig standbyCluster,
        Map<String, SlotSpec> slots,
        List<Map<String, String>> ignoreSlots,
        Map<String, Object> raw,
        List<String> warnings) {

    public static final int DEFAULT_TTL = 30;
    public static final int DEFAULT_LOOP_WAIT = 10;
    public static final int DEFAULT_RETRY_TIMEOUT = 10;
    public static final long DEFAULT_MAXIMUM_LAG_ON_FAILOVER = 1048576;
    private static final Pattern SLOT_NAME = Pattern.compile("^[a-z0-9_]{1,63}$");

    public static final DynamicConfig DEFAULTS = from(Map.of());

    public DynamicConfig {
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        recoveryConf = recoveryConf == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(recoveryConf));
        slots = slots == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(slots));
        ignoreSlots = ignoreSlots == null ? List.of() : List.copyOf(ignoreSlots);
        raw = raw == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(raw));
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public boolean isStandbyCluster() {
        return standbyCluster != null && standbyCluster.active();
    }

    /** Synchronous mode is ignored in a standby cluster (Patroni 3.2+). */
    /**
     * Quorum commit: {@code synchronous_mode: quorum} (Patroni 4), {@code synchronous_standby_names = 'ANY k (...)'}
     * and the sync key's {@code quorum} (§4.9, QuorumResolver). {@link #synchronousMode()} is true with it.
     */
    public boolean quorumCommit() {
        return isQuorum(raw.get("synchronous_mode"));
    }

    /** Quorum commit while synchronous replication is in effect (not in a standby cluster). */
    public boolean quorumCommitEffective() {
        return quorumCommit() && synchronousModeEffective();
    }

    private static boolean isQuorum(Object v) {
        return v instanceof String q && "quorum".equalsIgnoreCase(q.trim());
    }

    /** Patroni 4.1's default {@code member_slots_ttl}: 30 minutes. */
    public static final int DEFAULT_MEMBER_SLOTS_TTL = 1800;

    /**
     * {@code member_slots_ttl} in seconds (Patroni 4.1, {@code global_config.member_slots_ttl}): how long the leader
     * keeps the slot of a member whose key is gone ({@code status.retain_slots}), and, when above 0, every node
     * keeps a slot for every other member so that a new leader already holds the WAL its replicas need. 0 turns
     * both off (Patroni 3's behaviour). A value that is not a duration reads as the default, as Patroni's get_int.
     */
    public int memberSlotsTtl() {
        Object v = raw.get("member_slots_ttl");
        if (v == null || v instanceof Boolean) {
            return DEFAULT_MEMBER_SLOTS_TTL;
        }
        Long secs = v instanceof String s ? Units.parseInt(s, "s") : Values.toLong(v);
        return secs == null || secs < 0 ? DEFAULT_MEMBER_SLOTS_TTL : (int) Math.min(secs, Integer.MAX_VALUE);
    }

    public boolean synchronousModeEffective() {
        return synchronousMode && !isStandbyCluster();
    }

    public static DynamicConfig from(Map<String, Object> raw) {
        Map<String, Object> m = raw == null ? Map.of() : raw;
        List<String> warnings = new ArrayList<>();
        int ttl = Values.intOr(m, "ttl", DEFAULT_TTL, "", warnings::add);
        int loopWait = Values.intOr(m, "loop_wait", DEFAULT_LOOP_WAIT, "", warnings::add);
        int retryTimeout = Values.intOr(m, "retry_timeout", DEFAULT_RETRY_TIMEOUT, "", warnings::add);
        int[] t = adjustTimeouts(ttl, loopWait, retryTimeout, warnings);

        Object startTimeoutKey = m.containsKey("primary_start_timeout") ? "primary_start_timeout"
                : m.containsKey("master_start_timeout") ? "master_start_timeout" : "primary_start_timeout";
        Object stopTimeoutKey = m.containsKey("primary_stop_timeout") ? "primary_stop_timeout"
                : m.containsKey("master_stop_timeout") ? "master_stop_timeout" : "primary_stop_timeout";
        int primaryStartTimeout = nonNegative(Values.intOr(m, (String) startTimeoutKey, 300, "", warnings::add),
                (String) startTimeoutKey, 300, warnings);
        int primaryStopTimeout = nonNegative(Values.intOr(m, (String) stopTimeoutKey, 0, "", warnings::add),
                (String) stopTimeoutKey, 0, warnings);
        int syncNodeCount = Values.intOr(m, "synchronous_node_count", 1, "", warnings::add);
        if (syncNodeCount < 1) {
            warnings.add("synchronous_node_count: " + syncNodeCount + " is below the minimum 1; using 1");
            syncNodeCount = 1;
        }

        Map<String, Object> pg = Values.map(m.get("postgresql"));
        if (m.get("postgresql") != null && pg == null) {
            warnings.add("postgresql: expected a mapping; ignored");
        }
        Map<String, Object> pgMap = pg == null ? Map.of() : pg;
        Map<String, Object> params = Values.map(pgMap.get("parameters"));
        Map<String, Object> recovery = Values.map(pgMap.get("recovery_conf"));
        Integer pgCtlTimeout = pgMap.get("pg_ctl_timeout") == null ? null : Values.toInt(pgMap.get("pg_ctl_timeout"));

        return new DynamicConfig(
                t[0], t[1], t[2],
                Values.longOr(m, "maximum_lag_on_failover", DEFAULT_MAXIMUM_LAG_ON_FAILOVER, "", warnings::add),
                Values.longOr(m, "maximum_lag_on_syncnode", -1, "", warnings::add),
                Values.intOr(m, "max_timelines_history", 0, "", warnings::add),
                primaryStartTimeout,
                primaryStopTimeout,
                isQuorum(m.get("synchronous_mode"))
                        || Values.boolOr(m, "synchronous_mode", false, "", warnings::add),
                Values.boolOr(m, "synchronous_mode_strict", false, "", warnings::add),
                syncNodeCount,
                Values.boolOr(m, "failsafe_mode", false, "", warnings::add),
                Values.boolOr(m, "check_timeline", false, "", warnings::add),
                Values.boolOr(m, "pause", false, "", warnings::add),
                Values.boolOr(pgMap, "use_pg_rewind", false, "postgresql.", warnings::add),
                Values.boolOr(pgMap, "use_slots", true, "postgresql.", warnings::add),
                params,
                Values.stringList(pgMap.get("pg_hba")),
                Values.stringList(pgMap.get("pg_ident")),
                recovery,
                pgCtlTimeout,
                pgMap.get("remove_data_directory_on_rewind_failure") == null ? null
                        : Values.toBool(pgMap.get("remove_data_directory_on_rewind_failure")),
                pgMap.get("remove_data_directory_on_diverged_timelines") == null ? null
                        : Values.toBool(pgMap.get("remove_data_directory_on_diverged_timelines")),
                standbyCluster(Values.map(m.get("standby_cluster")), warnings),
                slots(m, warnings),
                ignoreSlots(m.get("ignore_slots"), warnings),
                m,
                warnings);
    }

    /**
     * Enforce the minimums and {@code loop_wait + 2*retry_timeout <= ttl} as Patroni 3.3 does (§1.5).
     * Safety rule 2: a primary that cannot renew must notice (after at most loop_wait + retry_timeout) and
     * demote before its lease (ttl) can expire, so the rule is not optional.
     *
     * @return {ttl, loop_wait, retry_timeout}
     */
    static int[] adjustTimeouts(int ttl, int loopWait, int retryTimeout, List<String> warnings) {
        if (ttl < 20) {
            warnings.add("ttl=" + ttl + " can't be smaller than 20, adjusting to 20");
            ttl = 20;
        }
        if (loopWait < 1) {
            warnings.add("loop_wait=" + loopWait + " can't be smaller than 1, adjusting to 1");
            loopWait = 1;
        }
        if (retryTimeout < 3) {
            warnings.add("retry_timeout=" + retryTimeout + " can't be smaller than 3, adjusting to 3");
            retryTimeout = 3;
        }
        if (loopWait + 2 * retryTimeout > ttl) {
            int lowered = ttl - 2 * retryTimeout;
            if (lowered >= 1) {
                warnings.add("loop_wait + 2*retry_timeout (" + loopWait + " + 2*" + retryTimeout + ") > ttl (" + ttl
                        + "): lowering loop_wait to " + lowered);
                loopWait = lowered;
            } else {
                int rt = (ttl - 1) / 2;
                warnings.add("loop_wait + 2*retry_timeout (" + loopWait + " + 2*" + retryTimeout + ") > ttl (" + ttl
                        + "): setting loop_wait to 1 and retry_timeout to " + rt);
                loopWait = 1;
                retryTimeout = rt;
            }
        }
        return new int[] {ttl, loopWait, retryTimeout};
    }

    private static int nonNegative(int v, String key, int dflt, List<String> warnings) {
        if (v < 0) {
            warnings.add(key + ": " + v + " is negative; using " + dflt);
            return dflt;
        }
        return v;
    }

    private static StandbyClusterConfig standbyCluster(Map<String, Object> sc, List<String> warnings) {
        if (sc == null || sc.isEmpty()) {
            return null;
        }
        Integer port = null;
        if (sc.get("port") != null) {
            port = Values.toInt(sc.get("port"));
            if (port == null || port < 1 || port > 65535) {
                warnings.add("standby_cluster.port: '" + sc.get("port") + "' is not a port number; ignored");
                port = null;
            }
        }
        return new StandbyClusterConfig(
                Values.str(sc, "host"),
                port,
                Values.str(sc, "primary_slot_name"),
                Values.stringList(sc.get("create_replica_methods")),
                Values.str(sc, "restore_command"),
                Values.str(sc, "archive_cleanup_command"),
                Values.str(sc, "recovery_min_apply_delay"));
    }

    private static Map<String, SlotSpec> slots(Map<String, Object> m, List<String> warnings) {
        Object v = m.get("slots");
        if (v == null) {
            v = m.get("permanent_slots");
        }
        if (v == null) {
            v = m.get("permanent_replication_slots");
        }
        Map<String, Object> sm = Values.map(v);
        if (sm == null) {
            if (v != null) {
                warnings.add("slots: expected a mapping of slot name to its definition; ignored");
            }
            return Map.of();
        }
        Map<String, SlotSpec> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : sm.entrySet()) {
            String name = e.getKey();
            if (!SLOT_NAME.matcher(name).matches()) {
                warnings.add("slots." + name + ": slot names must match ^[a-z0-9_]{1,63}$; ignored");
                continue;
            }
            Map<String, Object> def = Values.map(e.getValue());
            if (e.getValue() != null && def == null) {
                warnings.add("slots." + name + ": expected a mapping or null; ignored");
                continue;
            }
            String type = def == null || def.get("type") == null ? SlotSpec.PHYSICAL : def.get("type").toString();
            if (SlotSpec.LOGICAL.equals(type)) {
                String db = Values.str(def, "database");
                String plugin = Values.str(def, "plugin");
                if (db == null || plugin == null) {
                    warnings.add("slots." + name + ": a logical slot needs database and plugin; ignored");
                    continue;
                }
                out.put(name, new SlotSpec(name, type, db, plugin));
            } else if (SlotSpec.PHYSICAL.equals(type)) {
                out.put(name, new SlotSpec(name, type, null, null));
            } else {
                warnings.add("slots." + name + ".type: '" + type + "' is not physical or logical; ignored");
            }
        }
        return out;
    }

    private static List<Map<String, String>> ignoreSlots(Object v, List<String> warnings) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            warnings.add("ignore_slots: expected a list of matchers; ignored");
            return List.of();
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (Object o : l) {
            Map<String, Object> mm = Values.map(o);
            if (mm == null || mm.get("name") == null && mm.get("type") == null && mm.get("database") == null
                    && mm.get("plugin") == null) {
                warnings.add("ignore_slots: entry '" + o + "' has none of name, type, database, plugin; ignored");
                continue;
            }
            Map<String, String> matcher = new LinkedHashMap<>();
            for (String k : List.of("name", "type", "database", "plugin")) {
                if (mm.get(k) != null) {
                    matcher.put(k, mm.get(k).toString());
                }
            }
            out.add(matcher);
        }
        return out;
    }
}
