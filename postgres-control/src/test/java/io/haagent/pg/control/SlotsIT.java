package io.haagent.pg.control;

import static io.haagent.pg.control.PgTestSupport.LONG;
import static io.haagent.pg.control.PgTestSupport.START;
import static io.haagent.pg.control.PgTestSupport.exec;
import static io.haagent.pg.control.PgTestSupport.queryColumn;
import static io.haagent.pg.control.PgTestSupport.queryOne;
import static io.haagent.pg.control.PgTestSupport.upstream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Lsn;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.pg.ServerStatus;
import io.haagent.pg.StartRequest;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.SlotAction;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotPlanner;
import io.haagent.slots.SlotResult;
import io.haagent.testing.PostgresFixture;
import io.haagent.testing.PostgresTestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** A SlotPlanner plan applied to real servers: create, keep active, drop stale, leave ignored ones alone. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlotsIT {
    private static PostgresFixture fixture;
    private static PostgresTestNode n1;
    private static PostgresTestNode n2;
    private static LocalPostgres pg1;
    private static LocalPostgres pg2;
    private static Map<String, Object> config;

    @BeforeAll
    static void cluster() {
        fixture = PostgresFixture.create();
        n1 = fixture.node("pg1");
        n2 = fixture.node("pg2");
        Map<String, Object> slots = new HashMap<>();
        slots.put("perm_phys", null);
        slots.put("cdc", Map.of("type", "logical", "database", "postgres", "plugin", "test_decoding"));
        config = Map.of(
                "postgresql", Map.of("use_slots", true, "parameters", Map.of("wal_level", "logical",
                        "max_connections", 30, "max_wal_senders", 6, "max_replication_slots", 8)),
                "slots", slots,
                // Patroni 3's member slots: these tests are about permanent slots (Patroni 4.1's member_slots_ttl,
                // every member's slot on every node, is SlotPlannerTest's and HaLoopTest's)
                "member_slots_ttl", 0,
                "ignore_slots", List.of(Map.of("name", "backup_tool")));
        pg1 = PgTestSupport.control(fixture, n1, n1.config().build());
        pg2 = PgTestSupport.control(fixture, n2, n2.config().build());
        pg1.setDynamicConfig(DynamicConfig.from(config));
        pg2.setDynamicConfig(DynamicConfig.from(config));
        pg1.bootstrap(LONG);
        pg1.postBootstrap(LONG);
        exec(n1, "SELECT pg_create_physical_replication_slot('pg2', true)",
                "SELECT pg_create_physical_replication_slot('stale')",
                "SELECT pg_create_physical_replication_slot('backup_tool')");
        pg2.createReplica(upstream(n1), LONG);
        pg2.start(StartRequest.asReplica(upstream(n1), "pg2", START));
        await().atMost(Duration.ofSeconds(60)).until(() -> "t".equals(queryOne(n1,
                "SELECT active FROM pg_replication_slots WHERE slot_name = 'pg2'")));
    }

    @AfterAll
    static void cleanup() {
        if (pg1 != null) {
            pg1.close();
        }
        if (pg2 != null) {
            pg2.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static ClusterView view(ClusterStatus status, String... memberNames) {
        List<Member> members = java.util.Arrays.stream(memberNames)
                .map(n -> Member.builder(n).connUrl("postgres://127.0.0.1:5432/postgres").state("running").build())
                .toList();
        return new ClusterView("1", ClusterConfig.of(config, 1), new Leader("pg1", 1, 1), status, members, null,
                null, null, null, 1);
    }

    private static Map<String, SlotResult.Outcome> outcomes(List<SlotResult> results) {
        return results.stream().collect(Collectors.toMap(r -> r.action().getClass().getSimpleName() + " "
                + r.action().slotName(), SlotResult::outcome));
    }

    @Test
    @Order(1)
    void thePrimaryCreatesKeepsDropsAndIgnoresAsPlanned() {
        SlotPlan plan = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false,
                view(ClusterStatus.EMPTY, "pg1", "pg2", "pg3"), pg1.replicationSlots(), null));
        List<SlotResult> results = pg1.applySlots(plan);
        assertThat(outcomes(results)).containsOnly(
                Map.entry("Drop stale", SlotResult.Outcome.DONE),
                Map.entry("CreatePhysical pg3", SlotResult.Outcome.DONE),
                Map.entry("CreatePhysical perm_phys", SlotResult.Outcome.DONE),
                Map.entry("CreateLogical cdc", SlotResult.Outcome.DONE),
                Map.entry("Keep pg2", SlotResult.Outcome.SKIPPED),
                Map.entry("Keep backup_tool", SlotResult.Outcome.SKIPPED));
        assertThat(queryColumn(n1, "SELECT slot_name || ':' || slot_type || ':' || active FROM pg_replication_slots"
                + " ORDER BY 1")).containsExactly("backup_tool:physical:false", "cdc:logical:false",
                "perm_phys:physical:false", "pg2:physical:true", "pg3:physical:false");
        assertThat(queryOne(n1, "SELECT restart_lsn IS NOT NULL FROM pg_replication_slots"
                + " WHERE slot_name = 'pg3'")).as("WAL reserved at creation").isEqualTo("t");

        SlotPlan again = SlotPlanner.plan(new SlotPlanner.Input("pg1", Role.PRIMARY, false,
                view(ClusterStatus.EMPTY, "pg1", "pg2", "pg3"), pg1.replicationSlots(), null));
        assertThat(again.hasChanges()).as("a second plan finds nothing to do").isFalse();
    }

    @Test
    @Order(2)
    void anActiveSlotIsNeverDroppedAndEachStepReportsOnItsOwn() {
        List<SlotResult> results = pg1.applySlots(new SlotPlan(List.of(
                new SlotAction.Drop("pg2", "test: pg2 left the cluster"),
                new SlotAction.CreateLogical("bad", "postgres", "no_such_plugin", "test"),
                new SlotAction.Drop("pg3", "test"),
                new SlotAction.CreatePhysical("perm_phys", "test"))));
        assertThat(results).extracting(SlotResult::outcome).containsExactly(SlotResult.Outcome.SKIPPED,
                SlotResult.Outcome.FAILED, SlotResult.Outcome.DONE, SlotResult.Outcome.SKIPPED);
        assertThat(results.get(0).detail()).isEqualTo("kept: it is active");
        assertThat(results.get(1).detail()).contains("no_such_plugin");
        assertThat(results.get(3).detail()).isEqualTo("already exists");
        assertThat(queryColumn(n1, "SELECT slot_name FROM pg_replication_slots ORDER BY 1"))
                .containsExactly("backup_tool", "cdc", "perm_phys", "pg2");
    }

    @Test
    @Order(3)
    void aReplicaKeepsPermanentPhysicalSlotsAdvancedToThePrimarysPosition() {
        exec(n1, "CREATE TABLE t AS SELECT g FROM generate_series(1, 10000) g", "CHECKPOINT");
        Lsn primaryPosition = pg1.state().flushLsn();
        await().atMost(Duration.ofSeconds(60)).until(() -> pg2.state().replayLsn().compareTo(primaryPosition) >= 0);

        // first cycle on the replica: the permanent physical slot is created there
        ServerStatus s2 = pg2.state();
        SlotPlan create = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false,
                view(ClusterStatus.EMPTY, "pg1", "pg2"), pg2.replicationSlots(), s2.replayLsn()));
        assertThat(create.changes()).containsExactly(new SlotAction.CreatePhysical("perm_phys",
                "permanent physical slot"));
        assertThat(pg2.applySlots(create)).noneMatch(SlotResult::failed);
        Lsn createdAt = pg2.replicationSlots().stream().filter(s -> s.name().equals("perm_phys")).findFirst()
                .map(ReplicationSlot::restartLsn).orElseThrow();

        // the primary publishes a newer position in status.slots: the next cycle advances the replica's copy
        exec(n1, "INSERT INTO t SELECT g FROM generate_series(1, 10000) g");
        Lsn published = pg1.state().flushLsn();
        await().atMost(Duration.ofSeconds(60)).until(() -> pg2.state().replayLsn().compareTo(published) >= 0);
        ClusterStatus status = ClusterStatus.of(published.value(), Map.of("perm_phys", published.value()));
        SlotPlan advance = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false,
                view(status, "pg1", "pg2"), pg2.replicationSlots(), pg2.state().replayLsn()));
        assertThat(advance.changes()).containsExactly(new SlotAction.Advance("perm_phys", published,
                "the primary's copy of this permanent slot is at " + published));
        assertThat(pg2.applySlots(advance)).noneMatch(SlotResult::failed);
        Lsn now = pg2.replicationSlots().stream().filter(s -> s.name().equals("perm_phys")).findFirst()
                .map(ReplicationSlot::restartLsn).orElseThrow();
        assertThat(now).isGreaterThan(createdAt).isEqualTo(published);
        // the logical permanent slot is copied only once the primary publishes its position (Patroni's rule)
        assertThat(advance.steps()).anySatisfy(st -> assertThat(st).isEqualTo(new SlotAction.Keep("cdc",
                "permanent logical slot missing on this replica; copied once the primary publishes its position")));
    }

    /** The changes a logical consumer of slot {@code cdc} receives now on {@code n} (and confirms). */
    private static List<String> consume(PostgresTestNode n) {
        return queryColumn(n, "SELECT data FROM pg_logical_slot_get_changes('cdc', NULL, NULL)"
                + " WHERE data LIKE 'table public.cdc_probe:%'");
    }

    private static Lsn confirmed(LocalPostgres pg, String slot) {
        return pg.replicationSlots().stream().filter(s -> s.name().equals(slot)).findFirst()
                .map(ReplicationSlot::confirmedFlushLsn).orElseThrow();
    }

    @Test
    @Order(4)
    void aLogicalConsumerGoesOnFromTheReplicaAfterItIsPromoted() {
        exec(n1, "CREATE TABLE cdc_probe (v text)", "INSERT INTO cdc_probe VALUES ('before the copy')");
        assertThat(consume(n1)).containsExactly("table public.cdc_probe: INSERT: v[text]:'before the copy'");
        Lsn atCopy = confirmed(pg1, "cdc");
        await().atMost(Duration.ofSeconds(60)).until(() -> pg2.state().replayLsn().compareTo(pg1.state().flushLsn())
                >= 0);

        // the primary publishes the slot's position: the replica's plan copies it, and the copy restarts it
        ClusterStatus published = ClusterStatus.of(atCopy.value(), Map.of("cdc", atCopy.value()));
        SlotPlan copy = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false,
                view(published, "pg1", "pg2"), pg2.replicationSlots(), pg2.state().replayLsn()));
        assertThat(copy.copies()).containsExactly(new SlotAction.CopyLogical("cdc", "postgres", "test_decoding",
                "permanent logical slot missing on this replica: copied from the primary, so that its consumer can"
                        + " go on from here after a failover"));
        assertThat(pg2.applySlots(copy)).noneMatch(SlotResult::failed);
        assertThat(pg2.copyLogicalSlots(upstream(n1), copy.copies(), LONG)).containsExactly("cdc");
        assertThat(pg2.state().inRecovery()).as("running as a replica again").isTrue();
        assertThat(confirmed(pg2, "cdc")).isEqualTo(atCopy);
        assertThat(queryOne(n2, "SHOW hot_standby_feedback")).isEqualTo("on");

        // the consumer reads on from the primary; the replica's copy follows the position published
        exec(n1, "INSERT INTO cdc_probe VALUES ('consumed on the old primary')");
        assertThat(consume(n1)).containsExactly(
                "table public.cdc_probe: INSERT: v[text]:'consumed on the old primary'");
        exec(n1, "INSERT INTO cdc_probe VALUES ('not consumed before the failover')");
        Lsn consumed = confirmed(pg1, "cdc");
        await().atMost(Duration.ofSeconds(60)).until(() -> pg2.state().replayLsn().compareTo(pg1.state().flushLsn())
                >= 0);
        SlotPlan advance = SlotPlanner.plan(new SlotPlanner.Input("pg2", Role.REPLICA, false,
                view(ClusterStatus.of(consumed.value(), Map.of("cdc", consumed.value())), "pg1", "pg2"),
                pg2.replicationSlots(), pg2.state().replayLsn()));
        assertThat(advance.changes()).contains(new SlotAction.Advance("cdc", consumed,
                "the primary's copy of this permanent slot is at " + consumed));
        assertThat(pg2.applySlots(advance)).noneMatch(SlotResult::failed);
        assertThat(confirmed(pg2, "cdc")).isEqualTo(consumed);

        // failover: the replica is promoted, and the consumer goes on from it where it stopped on the old primary
        pg2.promote(Duration.ofSeconds(60));
        assertThat(consume(n2)).containsExactly(
                "table public.cdc_probe: INSERT: v[text]:'not consumed before the failover'");
    }
}
