package io.haagent.rest.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Every path × role (primary, replica, standby leader, uninitialized) × state (running, stopped, starting, crashed)
 * × lock belief × pause × fresh/stale view × standby cluster × sync membership × stepping down × query parameters,
 * against the table of §2.3 written out as data: for each path pattern, the condition for 200 and whether tag
 * filters apply. One deliberate difference from §2.3 (issue 17): with the lock, /primary needs postgres to be the
 * primary (a primary's role, the node not stepping down).
 */
class HealthRulesMatrixTest {

    static final List<String> PATHS = List.of("/", "/primary", "/master", "/read-write", "/leader", "/standby-leader",
            "/standby_leader", "/replica", "/read-only", "/sync", "/synchronous", "/async", "/asynchronous",
            "/read-only-sync", "/read-only-synchronous", "/health", "/unknown", "/replica/extra");
    static final List<String> ROLES = List.of("master", "replica", "standby_leader", "uninitialized");
    static final List<String> STATES = List.of("running", "stopped", "starting", "crashed");
    static final long OPTIME = 10L << 20;
    static final long REPLAYED = 9L << 20;

    /** Query parameter sets: none, a lag the replica meets, one it does not, a matching and a mismatching tag. */
    static final List<Map<String, List<String>>> QUERIES = List.of(
            Map.of(),
            Map.of("lag", List.of("2MB")),
            Map.of("lag", List.of("512kB")),
            Map.of("tag_zone", List.of("east")),
            Map.of("tag_zone", List.of("west")));

    /** One row of §2.3: paths it covers, when it answers 200, and whether tag filters apply. */
    record Row(Predicate<String> path, Predicate<Ok> passes, boolean tagFiltered) {
    }

    /** The booleans §2.3 computes before looking at the path. */
    record Ok(boolean leader, boolean primary, boolean standbyLeader, boolean replica, boolean running,
            boolean fresh, boolean sync) {
    }

    static final List<Row> TABLE = List.of(
            new Row(p -> p.contains("standby_leader") || p.contains("standby-leader"), Ok::standbyLeader, false),
            new Row(p -> p.contains("leader"), Ok::leader, false),
            new Row(p -> p.contains("master") || p.contains("primary") || p.contains("read-write"), Ok::primary, false),
            new Row(p -> p.contains("replica"), Ok::replica, true),
            new Row(p -> p.contains("read-only") && !p.contains("sync"),
                    o -> o.primary() || o.standbyLeader() || o.replica(), true),
            new Row(p -> p.contains("health"), Ok::running, true),
            new Row(p -> p.equals("/sync") || p.equals("/synchronous"), o -> o.fresh() && o.sync() && o.replica(), true),
            new Row(p -> p.equals("/async") || p.equals("/asynchronous"),
                    o -> o.fresh() && !o.sync() && o.replica(), true),
            new Row(p -> p.equals("/read-only-sync") || p.equals("/read-only-synchronous"),
                    o -> o.fresh() && (o.primary() || o.standbyLeader() || (o.sync() && o.replica())), true),
            new Row(p -> true, o -> false, true));

    @Test
    void everyCombinationAnswersAsTheTableSays() {
        int cases = 0;
        List<String> failures = new ArrayList<>();
        Tags tags = new Tags(Map.of("zone", "east"));
        for (String path : PATHS) {
            for (String role : ROLES) {
                for (String state : STATES) {
                    for (boolean lock : new boolean[] {true, false}) {
                        for (boolean paused : new boolean[] {true, false}) {
                            for (boolean fresh : new boolean[] {true, false}) {
                                for (boolean standby : new boolean[] {true, false}) {
                                    for (boolean sync : new boolean[] {true, false}) {
                                        for (boolean steppingDown : new boolean[] {true, false}) {
                                        for (Map<String, List<String>> q : QUERIES) {
                                            boolean writable = "master".equals(role) && !steppingDown;
                                            HealthFacts f = new HealthFacts(role, state,
                                                    "replica".equals(role) ? REPLAYED : 0, tags, fresh,
                                                    fresh ? OPTIME : 0, lock, standby, paused, sync, writable);
                                            int expected = expected(path, q, f);
                                            int actual = HealthRules.status(path, q, f);
                                            cases++;
                                            if (actual != expected) {
                                                failures.add(path + " " + q + " " + f + ": expected " + expected
                                                        + ", got " + actual);
                                            }
                                        }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(cases).isEqualTo(PATHS.size() * ROLES.size() * STATES.size() * 64 * QUERIES.size());
        assertThat(failures).as("%d of %d combinations differ", failures.size(), cases).isEmpty();
    }

    /** §2.3 read as a specification, independently of the implementation's control flow. */
    static int expected(String rawPath, Map<String, List<String>> query, HealthFacts f) {
        String path = "/".equals(rawPath) ? "/primary" : rawPath;
        long lag = switch (query.getOrDefault("lag", List.of("none")).get(0)) {
            case "2MB" -> 2L << 20;
            case "512kB" -> 512L << 10;
            default -> Long.MAX_VALUE;
        };
        boolean lagging = f.leaderOptime() != 0 && f.leaderOptime() - f.replayedLocation() > lag;
        boolean replica = !f.tags().noloadbalance() && !lagging && f.role().equals("replica")
                && f.state().equals("running");
        boolean leader;
        boolean primary;
        boolean standbyLeader;
        if (!f.clusterFresh() && f.paused()) {
            primary = f.role().equals("master");
            standbyLeader = f.role().equals("standby_leader");
            leader = primary || standbyLeader;
        } else if (f.holdsLeaderLock() && f.standbyCluster()) {
            leader = true;
            primary = false;
            replica = false;
            standbyLeader = f.role().equals("replica") || f.role().equals("standby_leader");
        } else if (f.holdsLeaderLock()) {
            leader = true;
            primary = f.role().equals("master") && f.writable();
            standbyLeader = false;
        } else {
            leader = primary = standbyLeader = false;
        }
        Ok ok = new Ok(leader, primary, standbyLeader, replica, f.state().equals("running"), f.clusterFresh(),
                f.syncStandby());
        for (Row row : TABLE) {
            if (row.path().test(path)) {
                boolean pass = row.passes().test(ok);
                if (pass && row.tagFiltered()) {
                    List<String> zone = query.get("tag_zone");
                    pass = zone == null || zone.get(0).equals(f.tags().get("zone"));
                }
                return pass ? 200 : 503;
            }
        }
        throw new AssertionError("the table's last row matches every path");
    }

    @Test
    void tagFilterComparesNonStringValuesAsLowercaseText() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("flag", Boolean.TRUE);
        t.put("n", 3);
        HealthFacts f = new HealthFacts("replica", "running", 0, new Tags(t), true, 0, false, false, false, false,
                false);
        assertThat(HealthRules.status("/replica", Map.of("tag_flag", List.of("true")), f)).isEqualTo(200);
        assertThat(HealthRules.status("/replica", Map.of("tag_flag", List.of("True")), f)).isEqualTo(503);
        assertThat(HealthRules.status("/replica", Map.of("tag_n", List.of("3")), f)).isEqualTo(200);
        assertThat(HealthRules.status("/replica", Map.of("other", List.of("x")), f)).isEqualTo(200);
    }
}
