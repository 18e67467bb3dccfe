package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.api.NodeSnapshot;
import io.haagent.api.RoleChangeRecorder;
import io.haagent.api.StatusBoard;
import io.haagent.cluster.ClusterView;
import io.haagent.config.AgentConfig;
import io.haagent.config.loader.ConfigLoader;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.dcs.InMemoryDcs;
import io.haagent.dcs.InMemoryStore;
import io.haagent.ha.Action;
import io.haagent.ha.CycleRecord;
import io.haagent.ha.PeerStatus;
import io.haagent.pg.FakePostgres;
import io.haagent.time.FakeClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Several agents (the real {@link HaLoop}, decider and executor) on one {@link InMemoryStore}, one {@link FakeClock}
 * and a {@link FakePostgres.World}, driven step by step from the test thread (STYLE 12, issue 12): nothing runs on a
 * thread or a clock the script does not drive. Long actions and the post-promote CHECKPOINT are queued on each node's
 * {@link Steps} and run when the script says ({@link #runLongActions}); WAL reaches replicas when
 * {@link #stream()} runs; peers' {@code GET /patroni} and {@code POST /failsafe} go through {@link FakePeers}, a network
 * whose links the script can cut. The simulator of issue 13 drives the same pieces from a seed.
 */
final class LoopCluster implements AutoCloseable {

    /** A background executor that runs nothing until told (a deterministic scheduler for long actions). */
    static final class Steps implements Executor {
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable r) {
            queue.add(r);
        }

        synchronized boolean idle() {
            return queue.isEmpty();
        }

        /** Runs what is queued, and what those queue in turn. @return how many ran */
        int runAll() {
            int n = 0;
            while (true) {
                Runnable r;
                synchronized (this) {
                    r = queue.poll();
                }
                if (r == null) {
                    return n;
                }
                r.run();
                n++;
            }
        }
    }

    /** One agent of the cluster. */
    final class Node {
        final String name;
        final AgentConfig config;
        final InMemoryDcs dcs;
        final FakePostgres pg;
        final StatusBoard board;
        final Steps steps = new Steps();
        final HaLoop loop;
        final AgentNodeActions rest;
        final List<String> summaries = new ArrayList<>();
        final List<CycleRecord> records = new ArrayList<>();
        String fatal;
        boolean agentDown;

        Node(String name, AgentConfig config) {
            this.name = name;
            this.config = config;
            this.dcs = new InMemoryDcs(store, config.scope(), name, 30);
            this.pg = world.instance(name, config.postgresql().connectAddress().split(":")[0],
                    Integer.parseInt(config.postgresql().connectAddress().split(":")[1]));
            this.board = new StatusBoard(NodeSnapshot.builder(config.scope(), name).build());
            Map<String, Object> dynamic = config.bootstrap().dcs() == null ? Map.of() : config.bootstrap().dcs();
            this.loop = new HaLoop(config, dcs, pg, new FakePeers(name), board, clock,
                    new RoleChangeClock(clock, new RoleChangeRecorder()), dynamic, reason -> fatal = reason, steps);
            this.rest = new AgentNodeActions(dcs, loop, new FakePeers(name), () -> { }, clock);
        }

        /** One HA cycle. @return the sentence it ended with */
        String cycle() {
            loop.cycle();
            String s = loop.lastDecision().summary();
            summaries.add(s);
            if (loop.lastCycle() != null) {
                records.add(loop.lastCycle());
            }
            return s;
        }

        String lastSummary() {
            return summaries.isEmpty() ? null : summaries.get(summaries.size() - 1);
        }

        CycleRecord lastRecord() {
            return loop.lastCycle();
        }

        /** The action types of the last decision, by simple name. */
        List<String> lastActions() {
            return loop.lastCycle().decision().actions().stream().map(a -> a.getClass().getSimpleName()).toList();
        }

        boolean decided(Class<? extends Action> type) {
            return loop.lastCycle() != null && loop.lastCycle().decision().has(type);
        }

        int runLongActions() {
            return steps.runAll();
        }
    }

    /** Peers as a network of these nodes: an agent that is down, or a cut link, does not answer. */
    final class FakePeers implements PeerClient {
        private final String self;

        FakePeers(String self) {
            this.self = self;
        }

        @Override
        public Map<String, PeerStatus> statuses(Map<String, String> apiUrls) {
            Map<String, PeerStatus> out = new LinkedHashMap<>();
            apiUrls.forEach((peer, url) -> out.put(peer, status(peer)));
            return out;
        }

        private PeerStatus status(String peer) {
            Node n = nodes.get(peer);
            if (n == null || n.agentDown || cut(self, peer)) {
                return PeerStatus.unreachable(peer, "connection refused");
            }
            FakePostgres pg = n.pg;
            if (pg.running() && !pg.inRecovery()) {
                return PeerStatus.primary(peer, pg.timeline(), n.config.tags());
            }
            return PeerStatus.replica(peer, pg.running() ? pg.lsn() : 0, pg.timeline(), n.config.tags());
        }

        @Override
        public boolean failsafeHeartbeat(String selfName, Map<String, String> failsafe, Map<String, Object> body) {
            boolean all = true;
            for (String peer : failsafe.keySet()) {
                if (peer.equals(selfName)) {
                    continue;
                }
                Node n = nodes.get(peer);
                if (n == null || n.agentDown || cut(self, peer)) {
                    all = false;
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Long> slots = (Map<String, Long>) body.get("slots");
                var answer = n.rest.acceptFailsafe(new io.haagent.api.FailsafeHeartbeat((String) body.get("name"),
                        (String) body.get("conn_url"), (String) body.get("api_url"), slots));
                all &= answer.ok();
            }
            return all;
        }
    }

    final FakeClock clock = new FakeClock();
    final InMemoryStore store = new InMemoryStore(clock);
    final FakePostgres.World world = new FakePostgres.World();
    final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Set<String> cutLinks = new TreeSet<>();
    private final Path dir;

    /**
     * @param dir     a directory of the test's own (configuration files and data directories)
     * @param count   how many nodes: pg1, pg2, ... on 10.0.0.11, .12, ...
     * @param dynamic extra YAML lines under {@code bootstrap.dcs} (indented four spaces), e.g. {@code "    failsafe_mode: true\n"}
     */
    LoopCluster(Path dir, int count, String dynamic) {
        this(dir, count, dynamic, name -> "");
    }

    LoopCluster(Path dir, int count, String dynamic, Function<String, String> extraYaml) {
        this.dir = dir;
        for (int i = 1; i <= count; i++) {
            String name = "pg" + i;
            nodes.put(name, new Node(name, load(name, "10.0.0." + (10 + i), dynamic, extraYaml.apply(name))));
        }
    }

    private AgentConfig load(String name, String host, String dynamic, String extra) {
        try {
            Path data = dir.resolve(name);
            Files.createDirectories(data);
            Path f = dir.resolve(name + ".yml");
            Files.writeString(f, io.haagent.testing.LoopNodeYaml.of("loop", name, host, dynamic, data, extra));
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            HostEnvironment host0 = new HostEnvironment(Map.of("PATH", "/usr/bin:/bin", "HOME", "/nonexistent"),
                    "looptest", "postgres", new io.haagent.config.loader.NetworkProbe() {
                        @Override
                        public String cannotListen(String h, int p) {
                            return null;
                        }

                        @Override
                        public String cannotReach(String h, int p) {
                            return "connection refused";
                        }
                    });
            ConfigLoader.Loaded l = ConfigLoader.load(f, host0);
            assertThat(l.errors()).as("configuration of " + name).isEmpty();
            return l.config();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Node node(String name) {
        return nodes.get(name);
    }

    /** Cut (or heal) the agent-to-agent link between a and b, both ways. */
    void cut(String a, String b, boolean cut) {
        String key = a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
        if (cut) {
            cutLinks.add(key);
        } else {
            cutLinks.remove(key);
        }
    }

    private boolean cut(String a, String b) {
        return cutLinks.contains(a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a);
    }

    void stream() {
        world.stream();
    }

    /** Every live agent runs one cycle (in name order), then its long actions; replicas then receive WAL. */
    void round() {
        for (Node n : nodes.values()) {
            if (!n.agentDown) {
                n.cycle();
                n.runLongActions();
                stream();
            }
        }
    }

    /** {@link #round()} {@code times} times, the clock advancing {@code step} after each. */
    void rounds(int times, Duration step) {
        for (int i = 0; i < times; i++) {
            round();
            clock.advance(step);
        }
    }

    /** The cluster as etcd has it now. */
    ClusterView view() {
        return nodes.values().iterator().next().dcs.freshCluster();
    }

    String leader() {
        ClusterView v = store.isReachable() ? view() : null;
        return v == null || v.isUnlocked() ? null : v.leaderName();
    }

    /** The nodes whose postgres runs as a primary. */
    List<String> primaries() {
        return nodes.values().stream().filter(n -> n.pg.running() && !n.pg.inRecovery()).map(n -> n.name).toList();
    }

    /** A three-node cluster bootstrapped by pg1, the others streaming from it. */
    void bootstrap() {
        rounds(4, Duration.ofSeconds(1));
        assertThat(leader()).isEqualTo("pg1");
        assertThat(primaries()).containsExactly("pg1");
    }

    @Override
    public void close() {
        for (Node n : nodes.values()) {
            n.loop.close();
            n.dcs.close();
        }
    }
}
