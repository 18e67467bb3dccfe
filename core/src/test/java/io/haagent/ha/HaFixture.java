package io.haagent.ha;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.Tags;
import io.haagent.cluster.TimelineHistory;
import io.haagent.pg.ControlData;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Builds decider inputs for tests: a node named {@code pg1} in a cluster of pg1, pg2, pg3 by default, all
 * running replicas at the same WAL position, leader pg1, etcd reachable. Each test changes what matters to it.
 */
public final class HaFixture {
    public static final String SYSID = "7301234567890123456";
    public static final long WAL = 0x3000060L;
    public static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    public static final long NOW_NANOS = TimeUnit.SECONDS.toNanos(100_000);

    private final String name;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private Map<String, Object> config = new LinkedHashMap<>(Map.of("ttl", 30, "loop_wait", 10, "retry_timeout", 10));
    private String leader;
    private String initialize = SYSID;
    private FailoverRequest failover;
    private SyncState sync = SyncState.EMPTY;
    private TimelineHistory history = new TimelineHistory(List.of(), false, 5);
    private long optime = WAL;
    private Map<String, Long> statusSlots = Map.of();
    private Map<String, String> failsafe;
    private boolean dcsDown;
    private LockStatus lock = LockStatus.NOT_HELD;
    private LongAction longAction;
    private HaMemory memory = HaMemory.INITIAL;
    private Tags tags = Tags.NONE;
    private boolean bootstrapConfigured = true;
    private Map<String, Object> localDynamic;
    private boolean replicaWithoutLeader;
    private boolean watchdogRequired;
    private boolean watchdogEnabled;
    private boolean removeOnDiverged;
    private FailsafeContact failsafeContact;
    private String bootstrapMethod = "initdb";
    private long leaderLease = 77;
    private Boolean failsafeTopologyOk;
    private ScheduledRestart scheduledRestart;
    private NodeRequest request;
    private Instant now = NOW;
    private final Map<String, PeerStatus> peers = new LinkedHashMap<>();
    private final Local local = new Local();
    private final List<Map<String, String>> peerRequests = new ArrayList<>();
    private final List<String> divergenceChecks = new ArrayList<>();
    private io.haagent.pg.Divergence divergence;

    private HaFixture(String name) {
        this.name = name;
        for (String n : List.of("pg1", "pg2", "pg3")) {
            member(n, UnaryOperator.identity());
        }
        leader = "pg1";
    }

    /** Node {@code name}; pg1 is the leader, everybody is a running replica at {@link #WAL}. */
    public static HaFixture node(String name) {
        return new HaFixture(name);
    }

    /** Add or change a member key; the default is a running replica at {@link #WAL} on timeline 1. */
    public HaFixture member(String n, UnaryOperator<Member.Builder> change) {
        Member.Builder b = members.containsKey(n) ? members.get(n).toBuilder()
                : Member.builder(n).connUrl("postgres://127.0.0.1" + n.charAt(n.length() - 1) + ":5432/postgres")
                        .apiUrl("http://127.0.0.1" + n.charAt(n.length() - 1) + ":8008/patroni")
                        .state(PostgresState.RUNNING).role(Role.REPLICA).version("3.3.1").xlogLocation(WAL).timeline(1);
        members.put(n, change.apply(b).build());
        return this;
    }

    public HaFixture withoutMember(String n) {
        members.remove(n);
        return this;
    }

    public HaFixture leader(String n) {
        leader = n;
        return this;
    }

    /** The lease the leader key sits on (77 unless set; 0: no lease, it never expires). */
    public HaFixture leaderLease(long lease) {
        leaderLease = lease;
        return this;
    }

    public HaFixture noLeader() {
        leader = null;
        return this;
    }

    public HaFixture config(String key, Object value) {
        if (value == null) {
            config.remove(key);
        } else {
            config.put(key, value);
        }
        return this;
    }

    public HaFixture noConfig() {
        config = null;
        return this;
    }

    /** This node's own dynamic configuration (bootstrap.dcs, or the last config key it saw). */
    public HaFixture localDynamic(Map<String, Object> d) {
        localDynamic = d;
        return this;
    }

    public HaFixture initialize(String v) {
        initialize = v;
        return this;
    }

    public HaFixture failover(String leader, String candidate) {
        failover = new FailoverRequest(leader, candidate, null, 42);
        return this;
    }

    public HaFixture scheduledFailover(String leader, String candidate, OffsetDateTime at) {
        failover = new FailoverRequest(leader, candidate, at, 42);
        return this;
    }

    /** The sync key of quorum commit: {@code quorum} of the leader and {@code voters}. */
    public HaFixture quorum(String leader, int quorum, String... voters) {
        sync = new SyncState(leader, List.of(voters), quorum, 7);
        return this;
    }

    public HaFixture sync(String leader, String... standbys) {
        sync = new SyncState(leader, List.of(standbys), 7);
        return this;
    }

    public HaFixture history(TimelineHistory h) {
        history = h;
        return this;
    }

    /** Cluster timeline N (history with N-1 lines). */
    public HaFixture clusterTimeline(long tl) {
        List<TimelineHistory.Line> lines = new ArrayList<>();
        for (long t = 1; t < tl; t++) {
            lines.add(new TimelineHistory.Line(t, 0x1000000L * t, "no recovery target specified", null, null));
        }
        history = new TimelineHistory(lines, false, 5);
        return this;
    }

    /** The slot positions the leader publishes in the status key. */
    public HaFixture statusSlots(Map<String, Long> slots) {
        statusSlots = slots;
        return this;
    }

    public HaFixture optime(long v) {
        optime = v;
        return this;
    }

    public HaFixture failsafeKey(Map<String, String> v) {
        failsafe = v;
        return this;
    }

    public HaFixture dcsDown() {
        dcsDown = true;
        return this;
    }

    public HaFixture lock(LockStatus v) {
        lock = v;
        return this;
    }

    public HaFixture longAction(LongAction.Kind kind, String actionName, long startedSecondsAgo) {
        longAction = new LongAction(kind, actionName, NOW_NANOS - TimeUnit.SECONDS.toNanos(startedSecondsAgo));
        return this;
    }

    public HaFixture memory(UnaryOperator<HaMemory> change) {
        memory = change.apply(memory);
        return this;
    }

    public HaFixture tags(Map<String, Object> t) {
        tags = Tags.effective(t);
        return this;
    }

    public HaFixture noBootstrapSection() {
        bootstrapConfigured = false;
        return this;
    }

    public HaFixture replicaWithoutLeader() {
        replicaWithoutLeader = true;
        return this;
    }

    /** {@code bootstrap.method} names a custom method with a command (§4.6). */
    public HaFixture bootstrapMethod(String m) {
        bootstrapMethod = m;
        return this;
    }

    /** {@code watchdog.mode: automatic} (or required) with a device that can be used. */
    public HaFixture watchdog() {
        watchdogEnabled = true;
        return this;
    }

    public HaFixture watchdogRequiredButUnusable() {
        watchdogRequired = true;
        watchdogEnabled = true;
        return this;
    }

    public HaFixture removeDataDirectoryOnDivergedTimelines() {
        removeOnDiverged = true;
        return this;
    }

    /** Member {@code n} (a member of this fixture) called our POST /failsafe just now. */
    public HaFixture failsafeLeader(String n) {
        return failsafeContact(n, NOW_NANOS, Map.of());
    }

    /** Member {@code n} called our POST /failsafe at {@code atNanos}, sending these slot positions. */
    public HaFixture failsafeContact(String n, long atNanos, Map<String, Long> slots) {
        Member m = members.get(n);
        failsafeContact = new FailsafeContact(n, m == null ? null : m.apiUrl(), m == null ? null : m.connUrl(), slots,
                atNanos);
        return this;
    }

    public HaFixture failsafeTopologyOk(boolean ok) {
        failsafeTopologyOk = ok;
        return this;
    }

    /** A REST request (POST /restart, POST /reinitialize) waiting for this decision. */
    public HaFixture request(NodeRequest r) {
        request = r;
        return this;
    }

    public HaFixture scheduledRestart(ScheduledRestart r) {
        scheduledRestart = r;
        return this;
    }

    public HaFixture now(Instant t) {
        now = t;
        return this;
    }

    /** The answer peer {@code n} gives to GET /patroni (default: a reachable replica at its member's xlog). */
    public HaFixture peer(PeerStatus st) {
        peers.put(st.name(), st);
        return this;
    }

    public HaFixture local(UnaryOperator<Local> change) {
        change.apply(local);
        return this;
    }

    /** The peers the decider asked for, in the order of the requests. */
    public List<Map<String, String>> peerRequests() {
        return peerRequests;
    }

    public HaInput input() {
        // etcd down: the view is the last one read (the input's lastCluster)
        ClusterView read = new ClusterView(initialize, config == null ? null : ClusterConfig.of(config, 3),
                leader == null ? null : new Leader(leader, 11, leaderLease), ClusterStatus.of(optime, statusSlots),
                new ArrayList<>(members.values()), failover, sync, history, failsafe, 100);
        ClusterView view = dcsDown ? null : read;
        NodeSettings self = new NodeSettings(name, "batman", tags, bootstrapConfigured, bootstrapMethod,
                localDynamic != null ? localDynamic : config == null ? Map.of("ttl", 30) : config,
                replicaWithoutLeader, watchdogRequired, !watchdogRequired, removeOnDiverged, watchdogEnabled);
        return new HaInput(self, view, dcsDown ? "etcd unreachable" : null, lock, local.build(), longAction, null,
                memory, failsafeContact, failsafeTopologyOk, scheduledRestart, NOW_NANOS, now).withRequest(request)
                .withLastCluster(dcsDown ? read : null);
    }

    /** The answer of the divergence check when the decider asks for one; unset: asking fails the test. */
    public HaFixture divergence(io.haagent.pg.Divergence d) {
        divergence = d;
        return this;
    }

    /** The leaders the decider asked to compare our data with. */
    public List<String> divergenceChecks() {
        return divergenceChecks;
    }

    /** Decide, answering peer, failsafe and divergence requests from this fixture like the loop does. */
    public Decision decide() {
        HaDecider decider = new HaDecider();
        HaInput in = input();
        for (int i = 0; i < 4; i++) {
            Decision.Outcome out = decider.decide(in);
            if (out.decision() != null) {
                return out.decision();
            }
            if (out.divergenceCheckAgainst() != null) {
                if (in.divergence() != null || divergence == null) {
                    throw new AssertionError("unexpected divergence check against " + out.divergenceCheckAgainst().name());
                }
                divergenceChecks.add(out.divergenceCheckAgainst().name());
                in = in.withDivergence(divergence);
                continue;
            }
            if (out.failsafeCheckNeeded()) {
                if (in.failsafeTopologyOk() != null) {
                    throw new AssertionError("decider asked for the failsafe check twice");
                }
                in = in.withFailsafeTopologyOk(Boolean.TRUE.equals(failsafeTopologyOk));
                continue;
            }
            if (in.peers() != null) {
                throw new AssertionError("decider asked for peers twice");
            }
            peerRequests.add(out.peersNeeded());
            Map<String, PeerStatus> answers = new LinkedHashMap<>();
            for (String n : out.peersNeeded().keySet()) {
                answers.put(n, peers.containsKey(n) ? peers.get(n) : defaultPeer(n));
            }
            in = in.withPeers(answers);
        }
        throw new AssertionError("decider did not decide");
    }

    private PeerStatus defaultPeer(String n) {
        Member m = members.get(n);
        if (m == null) {
            return PeerStatus.unreachable(n, "connection refused");
        }
        if (m.roleEnum() == Role.PRIMARY) {
            return PeerStatus.primary(n, m.timeline() == null ? 1 : m.timeline(), m.tags());
        }
        return PeerStatus.replica(n, m.xlogLocation() == null ? 0 : m.xlogLocation(),
                m.timeline() == null ? 1 : m.timeline(), m.tags());
    }

    /** Local postgres state; defaults to a running streaming replica at {@link #WAL} on timeline 1. */
    public static final class Local {
        DataDirState dataDir = DataDirState.VALID;
        String dataDirError;
        Role role = Role.REPLICA;
        String pgState = PostgresState.RUNNING;
        boolean running = true;
        boolean primary;
        boolean starting;
        long startingFor;
        long timeline = 1;
        long wal = WAL;
        ControlData.State controlState = ControlData.State.IN_ARCHIVE_RECOVERY;
        boolean recoveryConf = true;
        String sysid = SYSID;
        String upstream;
        boolean canRewind = true;
        boolean replayPaused;
        List<LocalState.ReplicationConnection> replication = new ArrayList<>();
        String ssn = "";
        String syncCommit = "on";
        boolean pendingRestart;
        int serverVersion = 150004;
        String postmasterStart = "2026-03-01 11:00:00.000000+00:00";
        LocalState.Slots slots;

        public Local primary() {
            primary = true;
            role = Role.PRIMARY;
            controlState = ControlData.State.IN_PRODUCTION;
            recoveryConf = false;
            return this;
        }

        public Local role(Role r) {
            role = r;
            return this;
        }

        public Local state(String s) {
            pgState = s;
            return this;
        }

        /**
         * Postmaster dead; the state still says what we last saw (running by default). {@code control} is
         * pg_controldata's label ({@code shut down}, ...), null for unknown.
         */
        public Local stopped(String control) {
            running = false;
            primary = false;
            controlState = ControlData.State.of(control);
            if (control != null && controlState == null) {
                throw new IllegalArgumentException("not a pg_controldata state: " + control);
            }
            return this;
        }

        public Local starting(long forSeconds) {
            starting = true;
            startingFor = forSeconds;
            pgState = PostgresState.STARTING;
            return this;
        }

        public Local emptyDataDir() {
            dataDir = DataDirState.EMPTY;
            running = false;
            sysid = null;
            role = Role.UNINITIALIZED;
            pgState = PostgresState.STOPPED;
            return this;
        }

        public Local inaccessibleDataDir(String error) {
            dataDir = DataDirState.INACCESSIBLE;
            dataDirError = error;
            running = false;
            return this;
        }

        public Local timeline(long t) {
            timeline = t;
            return this;
        }

        public Local wal(long w) {
            wal = w;
            return this;
        }

        public Local sysid(String s) {
            sysid = s;
            return this;
        }

        public Local cannotRewind() {
            canRewind = false;
            return this;
        }

        public Local replayPaused() {
            replayPaused = true;
            return this;
        }

        public Local standby(String name, String syncState, long flush) {
            replication.add(new LocalState.ReplicationConnection(1000 + replication.size(), name, "streaming", syncState,
                    flush, flush, flush));
            return this;
        }

        public Local ssn(String v) {
            ssn = v;
            return this;
        }

        public Local pendingRestart() {
            pendingRestart = true;
            return this;
        }

        /** The slots postgres has (read this cycle); a replica has replayed up to {@link #WAL}. */
        public Local slots(io.haagent.slots.ReplicationSlot... existing) {
            slots = new LocalState.Slots(List.of(existing), primary ? null : new io.haagent.cluster.Lsn(wal));
            return this;
        }

        public Local recoveryConf(boolean v) {
            recoveryConf = v;
            return this;
        }

        LocalState build() {
            return new LocalState(dataDir, dataDirError, role, pgState, running, primary, starting, startingFor, timeline,
                    wal, controlState, recoveryConf, sysid, upstream, canRewind, replayPaused, replication, ssn,
                    syncCommit, pendingRestart, serverVersion, postmasterStart, slots);
        }
    }
}
