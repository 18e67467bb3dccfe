package io.haagent.rest.bench;

import io.haagent.api.CandidateCheck;
import io.haagent.api.DecisionRecord;
import io.haagent.api.FakeNodeActions;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.RoleChangeKind;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.api.SnapshotFixtures;
import io.haagent.api.StatusBoard;
import io.haagent.cluster.Tags;
import io.haagent.config.RestApiConfig;
import io.haagent.rest.RestApiServer;
import io.haagent.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in node for the REST benchmark (bench/rest/run.sh) until the real agent exists: the real
 * {@link RestApiServer} serving the snapshot of a primary in a three-member cluster, republished every
 * {@code loop_wait}-like interval with a renewed lock belief, as the HA loop will. Prints {@code READY <url>}.
 *
 * <p>Usage: {@code BenchNode <listen host:port>}
 */
public final class BenchNode {
    private BenchNode() {
    }

    public static void main(String[] args) throws Exception {
        String listen = args.length > 0 ? args[0] : "127.0.0.21:8008";
        RestApiConfig cfg = new RestApiConfig(listen, listen, null, null, null, null, null, null, null, null, List.of(),
                false, Map.of(), Map.of(), 128);
        RoleChangeRecorder changes = new RoleChangeRecorder();
        changes.record(RoleChangeKind.SWITCHOVER, Duration.ofMillis(3100));
        StatusBoard board = new StatusBoard(snapshot(changes));
        RestApiServer server = RestApiServer.start(cfg, board,
                new FakeNodeActions(SnapshotFixtures.threeMembers()), Clock.SYSTEM);
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-ha-loop");
            t.setDaemon(true);
            return t;
        });
        loop.scheduleAtFixedRate(() -> board.publish(snapshot(changes)), 2, 2, TimeUnit.SECONDS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.shutdownNow();
            server.close();
            stopped.countDown();
        }));
        System.out.println("READY " + server.baseUrl());
        System.out.flush();
        stopped.await();
    }

    static NodeSnapshot snapshot(RoleChangeRecorder changes) {
        long now = Clock.SYSTEM.nanoTime();
        return SnapshotFixtures.primary(now).toBuilder()
                .tags(new Tags(Map.of("datacenter", "dc1", "clonefrom", true)))
                .roleChangeStats(changes.stats())
                .lastDecision(new DecisionRecord(Instant.now(), "no action. I am (pg1), the leader with the lock",
                        List.of("renew_leader_lock"), Map.of("leader", "pg1", "lock", "held"),
                        List.of(CandidateCheck.eligible("pg2"), CandidateCheck.rejected("pg3", "not reachable"))))
                .build();
    }
}
