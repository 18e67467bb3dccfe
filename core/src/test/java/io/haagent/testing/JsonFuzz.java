package io.haagent.testing;

import io.haagent.config.DynamicConfigRules;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded generator of hostile JSON-like values for fuzz tests: objects shaped like the cluster configuration (its
 * keys, near misses of them, GUC names) holding values of every type, edge numbers, and strings with line feeds,
 * NULs, quotes, escapes and non-ASCII text. The same seed gives the same value, so a failure names its seed and
 * replays.
 *
 * <p>jqwik 1.10.1 resolves here, but a seeded generator keeps the budget fixed and the replay explicit, and needs
 * no second test engine in every module.
 */
public final class JsonFuzz {
    private static final String[] NASTY = {"", " ", "\n", "\r\n", "\u0000", "'", "''", "\\", "\\n", "\"", "#",
        "=", "include '/etc/passwd'", "fsync = off", "\u2028", "\u001b[31m", "é", "𝄞", "%s%n", "${jndi:x}", "true",
        "off", "30", "-1", "1e12", "NaN", "null", "../../etc", "pg1", "pg1\nERROR forged"};
    private static final String[] GUCS = {"work_mem", "max_connections", "wal_level", "hot_standby",
        "max_wal_senders", "wal_keep_size", "shared_buffers", "hba_file", "data_directory", "include", "port",
        "listen_addresses", "primary_conninfo", "auto_explain.log_min_duration", "track_commit_timestamp"};
    private static final Object[] NUMBERS = {0, 1, -1, 2, 3, 19, 20, 25, 30, 86400, 86401, 262143, 262144,
        Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 0.5, 1.0e12, -0.0, 1e300,
        new BigInteger("100000000000000000000000")};

    private final SplittableRandom random;

    public JsonFuzz(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    public <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    /** A configuration-shaped object: mostly known keys, some near misses and unknown ones, any values. */
    public Map<String, Object> config(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            String k = key(DynamicConfigRules.TOP);
            switch (k) {
                case "postgresql" -> m.put(k, chance(80) ? postgresql(depth) : value(depth));
                case "standby_cluster" -> m.put(k, chance(70) ? section(DynamicConfigRules.STANDBY_CLUSTER, depth)
                        : value(depth));
                case "slots" -> m.put(k, chance(70) ? slots(depth) : value(depth));
                default -> m.put(k, value(depth));
            }
        }
        return m;
    }

    private Map<String, Object> postgresql(int depth) {
        Map<String, Object> pg = section(DynamicConfigRules.POSTGRESQL, depth);
        if (chance(70)) {
            Map<String, Object> params = new LinkedHashMap<>();
            int n = random.nextInt(5);
            for (int i = 0; i < n; i++) {
                params.put(chance(80) ? GUCS[random.nextInt(GUCS.length)] : string(), scalar());
            }
            pg.put("parameters", params);
        }
        return pg;
    }

    private Map<String, Object> slots(int depth) {
        Map<String, Object> s = new LinkedHashMap<>();
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            s.put(chance(70) ? "slot_" + i : string(), chance(30) ? null
                    : section(DynamicConfigRules.SLOT, depth));
        }
        return s;
    }

    private Map<String, Object> section(List<String> keys, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            m.put(key(keys), value(depth - 1));
        }
        return m;
    }

    private String key(List<String> known) {
        int r = random.nextInt(10);
        if (r < 7) {
            return known.get(random.nextInt(known.size()));
        }
        if (r < 9) {
            String k = known.get(random.nextInt(known.size()));
            return k.substring(0, Math.max(1, k.length() - 1)); // a near miss
        }
        return string();
    }

    /** Any JSON value, nested up to {@code depth}. */
    public Object value(int depth) {
        int r = random.nextInt(depth <= 0 ? 6 : 8);
        switch (r) {
            case 6:
                Map<String, Object> m = new LinkedHashMap<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    m.put(string(), value(depth - 1));
                }
                return m;
            case 7:
                List<Object> l = new ArrayList<>();
                int k = random.nextInt(4);
                for (int i = 0; i < k; i++) {
                    l.add(value(depth - 1));
                }
                return l;
            default:
                return scalar();
        }
    }

    public Object scalar() {
        switch (random.nextInt(6)) {
            case 0:
                return null;
            case 1:
                return random.nextBoolean();
            case 2:
            case 3:
                return NUMBERS[random.nextInt(NUMBERS.length)];
            default:
                return string();
        }
    }

    public String string() {
        StringBuilder b = new StringBuilder();
        int parts = 1 + random.nextInt(3);
        for (int i = 0; i < parts; i++) {
            if (chance(60)) {
                b.append(NASTY[random.nextInt(NASTY.length)]);
            } else {
                int len = random.nextInt(12);
                for (int j = 0; j < len; j++) {
                    b.append((char) (chance(90) ? 'a' + random.nextInt(26) : random.nextInt(0x3000)));
                }
            }
        }
        return b.toString();
    }
}
