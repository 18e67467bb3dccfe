package io.haagent.rest.http;

import static io.haagent.rest.RestApiHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.ActionOutcome;
import io.haagent.api.FakeNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RestartRequest;
import io.haagent.api.SnapshotFixtures;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.config.DynamicConfig;
import io.haagent.dcs.Dcs;
import io.haagent.rest.RestApiHarness;
import io.haagent.rest.RestApiOptions;
import io.haagent.time.Clock;
import io.haagent.time.FakeClock;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every write endpoint over real HTTP: Patroni's validation order, codes and messages, and what reaches the agent. */
class WriteEndpointsHttpTest {
    private RestApiHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private RestApiHarness start(NodeSnapshot snapshot, ClusterView etcd, Clock clock) {
        h = new RestApiHarness(RestApiHarness.config(), snapshot, new FakeNodeActions(etcd), clock,
                RestApiOptions.DEFAULTS.withFailoverPollInterval(Duration.ofMillis(10)).withMaxBodyBytes(4096));
        return h;
    }

    private RestApiHarness primary() {
        return start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()), SnapshotFixtures.threeMembers(), Clock.SYSTEM);
    }

    private static ClusterView withConfig(Map<String, Object> extra) {
        Map<String, Object> cfg = new LinkedHashMap<>(SnapshotFixtures.dynamicConfigJson());
        cfg.putAll(extra);
        return SnapshotFixtures.threeMembers(cfg);
    }

    /** The {@code path: reason} lines of a 400 answer's JSON body. */
    @SuppressWarnings("unchecked")
    static List<String> problems(HttpResponse<String> r) {
        Map<String, Object> body = json(r);
        return ((List<Map<String, Object>>) body.get("problems")).stream()
                .map(p -> p.get("path") + ": " + p.get("reason")).toList();
    }

    private static void assertAnswer(HttpResponse<String> r, int status, String body) {
        assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.body()).isEqualTo(body);
    }

    @Nested
    class Bodies {
        @Test
        void aRequiredBodyMustBeANonEmptyJsonObject() {
            primary();
            assertAnswer(h.request("POST", "/failover", ""), 400, "request body is empty: a JSON object is required");
            assertAnswer(h.request("POST", "/failover", "{}"), 400,
                    "request body is an empty JSON object: at least one field is required");
            assertAnswer(h.request("POST", "/failover", "[\"pg2\"]"), 400,
                    "request body must be a JSON object, got an array");
            assertAnswer(h.request("PATCH", "/config", "\"ttl\""), 400, "request body must be a JSON object, got a string");
            assertThat(h.request("PATCH", "/config", "{\"ttl\": 20,}").body())
                    .startsWith("request body is not valid JSON at line 1, column 12: Unexpected character");
            assertThat(h.request("PATCH", "/config", "{\"ttl\": 20, \"ttl\": 30}").body())
                    .startsWith("request body is not valid JSON").contains("Duplicate field 'ttl'");
            assertThat(h.actions.configWrites()).isEmpty();
        }

        @Test
        void aBodyWithoutContentLengthIs411AndAnOversizedOne413() {
            primary();
            HttpRequest chunked = HttpRequest.newBuilder(h.uri("/switchover")).POST(HttpRequest.BodyPublishers
                    .ofInputStream(() -> new ByteArrayInputStream("{\"leader\":\"pg1\"}".getBytes()))).build();
            HttpResponse<String> r = h.send(chunked);
            assertThat(r.statusCode()).isEqualTo(411);
            assertThat(r.body()).startsWith("a Content-Length header is required");
            HttpResponse<String> big = h.request("PUT", "/config", "{\"x\":\"" + "a".repeat(5000) + "\"}");
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(big.body()).isEqualTo("request body too large: 5008 bytes, the limit is 4096 bytes");
            // An optional body may be absent altogether.
            assertThat(h.send(HttpRequest.newBuilder(h.uri("/reinitialize")).POST(HttpRequest.BodyPublishers
                    .ofInputStream(() -> new ByteArrayInputStream(new byte[0]))).build()).statusCode()).isEqualTo(200);
        }

        @Test
        void unknownEndpointsAndMethodsAre501() {
            primary();
            assertThat(h.request("POST", "/nothing", "{}").statusCode()).isEqualTo(501);
            assertThat(h.request("PUT", "/restart", "{}").statusCode()).isEqualTo(501);
            assertThat(h.request("DELETE", "/config", null).statusCode()).isEqualTo(501);
            HttpResponse<String> trace = h.request("TRACE", "/patroni", null);
            assertThat(trace.statusCode()).isEqualTo(501);
            assertThat(trace.body()).isEqualTo("Unsupported method ('TRACE') for /patroni");
        }
    }

    @Nested
    class Config {
        @Test
        void patchMergesWritesWithCasAndWakesTheLoop() {
            primary();
            HttpResponse<String> r = h.request("PATCH", "/config",
                    "{\"ttl\":40,\"postgresql\":{\"parameters\":{\"max_connections\":\"101\"}},\"pause\":null}");
            assertThat(r.statusCode()).isEqualTo(200);
            Map<String, Object> expected = SnapshotFixtures.dynamicConfigJson();
            expected.put("ttl", 40);
            @SuppressWarnings("unchecked")
            Map<String, Object> pg = (Map<String, Object>) expected.get("postgresql");
            pg.put("parameters", Map.of("max_connections", "101"));
            assertThat(json(r)).isEqualTo(expected);
            assertThat(h.actions.configWrites()).containsExactly(expected);
            assertThat(h.actions.wakeUps()).isEqualTo(1);
            assertThat(h.actions.readCluster().config().data()).isEqualTo(expected);
        }

        @Test
        void patchWithoutChangeDoesNotWrite() {
            primary();
            assertThat(h.request("PATCH", "/config", "{\"ttl\":\"30\"}").statusCode()).isEqualTo(200);
            assertThat(h.actions.configWrites()).isEmpty();
            assertThat(h.actions.wakeUps()).isEqualTo(1);
        }

        @Test
        void patchLosingTheCasRaceIs409() {
            primary();
            // Another writer changes the config between our read and our write.
            h.actions.onClusterRead(() -> {
                h.actions.onClusterRead(() -> { });
                h.actions.writeConfig(Map.of("ttl", 40), Dcs.ANY_REVISION);
            });
            HttpResponse<String> r = h.request("PATCH", "/config", "{\"loop_wait\":5}");
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(h.actions.readCluster().config().data()).isEqualTo(Map.of("ttl", 40));
        }

        @Test
        void patchNeedsAConfigKey() {
            ClusterView base = SnapshotFixtures.threeMembers();
            ClusterView none = new ClusterView(base.initialize(), null, base.leader(), base.status(), base.members(),
                    null, null, null, null, 3);
            start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()), none, Clock.SYSTEM);
            assertThat(h.request("PATCH", "/config", "{\"ttl\":40}").statusCode()).isEqualTo(503);
        }

        /** Issue 18, defect 1: a line feed in a parameter's value or name wrote extra lines into postgresql.conf. */
        @Test
        void injectionIntoPostgresqlConfIsRefusedAndNothingIsWritten() {
            primary();
            HttpResponse<String> value = h.request("PATCH", "/config",
                    "{\"postgresql\":{\"parameters\":{\"work_mem\":\"4MB\\nfsync = off\"}}}");
            assertThat(value.statusCode()).isEqualTo(400);
            assertThat(value.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(RestApiHarness.jsonValue(value)).isEqualTo(Map.of(
                    "error", "the configuration is not valid (postgresql.parameters.work_mem: the value holds a"
                            + " control character (a line feed at position 3): postgresql.conf cannot carry it);"
                            + " nothing was written",
                    "problems", List.of(Map.of("path", "postgresql.parameters.work_mem", "reason", "the value holds"
                            + " a control character (a line feed at position 3): postgresql.conf cannot carry it"))));
            HttpResponse<String> name = h.request("PUT", "/config",
                    "{\"postgresql\":{\"parameters\":{\"x\\nshared_preload_libraries\":\"evil\"}}}");
            assertThat(name.statusCode()).isEqualTo(400);
            assertThat(problems(name)).containsExactly("postgresql.parameters.x\\nshared_preload_libraries: the"
                    + " parameter name holds a control character (a line feed)");
            assertThat(problems(h.request("PATCH", "/config",
                    "{\"postgresql\":{\"parameters\":{\"hba_file\":\"/etc/passwd\",\"data_directory\":\"/tmp\"}}}")))
                    .containsExactly("postgresql.parameters.hba_file: cannot be set cluster-wide: it is a path on each"
                            + " node; write the lines in postgresql.pg_hba, or set it in a node's own"
                            + " postgresql.parameters", "postgresql.parameters.data_directory: cannot be set: each"
                            + " node's data directory and configuration file come from its postgresql.data_dir and"
                            + " config_dir");
            assertThat(h.actions.configWrites()).isEmpty();
        }

        /** Issue 18, defect 3: values agentctl refuses and the nodes would replace by others were stored. */
        @Test
        void valuesTheNodesWouldNotRunAsWrittenAreRefused() {
            primary();
            Map<String, String> cases = new LinkedHashMap<>();
            cases.put("{\"ttl\":-1}", "ttl: must be an integer from 20 to 86400 (seconds), not -1");
            cases.put("{\"ttl\":0}", "ttl: must be an integer from 20 to 86400 (seconds), not 0");
            cases.put("{\"ttl\":1e12}", "ttl: must be an integer from 20 to 86400 (seconds), not 1.0E12");
            cases.put("{\"loop_wait\":40}", "loop_wait: loop_wait 40 is not below ttl 30: a leader would lose its"
                    + " lock between two cycles; lower loop_wait or raise ttl");
            cases.put("{\"retry_timeout\":-3}", "retry_timeout: must be an integer from 3 to 86400 (seconds), not -3");
            cases.put("{\"postgresql\":{\"parameters\":{\"wal_level\":\"minimal\"}}}",
                    "postgresql.parameters.wal_level: must be one of replica, logical, hot_standby (replicas need at"
                            + " least replica), not 'minimal'");
            cases.put("{\"postgresql\":{\"parameters\":{\"max_connections\":-5}}}",
                    "postgresql.parameters.max_connections: must be an integer from 25 to 262143, not '-5'");
            cases.put("{\"postgresql\":{\"parameters\":{\"max_connections\":\"abc\"}}}",
                    "postgresql.parameters.max_connections: must be an integer from 25 to 262143, not 'abc'");
            cases.put("{\"tll\":30}", "tll: unknown key; did you mean ttl?");
            cases.put("{\"standby_cluster\":{\"host\":5}}", "standby_cluster.host: must be a string, not a number 5");
            cases.put("{\"loop_wait\":\"often\"}", "loop_wait: must be an integer from 1 to 86400 (seconds), not"
                    + " 'often'");
            for (Map.Entry<String, String> c : cases.entrySet()) {
                HttpResponse<String> r = h.request("PATCH", "/config", c.getKey());
                assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
                assertThat(problems(r)).as(c.getKey()).containsExactly(c.getValue());
            }
            HttpResponse<String> put = h.request("PUT", "/config", "{\"foo\":\"bar\"}");
            assertThat(put.statusCode()).isEqualTo(400);
            assertThat(problems(put)).singleElement().asString().startsWith("foo: unknown key; the keys known here are");
            assertThat(h.request("PUT", "/config", "{\"postgresql\":{\"use_slots\":\"sometimes\"}}").statusCode())
                    .isEqualTo(400);
            assertThat(h.actions.configWrites()).isEmpty();
            assertThat(h.actions.readCluster().config().data()).isEqualTo(SnapshotFixtures.dynamicConfigJson());
        }

        /** A PATCH is checked as merged: an error already stored is named, and the PATCH does not store it again. */
        @Test
        void aPatchOverAnInvalidStoredConfigurationNamesTheStoredError() {
            start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()), withConfig(Map.of("ttl", 0)), Clock.SYSTEM);
            HttpResponse<String> r = h.request("PATCH", "/config", "{\"pause\":true}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(problems(r)).containsExactly("ttl: must be an integer from 20 to 86400 (seconds), not 0");
            assertThat(h.request("PATCH", "/config", "{\"pause\":true,\"ttl\":30}").statusCode()).isEqualTo(200);
        }

        @Test
        void putReplacesUnconditionallyOnlyWhenDifferent() {
            primary();
            assertThat(h.request("PUT", "/config", "{\"ttl\":30,\"loop_wait\":10}").body())
                    .isEqualTo("{\"ttl\":30,\"loop_wait\":10}");
            assertThat(h.actions.configWrites()).containsExactly(Map.of("ttl", 30, "loop_wait", 10));
            assertThat(h.request("PUT", "/config", "{\"ttl\":\"30\",\"loop_wait\":10}").statusCode()).isEqualTo(200);
            assertThat(h.actions.configWrites()).hasSize(1);
        }

        @Test
        void putThatCannotBeWrittenIs502() {
            primary();
            h.actions.onClusterRead(() -> h.actions.etcdReachable(false));
            assertAnswer(h.request("PUT", "/config", "{\"ttl\":35}"), 502,
                    "failed to write the configuration into etcd");
            h.actions.onClusterRead(() -> { });
            assertThat(h.request("PUT", "/config", "{\"ttl\":35}").body()).startsWith("DCS is not accessible");
        }
    }

    @Nested
    class ReloadAndRestart {
        @Test
        void reloadIsScheduled() {
            primary();
            assertAnswer(h.request("POST", "/reload", null), 202, "reload scheduled");
            assertThat(h.actions.reloads()).isEqualTo(1);
        }

        @Test
        void immediateRestartWaitsForTheAgent() {
            primary();
            assertAnswer(h.request("POST", "/restart", null), 200, "restarted successfully");
            assertAnswer(h.request("POST", "/restart", "{\"role\":\"replica\",\"restart_pending\":true}"), 200,
                    "restarted successfully");
            assertThat(h.actions.restarts()).containsExactly(RestartRequest.IMMEDIATE,
                    new RestartRequest(null, "replica", null, true, null));
            h.actions.onRestart(r -> ActionOutcome.refused("restart conditions are not satisfied"));
            assertAnswer(h.request("POST", "/restart", "{\"role\":\"replica\"}"), 503,
                    "restart conditions are not satisfied");
            h.actions.onRestart(r -> {
                throw new IllegalStateException("boom");
            });
            assertAnswer(h.request("POST", "/restart", "{}"), 400, "restart failed");
        }

        @Test
        void scheduledRestartCanBeCancelled() {
            primary();
            String at = OffsetDateTime.now().plusHours(1).withNano(0).toString();
            assertAnswer(h.request("POST", "/restart", "{\"schedule\":\"" + at + "\",\"postgres_version\":\"16.1\"}"),
                    202, "Restart scheduled");
            assertThat(h.actions.scheduledRestart()).isEqualTo(new RestartRequest(OffsetDateTime.parse(at), null,
                    "16.1", false, null));
            assertAnswer(h.request("POST", "/restart", "{\"schedule\":\"" + at + "\"}"), 409,
                    "Another restart is already scheduled");
            assertAnswer(h.request("DELETE", "/restart", null), 200, "scheduled restart deleted");
            assertAnswer(h.request("DELETE", "/restart", null), 404, "no restarts are scheduled");
        }

        @Test
        void restartValidationAsPatroni() {
            start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()).toBuilder()
                    .dynamic(DynamicConfig.from(Map.of("pause", true))).build(), SnapshotFixtures.threeMembers(),
                    Clock.SYSTEM);
            assertAnswer(h.request("POST", "/restart", "{\"schedule\":\"2030-01-01T00:00:00Z\"}"), 500,
                    "Can't schedule restart in the paused state");
            assertThat(h.request("POST", "/restart", "{\"role\":\"primary\",\"bogus\":1}").body())
                    .isEqualTo("Unknown filter for the scheduled restart: bogus");
            assertThat(h.request("POST", "/restart", "{\"timeout\":\"-1s\"}").statusCode()).isEqualTo(400);
            assertThat(h.request("POST", "/restart", "[]").statusCode()).isEqualTo(400);
            assertThat(h.actions.restarts()).isEmpty();
        }
    }

    @Nested
    class Reinitialize {
        @Test
        void startsOrSaysWhyNot() {
            primary();
            assertAnswer(h.request("POST", "/reinitialize", "{\"force\":true}"), 200, "reinitialize started");
            assertAnswer(h.request("POST", "/reinitialize", null), 200, "reinitialize started");
            assertThat(h.actions.reinitializations()).containsExactly(true, false);
            // Patroni 4.1's from_leader (patronictl reinit --from-leader sends it, with force, every time)
            assertAnswer(h.request("POST", "/reinitialize", "{\"force\":false,\"from_leader\":true}"), 200,
                    "reinitialize started");
            assertThat(h.actions.reinitializationsFromLeader()).containsExactly(false, false, true);
            h.actions.onReinitialize(f -> ActionOutcome.refused("I am the leader, can not reinitialize"));
            assertAnswer(h.request("POST", "/reinitialize", "{\"force\":true}"), 503,
                    "I am the leader, can not reinitialize");
            assertAnswer(h.request("POST", "/reinitialize", "{\"force\":\"very\"}"), 400,
                    "field 'force' must be a boolean, got a string: \"very\"");
            assertThat(h.request("POST", "/reinitialize", "{\"forse\":true}").body())
                    .isEqualTo("unknown field 'forse' in the reinitialize request: accepted fields are force, from_leader");
        }
    }

    @Nested
    class Failsafe {
        @Test
        void onlyWithFailsafeMode() {
            primary();
            assertThat(h.request("POST", "/failsafe", "{\"name\":\"pg1\"}").statusCode()).isEqualTo(502);
            assertThat(h.actions.heartbeats()).isEmpty();
        }

        @Test
        void acceptsThePrimarysHeartbeat() {
            NodeSnapshot s = SnapshotFixtures.replica(Clock.SYSTEM.nanoTime()).toBuilder()
                    .dynamic(DynamicConfig.from(Map.of("failsafe_mode", true))).build();
            start(s, SnapshotFixtures.threeMembers(), Clock.SYSTEM);
            String body = "{\"name\":\"pg1\",\"conn_url\":\"postgres://127.0.0.11:5432/postgres\","
                    + "\"api_url\":\"http://127.0.0.11:8008/patroni\",\"slots\":{\"s1\":1234}}";
            assertAnswer(h.request("POST", "/failsafe", body), 200, "Accepted");
            assertThat(h.actions.heartbeats().get(0).slots()).isEqualTo(Map.of("s1", 1234L));
            h.actions.onFailsafe(hb -> ActionOutcome.refused("Running as a leader"));
            assertAnswer(h.request("POST", "/failsafe", body), 500, "Running as a leader");
            assertAnswer(h.request("POST", "/failsafe", "{\"conn_url\":\"x\",\"api_url\":\"y\"}"), 400,
                    "field 'name' is required (the primary's member name)");
            assertAnswer(h.request("POST", "/failsafe", body.replace("1234", "\"x\"")), 400,
                    "field 'slots.s1' must be a non-negative integer LSN, got \"x\"");
        }
    }

    @Nested
    class FailoverAndSwitchover {
        @Test
        void patronisValidationMessages() {
            primary();
            assertAnswer(h.request("POST", "/failover", "{\"foo\":\"bar\"}"), 400,
                    "Failover could be performed only to a specific candidate");
            assertAnswer(h.request("POST", "/switchover", "{\"candidate\":\"pg2\"}"), 400,
                    "Switchover could be performed only from a specific leader");
            assertAnswer(h.request("POST", "/failover", "{\"candidate\":\"pg2\",\"scheduled_at\":\"2030-01-01T00:00Z\"}"),
                    400, "Failover can't be scheduled");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"candidate\":\"pg1\"}"), 400,
                    "Switchover target and source are the same");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg9\"}"), 412, "leader name does not match");
            assertAnswer(h.request("POST", "/failover", "{\"candidate\":\"pg9\"}"), 412, "candidate does not exists");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"scheduled_at\":\"2020-01-01T00:00Z\"}"),
                    422, "Cannot schedule switchover in the past (field 'scheduled_at': '2020-01-01T00:00Z')");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"scheduled_at\":\"2030-01-01 10:00\"}"),
                    400, "Timezone information is mandatory for the scheduled switchover (field 'scheduled_at':"
                            + " '2030-01-01 10:00')");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":7}"), 400,
                    "field 'leader' must be a string (the current leader's member name), got a number: 7");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"cancidate\":\"pg2\"}"), 400,
                    "unknown field 'cancidate' in the switchover request: accepted fields are leader, candidate,"
                            + " member, scheduled_at");
            assertThat(h.actions.failoverWrites()).isEmpty();
        }

        /**
         * POST /failover naming the leader: as in Patroni 4.1 (api.py {@code do_POST_failover}, ha.py "I am already the
         * leader, no need to failover"), the request is written, the leader clears it, and the answer is 503
         * "Failover failed"; never a refusal citing the leader's own position as lag.
         */
        @Test
        void aFailoverToTheLeaderItselfIsWrittenAndClearedAsInPatroni() {
            primary();
            h.actions.onFailoverWritten(r -> h.actions.failoverCleared());
            assertAnswer(h.request("POST", "/failover", "{\"candidate\":\"pg1\"}"), 503, "Failover failed");
            assertThat(h.actions.failoverWrites()).extracting(FailoverRequest::leader, FailoverRequest::candidate)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(null, "pg1"));
        }

        @Test
        void patronictlsShapeWithNullsIsAccepted() {
            primary();
            h.actions.onFailoverWritten(r -> h.actions.leaderIs("pg2"));
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"candidate\":\"pg2\",\"scheduled_at\":null}"),
                    200, "Successfully switched over to \"pg2\"");
            assertThat(h.actions.failoverWrites()).extracting(FailoverRequest::leader, FailoverRequest::candidate,
                    FailoverRequest::scheduledAt).containsExactly(org.assertj.core.groups.Tuple.tuple("pg1", "pg2", null));
            assertThat(h.actions.wakeUps()).isEqualTo(1);
        }

        @Test
        void immediateFailoverReportsTheWinner() {
            primary();
            h.actions.onFailoverWritten(r -> h.actions.leaderIs("pg2"));
            assertAnswer(h.request("POST", "/failover", "{\"candidate\":\"pg2\"}"), 200,
                    "Successfully failed over to \"pg2\"");
            h.actions.leaderIs("pg1");
            h.actions.onFailoverWritten(r -> h.actions.leaderIs("pg3"));
            assertAnswer(h.request("POST", "/failover", "{\"member\":\"pg2\"}"), 200,
                    "Failed over to \"pg3\" instead of \"pg2\"");
            // A failover naming the leader is a switchover (Patroni 3.3).
            h.actions.leaderIs("pg1");
            h.actions.onFailoverWritten(r -> h.actions.leaderIs("pg2"));
            assertAnswer(h.request("POST", "/failover", "{\"leader\":\"pg1\",\"candidate\":\"pg2\"}"), 200,
                    "Successfully switched over to \"pg2\"");
        }

        @Test
        void failedAndUnknownOutcomes() {
            FakeClock clock = new FakeClock();
            start(SnapshotFixtures.primary(clock.nanoTime()), SnapshotFixtures.threeMembers(), clock);
            h.actions.onFailoverWritten(r -> h.actions.failoverCleared());
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 503, "Switchover failed");
            // Nothing happens: after 2*max(10, loop_wait) = 20 s of polling the answer is "status unknown".
            h.actions.onFailoverWritten(r -> { });
            h.actions.onClusterRead(() -> clock.advance(Duration.ofSeconds(1)));
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 503, "Switchover status unknown");
            assertThat(h.actions.clusterReads()).isBetween(20, 25);
        }

        @Test
        void aFailoverKeyThatCannotBeWrittenIs503() {
            primary();
            h.actions.onClusterRead(() -> h.actions.etcdReachable(false));
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 503,
                    "failed to write failover key into DCS");
        }

        @Test
        void noGoodCandidatesSaysWhyForEachMember() {
            ClusterView base = SnapshotFixtures.threeMembers();
            List<Member> members = List.of(base.members().get(0),
                    base.members().get(1).toBuilder().tags(new Tags(Map.of("nofailover", true))).build(),
                    base.members().get(2));
            ClusterView c = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(), members,
                    null, null, base.history(), null, 30);
            start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()), c, Clock.SYSTEM);
            h.actions.rejectCandidate("pg3", "not reachable");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 412,
                    "switchover is not possible: no good candidates have been found\n"
                            + "pg2: not allowed to promote\npg3: not reachable");
            assertAnswer(h.request("POST", "/failover", "{\"candidate\":\"pg2\"}"), 412,
                    "failover is not possible: no good candidates have been found\npg2: not allowed to promote");
            assertThat(h.actions.candidateQueries()).containsExactly(List.of("pg2", "pg3"), List.of("pg2"));
            assertThat(h.actions.failoverWrites()).isEmpty();
        }

        @Test
        void aClusterWithOnlyTheLeader() {
            ClusterView base = SnapshotFixtures.threeMembers();
            ClusterView alone = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(),
                    List.of(base.members().get(0)), null, null, base.history(), null, 30);
            start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()), alone, Clock.SYSTEM);
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 412,
                    "switchover is not possible: cluster does not have members except leader");
        }

        @Test
        void synchronousModeLimitsCandidates() {
            ClusterView base = withConfig(Map.of("synchronous_mode", true));
            ClusterView sync = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(),
                    base.members(), null, new SyncState("pg1", List.of("pg3"), 4), base.history(), null, 30);
            start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()), sync, Clock.SYSTEM);
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"candidate\":\"pg2\"}"), 412,
                    "candidate name does not match with sync_standby");
            h.actions.onFailoverWritten(r -> h.actions.leaderIs("pg3"));
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 200,
                    "Successfully switched over to \"pg3\"");
            assertThat(h.actions.candidateQueries()).containsExactly(List.of("pg3"));
            // A failover (no leader named) may target an asynchronous replica.
            h.actions.leaderIs("pg1");
            h.actions.onFailoverWritten(r -> h.actions.leaderIs("pg2"));
            assertThat(h.request("POST", "/failover", "{\"candidate\":\"pg2\"}").statusCode()).isEqualTo(200);

            ClusterView noSync = new ClusterView(base.initialize(), base.config(), base.leader(), base.status(),
                    base.members(), null, new SyncState("pg1", List.of(), 4), base.history(), null, 31);
            h.actions.cluster(noSync);
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 412,
                    "switchover is not possible: can not find sync_standby");
        }

        @Test
        void pausedClusters() {
            ClusterView paused = withConfig(Map.of("pause", true));
            start(SnapshotFixtures.primary(Clock.SYSTEM.nanoTime()), paused, Clock.SYSTEM);
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"scheduled_at\":\"2030-01-01T00:00Z\"}"),
                    400, "Can't schedule switchover in the paused state");
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}"), 400,
                    "Switchover is possible only to a specific candidate in a paused state");
            h.actions.onFailoverWritten(r -> h.actions.leaderIs("pg2"));
            assertThat(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"candidate\":\"pg2\"}").statusCode())
                    .isEqualTo(200);
        }

        @Test
        void scheduledSwitchoverIsWrittenAndCanBeCancelled() {
            primary();
            assertAnswer(h.request("DELETE", "/switchover", null), 404, "no switchover is scheduled");
            String at = OffsetDateTime.now().plusHours(2).withNano(0).toString();
            assertAnswer(h.request("POST", "/switchover", "{\"leader\":\"pg1\",\"candidate\":\"pg3\",\"scheduled_at\":\""
                    + at + "\"}"), 202, "Switchover scheduled");
            FailoverRequest stored = h.actions.readCluster().failover();
            assertThat(stored.leader()).isEqualTo("pg1");
            assertThat(stored.candidate()).isEqualTo("pg3");
            assertThat(stored.scheduledAt()).isEqualTo(OffsetDateTime.parse(at));
            assertThat(h.actions.candidateQueries()).isEmpty();
            // /cluster shows it
            assertThat(json(h.get("/cluster")).get("scheduled_switchover")).isEqualTo(Map.of(
                    "at", io.haagent.rest.status.PythonTime.iso(OffsetDateTime.parse(at)), "from", "pg1", "to", "pg3"));
            assertAnswer(h.request("DELETE", "/switchover", null), 200, "scheduled switchover deleted");
            assertThat(h.actions.readCluster().failover()).isNull();
            assertThat(h.actions.failoverWrites()).hasSize(2);
        }

        @Test
        void readingEtcdFailsWith503() {
            primary();
            h.actions.etcdReachable(false);
            assertThat(h.request("POST", "/switchover", "{\"leader\":\"pg1\"}").body())
                    .isEqualTo("DCS is not accessible: etcd is not reachable (FakeNodeActions)");
            assertThat(h.request("DELETE", "/switchover", null).statusCode()).isEqualTo(503);
        }
    }

    @Test
    void mppIsAcknowledgedAndSigtermIsANoOp() {
        primary();
        assertAnswer(h.request("POST", "/mpp", "{\"type\":\"before_demote\"}"), 200, "OK");
        assertAnswer(h.request("POST", "/citus", "{\"type\":\"after_promote\"}"), 200, "OK");
        assertAnswer(h.request("POST", "/sigterm", null), 202, "shutdown scheduled");
        assertThat(h.request("POST", "/mpp", "").statusCode()).isEqualTo(400);
    }

    @Test
    void writesNeverTouchTheStatusSnapshot() {
        primary();
        NodeSnapshot before = h.board.current();
        h.request("POST", "/restart", "{}");
        h.request("PATCH", "/config", "{\"ttl\":35}");
        assertThat(h.board.current()).isSameAs(before);
        assertThat(Instant.now()).isNotNull();
    }
}
