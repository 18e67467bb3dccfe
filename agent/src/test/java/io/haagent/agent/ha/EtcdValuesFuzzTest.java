package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.ConfigRejection;
import io.haagent.cluster.ClusterView;
import io.haagent.config.DynamicConfigRules;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.codec.ClusterCodec;
import io.haagent.dcs.codec.GarbageLog;
import io.haagent.dcs.codec.RawKey;
import io.haagent.ha.Action;
import io.haagent.ha.Decision;
import io.haagent.ha.HaDecider;
import io.haagent.ha.HaFixture;
import io.haagent.ha.HaInput;
import io.haagent.ha.LockStatus;
import io.haagent.rest.status.Json;
import io.haagent.testing.JsonFuzz;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz (seeded, fixed budget, run in CI): hostile values in every key of the cluster's prefix go through what one HA
 * cycle does with them: the codec, the configuration gate and the decider, for a leader, a replica and a node that
 * holds the lock. Nothing throws (the loop never dies of one bad value), the configuration in force is always one the
 * validation accepts (or the refused one read leniently when nothing valid was ever seen, and said so), and the
 * decider never writes a configuration the validation refuses.
 */
class EtcdValuesFuzzTest {
    static final int CASES = 3000;
    private static final DcsKeys KEYS = DcsKeys.of("/service", "batman");
    private static final List<String> SINGLE = List.of(DcsKeys.INITIALIZE, DcsKeys.CONFIG, DcsKeys.LEADER,
            DcsKeys.STATUS, DcsKeys.LEADER_OPTIME, DcsKeys.FAILOVER, DcsKeys.SYNC, DcsKeys.HISTORY, DcsKeys.FAILSAFE);

    @Test
    void hostileEtcdValuesNeverStopACycleNorPutAnInvalidConfigurationInForce() {
        HaDecider decider = new HaDecider();
        GarbageLog garbage = new GarbageLog();
        List<String> problems = new ArrayList<>();
        int rejected = 0;
        for (long seed = 1; seed <= CASES; seed++) {
            JsonFuzz f = new JsonFuzz(seed);
            List<RawKey> keys = keys(f, seed);
            try {
                ClusterView raw = ClusterCodec.decode(KEYS, keys, 1000 + seed, garbage);
                ConfigGate gate = new ConfigGate(f.chance(50) ? Map.of("ttl", 30, "loop_wait", 10) : Map.of());
                ClusterView inForce = gate.admit(raw);
                ConfigRejection r = gate.rejection();
                if (r != null) {
                    rejected++;
                }
                if (inForce.config() != null && !inForce.config().isEmpty()
                        && !DynamicConfigRules.errors(inForce.config().data()).isEmpty()
                        && (r == null || r.keptRevision() != -1)) {
                    problems.add("seed " + seed + ": an invalid configuration is in force without being reported");
                }
                for (HaFixture node : List.of(HaFixture.node("pg1").local(l -> l.primary()),
                        HaFixture.node("pg2"), HaFixture.node("pg1").lock(LockStatus.HELD).local(l -> l.primary()))) {
                    Decision d = decide(decider, node.input(), inForce);
                    for (Action a : d.actions()) {
                        if (a instanceof Action.WriteConfig w && !DynamicConfigRules.errors(w.config()).isEmpty()) {
                            problems.add("seed " + seed + ": the decider writes an invalid configuration " + w);
                        }
                    }
                }
            } catch (RuntimeException | StackOverflowError e) {
                problems.add("seed " + seed + ": " + e + " on " + keys);
            }
        }
        System.out.printf("EtcdValuesFuzzTest: %d clusters of hostile keys, %d with a refused config key%n", CASES,
                rejected);
        assertThat(problems).isEmpty();
        assertThat(rejected).isBetween(CASES / 20, CASES - CASES / 20);
    }

    private static Decision decide(HaDecider decider, HaInput fixture, ClusterView view) {
        HaInput in = new HaInput(fixture.self(), view, null, fixture.lock(), fixture.local(), null, null,
                fixture.memory(), null, null, null, fixture.nowNanos(), fixture.now());
        for (int i = 0; i < 4; i++) {
            Decision.Outcome out = decider.decide(in);
            if (out.decision() != null) {
                return out.decision();
            }
            in = out.failsafeCheckNeeded() ? in.withFailsafeTopologyOk(false) : in.withPeers(Map.of());
        }
        throw new AssertionError("the decider kept asking for more input");
    }

    /** The prefix's keys: each absent, plausible, or hostile; members with plausible and hostile names. */
    private static List<RawKey> keys(JsonFuzz f, long seed) {
        List<RawKey> out = new ArrayList<>();
        long rev = 1;
        for (String k : SINGLE) {
            if (f.chance(30)) {
                continue;
            }
            out.add(new RawKey(k, value(f, k), rev++, f.chance(20) ? 0 : 77));
        }
        int members = f.nextInt(5);
        for (int i = 0; i < members; i++) {
            String name = f.chance(70) ? "pg" + (i + 1) : f.string();
            out.add(new RawKey(DcsKeys.MEMBERS + name, value(f, "member"), rev++, f.chance(20) ? 0 : 77 + i));
        }
        return out;
    }

    private static String value(JsonFuzz f, String key) {
        int kind = f.nextInt(10);
        if (kind < 2) {
            return f.string();
        }
        if (kind < 4) {
            return json(f.value(3));
        }
        if (kind == 4) {
            return "x".repeat(f.nextInt(200_000));
        }
        return switch (key) {
            case DcsKeys.CONFIG -> json(f.config(3));
            case DcsKeys.LEADER -> f.pick(List.of("pg1", "pg2", "pg3", "ghost", "", "pg1\nERROR forged"));
            case DcsKeys.INITIALIZE -> f.pick(List.of("7300000000000000001", "", "not-a-sysid"));
            case "member" -> json(Map.of("conn_url", f.pick(List.of("postgres://127.0.0.11:5432/postgres", "garbage",
                    "")), "api_url", f.pick(List.of("http://127.0.0.11:8008/patroni", "::::")), "state",
                    f.pick(List.of("running", "stopped", "x")), "role", f.pick(List.of("master", "replica", "?")),
                    "xlog_location", f.scalar() == null ? 0 : f.pick(List.of(1, -1, Long.MAX_VALUE, "x")),
                    "tags", f.chance(50) ? Map.of("nofailover", f.scalar() == null ? true : "x") : "tags"));
            case DcsKeys.FAILOVER -> json(Map.of("leader", f.pick(List.of("pg1", "pg9")), "member",
                    f.pick(List.of("pg2", "pg1", "")), "scheduled_at", f.pick(List.of("2030-01-01T00:00:00+00:00",
                    "yesterday", ""))));
            case DcsKeys.SYNC -> json(Map.of("leader", f.pick(List.of("pg1", "pg2")), "sync_standby",
                    f.pick(List.of("pg2", "pg2,pg3", "")), "quorum", f.pick(List.of(0, -1, "x"))));
            case DcsKeys.HISTORY -> json(List.of(List.of(1, f.pick(List.of(33554432, -1, "x")), "reason")));
            case DcsKeys.STATUS -> json(Map.of("optime", f.pick(List.of(33554432, -5, "x")), "slots",
                    f.chance(50) ? Map.of("pg2", 1) : List.of()));
            default -> json(f.value(2));
        };
    }

    private static String json(Object v) {
        return new String(Json.bytes(v), StandardCharsets.UTF_8);
    }
}
