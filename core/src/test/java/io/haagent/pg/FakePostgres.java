package io.haagent.pg;

import io.haagent.cluster.Lsn;
import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.SlotAction;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A model of one PostgreSQL instance behind the {@link PostgresControl} contract, for loop tests and the simulator
 * (issues 12 and 13): a data directory (absent or valid, with a system identifier), a postmaster that runs or not,
 * recovery or production, a WAL position and a timeline with its history, stop modes (a clean shutdown writes a
 * checkpoint, a crash leaves "in production"), promote (a new timeline), pg_rewind and base backups from another
 * instance of the same {@link World}, replication slots, synchronous_standby_names and the callbacks fired.
 *
 * <p>Deterministic and single-threaded: nothing happens unless a caller does it. WAL is written by
 * {@link #write(long)} on a primary and reaches replicas when {@link World#stream()} runs; tool outcomes can be
 * scripted ({@link #failNext(String)}). Every action is appended to {@link #events()} for assertions.
 */
public final class FakePostgres implements PostgresControl {

    /** The instances of one test (or simulated cluster), addressed as the {@link Upstream}s of their members. */
    public static final class World {
        private final Map<String, FakePostgres> byAddress = new LinkedHashMap<>();
        private long nextSysid = 7_300_000_000_000_000_001L;
        /** Whether member {@code a} can open a connection to member {@code b} (the simulator's partitions). */
        private java.util.function.BiPredicate<String, String> links = (a, b) -> true;

        /** The network between instances: replication, base backups, pg_rewind and the divergence check use it. */
        public void setLinks(java.util.function.BiPredicate<String, String> links) {
            this.links = links;
        }

        private FakePostgres reachable(FakePostgres from, Upstream up) {
            FakePostgres to = at(up);
            return to == null || links.test(from.name, to.name) ? to : null;
        }

        /** A new instance of member {@code name} listening on {@code host:port}, with no data directory. */
        public FakePostgres instance(String name, String host, int port) {
            FakePostgres pg = new FakePostgres(this, name, host, port);
            byAddress.put(host + ":" + port, pg);
            return pg;
        }

        FakePostgres at(Upstream up) {
            return up == null ? null : byAddress.get(up.host() + ":" + up.port());
        }

        String newSystemIdentifier() {
            return Long.toString(nextSysid++);
        }

        /** Replication: every running replica receives what its running upstream has on a compatible timeline. */
        public void stream() {
            for (FakePostgres pg : byAddress.values()) {
                pg.receive();
            }
        }

        public List<FakePostgres> instances() {
            return List.copyOf(byAddress.values());
        }
    }

    /** A timeline switch: timeline {@code timeline} ended at {@code lsn}. */
    public record Switch(long timeline, long lsn) {
    }

    private final World world;
    private final String name;
    private final String host;
    private final int port;
    private final List<String> events = new ArrayList<>();
    private final List<PostmasterEvent.Listener> listeners = new ArrayList<>();
    private final Map<String, ReplicationSlot> slots = new TreeMap<>();
    private final List<String> failNext = new ArrayList<>();
    private final java.util.Set<String> failRuns = new java.util.HashSet<>();

    private boolean dataDirectory;
    private String sysid;
    private boolean running;
    private boolean inRecovery;
    private long timeline;
    private long lsn;
    private List<Switch> history = new ArrayList<>();
    private ControlData.State controlState;
    private Upstream upstream;
    private boolean streaming;
    private long pid;
    private long nextPid = 1000;
    private String synchronousStandbyNames = "";
    private DynamicConfig dynamic;
    private boolean startHangs;
    /** The postmaster runs and accepts connections (false while a start hangs in recovery). */
    private boolean accepting;
    /** Replication to this instance is stalled ({@link World#stream()} passes it by). */
    private boolean stalled;
    /** Runs once at the start of the next {@link #follow} (a race between the agent's read and its follow). */
    private Runnable beforeNextFollow;

    private FakePostgres(World world, String name, String host, int port) {
        this.world = world;
        this.name = name;
        this.host = host;
        this.port = port;
    }

    // ---------------------------------------------------------------- the model, for tests

    /** What was done to this instance, in order ("bootstrap", "start primary", "stop fast", "promote", ...). */
    public List<String> events() {
        return List.copyOf(events);
    }

    /** Runs {@code r} at the start of the next follow, once: what changes between the cycle's read and its apply. */
    public void beforeNextFollow(Runnable r) {
        beforeNextFollow = r;
    }

    public Upstream address() {
        return new Upstream(name, host, port);
    }

    public boolean running() {
        return running;
    }

    public boolean inRecovery() {
        return inRecovery;
    }

    public long timeline() {
        return timeline;
    }

    public long lsn() {
        return lsn;
    }

    public Upstream upstream() {
        return upstream;
    }

    /** Accepting connections: a running postmaster past its startup. */
    public boolean accepting() {
        return accepting;
    }

    /** Receiving WAL from its upstream at the last {@link World#stream()}. */
    public boolean streaming() {
        return streaming;
    }

    /** The timeline switches that lead to the current timeline (oldest first). */
    public List<Switch> history() {
        return List.copyOf(history);
    }

    public String systemIdentifierOrNull() {
        return sysid;
    }

    /** Clients write {@code bytes} of WAL on a running primary (nothing happens elsewhere). */
    public void write(long bytes) {
        if (running && !inRecovery) {
            lsn += bytes;
        }
    }

    /** The postmaster dies (kill -9, OOM): no shutdown checkpoint, listeners told it was not expected. */
    public void crash() {
        if (!running) {
            return;
        }
        running = false;
        accepting = false;
        streaming = false;
        controlState = inRecovery ? ControlData.State.IN_ARCHIVE_RECOVERY : ControlData.State.IN_PRODUCTION;
        events.add("crash");
        tell(false);
    }

    /**
     * The next call of this tool fails: {@code start}, {@code promote} (pre_promote refuses), {@code basebackup},
     * {@code rewind}, {@code bootstrap}.
     */
    public void failNext(String tool) {
        failNext.add(tool);
    }

    /**
     * Starts leave the postmaster running but not accepting connections (StartTimedOut, then queries fail) until
     * {@link #finishStartup()}.
     */
    public void startHangs(boolean hangs) {
        this.startHangs = hangs;
    }

    /**
     * The postmaster runs but stops answering queries (a connection limit, a hung backend): every query fails until
     * {@link #finishStartup()}.
     */
    public void stopAnswering() {
        accepting = false;
    }

    /** A hanging start ends: the postmaster accepts connections. */
    public void finishStartup() {
        accepting = running;
    }

    /** Replication to this instance stalls (or resumes): it receives no WAL. */
    public void stall(boolean stall) {
        this.stalled = stall;
    }

    /**
     * Every run of this tool fails (or no longer does): a missing or broken binary, a full disk, a permission denied;
     * the same tools as {@link #failNext(String)}.
     */
    public void failRuns(String tool, boolean failing) {
        if (failing) {
            failRuns.add(tool);
        } else {
            failRuns.remove(tool);
        }
    }

    private boolean failing(String tool) {
        return failNext.remove(tool) || failRuns.contains(tool);
    }

    private void tell(boolean expected) {
        PostmasterEvent e = new PostmasterEvent(pid, java.time.Instant.EPOCH, expected, expected ? 0 : null);
        for (PostmasterEvent.Listener l : List.copyOf(listeners)) {
            l.postmasterExited(e);
        }
    }

    private static ToolReport report(String tool, int exit, String line) {
        return new ToolReport(tool, List.of(tool), exit, false, Duration.ZERO, List.of(line));
    }

    /** The history that leads to {@code lsn} on timeline {@code tl} of {@code upstream}: where tl forked. */
    private static long forkPoint(FakePostgres up, long tl) {
        for (Switch s : up.history) {
            if (s.timeline() == tl) {
                return s.lsn();
            }
        }
        return tl == up.timeline ? Long.MAX_VALUE : -1;
    }

    private void receive() {
        streaming = false;
        if (!running || !accepting || stalled || !inRecovery || upstream == null) {
            return;
        }
        FakePostgres up = world.reachable(this, upstream);
        if (up == null || !up.accepting || !up.dataDirectory || !up.sysid.equals(sysid) || up.timeline < timeline) {
            return;
        }
        long fork = forkPoint(up, timeline);
        if (fork < lsn) {
            return; // diverged: the upstream's history left our timeline before our position
        }
        streaming = true;
        if (up.lsn > lsn || up.timeline > timeline) {
            lsn = Math.max(lsn, up.lsn);
            timeline = up.timeline;
            history = new ArrayList<>(up.history);
        }
    }

    // ---------------------------------------------------------------- PostgresControl

    @Override
    public String memberName() {
        return name;
    }

    @Override
    public void setDynamicConfig(DynamicConfig dynamic) {
        this.dynamic = dynamic;
    }

    @Override
    public DataDirectoryState dataDirectoryState() {
        return new DataDirectoryState(dataDirectory ? DataDirectoryState.Kind.VALID : DataDirectoryState.Kind.EMPTY,
                Path.of("/fake", name), dataDirectory ? 15 : null, null);
    }

    @Override
    public void bootstrap(Duration timeout) {
        if (dataDirectory) {
            throw new PostgresException.DataDirectoryProblem("bootstrap", dataDirectoryState());
        }
        if (failing("bootstrap")) {
            events.add("bootstrap failed");
            throw new PostgresException.BootstrapFailed("initdb failed", null, null);
        }
        dataDirectory = true;
        sysid = world.newSystemIdentifier();
        timeline = 1;
        lsn = 0x3000000L;
        history = new ArrayList<>();
        inRecovery = false;
        running = true;
        accepting = true;
        pid = nextPid++;
        events.add("bootstrap");
    }

    @Override
    public void postBootstrap(Duration timeout) {
        events.add("post_bootstrap");
    }

    @Override
    public void createRoles() {
        events.add("create roles");
    }

    @Override
    public CloneReport createReplica(Upstream source, Duration timeout) {
        FakePostgres from = world.reachable(this, source);
        if (from == null || !from.accepting || failing("basebackup")) {
            events.add("basebackup failed");
            throw new PostgresException.ReplicaCreationFailed("basebackup from " + source + " failed",
                    List.of(report("pg_basebackup", 1, "could not connect to server")));
        }
        dataDirectory = true;
        sysid = from.sysid;
        timeline = from.timeline;
        lsn = from.lsn;
        history = new ArrayList<>(from.history);
        controlState = ControlData.State.IN_ARCHIVE_RECOVERY;
        events.add("basebackup from " + from.name);
        return new CloneReport("basebackup", source, Duration.ZERO, List.of(report("pg_basebackup", 0, "done")));
    }

    @Override
    public void removeDataDirectory() {
        if (running) {
            throw new IllegalStateException("removeDataDirectory while postgres runs");
        }
        dataDirectory = false;
        sysid = null;
        timeline = 0;
        lsn = 0;
        history = new ArrayList<>();
        slots.clear();
        events.add("remove data directory");
    }

    @Override
    public ControlData controlData() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Database system identifier", sysid);
        ControlData.State s = running ? (inRecovery ? ControlData.State.IN_ARCHIVE_RECOVERY
                : ControlData.State.IN_PRODUCTION) : controlState;
        m.put("Database cluster state", s == null ? "" : s.label());
        m.put("Latest checkpoint location", Lsn.of(lsn).toString());
        m.put("Latest checkpoint's REDO location", Lsn.of(lsn).toString());
        m.put("Latest checkpoint's TimeLineID", Long.toString(timeline));
        m.put("Minimum recovery ending location", inRecovery ? Lsn.of(lsn).toString() : "0/0");
        m.put("Min recovery ending loc's timeline", inRecovery ? Long.toString(timeline) : "0");
        m.put("wal_log_hints setting", "on");
        m.put("Data page checksum version", "0");
        return new ControlData(m);
    }

    @Override
    public String systemIdentifier() {
        return sysid;
    }

    @Override
    public void writeConfiguration(Recovery recovery) {
        events.add("write configuration: " + recovery);
    }

    @Override
    public FollowResult follow(Recovery recovery) {
        Runnable hook = beforeNextFollow;
        beforeNextFollow = null;
        if (hook != null) {
            hook.run();
        }
        if (running && !inRecovery) {
            // as LocalPostgres: a running primary follows nobody until restarted as a replica
            events.add("follow refused: primary");
            return FollowResult.RESTART_REQUIRED;
        }
        Upstream next = recovery.kind() == Recovery.Kind.FOLLOW ? recovery.upstream() : null;
        if (sameAddress(next, upstream)) {
            return FollowResult.UNCHANGED;
        }
        upstream = next;
        events.add("follow " + (next == null ? "nobody" : next.memberName()));
        return FollowResult.RELOADED;
    }

    private static boolean sameAddress(Upstream a, Upstream b) {
        return a == null ? b == null : b != null && a.host().equals(b.host()) && a.port() == b.port();
    }

    @Override
    public void start(StartRequest request) {
        if (!dataDirectory) {
            throw new PostgresException.DataDirectoryProblem("start", dataDirectoryState());
        }
        if (running) {
            throw new PostgresException.AlreadyRunning("start", pid);
        }
        if (failing("start")) {
            events.add("start failed");
            throw new PostgresException.StartFailed("postgres exited during startup", List.of("FATAL: fake"), "none");
        }
        Recovery r = request.recovery();
        boolean wasInRecovery = inRecovery;
        running = true;
        pid = nextPid++;
        if (r.standby()) {
            inRecovery = true;
            upstream = r.kind() == Recovery.Kind.FOLLOW ? r.upstream() : null;
            events.add("start replica" + (upstream == null ? "" : " of " + upstream.memberName()));
        } else {
            inRecovery = false;
            upstream = null;
            if (wasInRecovery) {
                endRecovery();
            }
            events.add("start primary");
        }
        accepting = !startHangs;
        if (startHangs) {
            // as LocalPostgres: the callback fires once postgres is ready, so not for a start that timed out
            throw new PostgresException.StartTimedOut(pid, request.timeout(), List.of());
        }
        if (request.callback() != null) {
            fireCallback(request.callback(), request.callbackRole() != null ? request.callbackRole()
                    : inRecovery ? Role.REPLICA : Role.PRIMARY);
        }
    }

    private void endRecovery() {
        history.add(new Switch(timeline, lsn));
        timeline++;
    }

    @Override
    public StopResult stop(StopMode mode, boolean checkpoint, Duration timeout) {
        if (running && failing("stop")) {
            events.add("stop failed");
            throw new PostgresException.StopFailed("postmaster still running after SIGKILL", "kill it by hand");
        }
        Role role = inRecovery ? Role.REPLICA : Role.PRIMARY;
        StopResult r = stopQuietly(mode);
        if (r.wasRunning()) {
            fireCallback(CallbackAction.ON_STOP, role);
        }
        return r;
    }

    private StopResult stopQuietly(StopMode mode) {
        boolean was = running;
        accepting = false;
        if (running) {
            running = false;
            streaming = false;
            controlState = mode == StopMode.IMMEDIATE
                    ? (inRecovery ? ControlData.State.IN_ARCHIVE_RECOVERY : ControlData.State.IN_PRODUCTION)
                    : inRecovery ? ControlData.State.SHUT_DOWN_IN_RECOVERY : ControlData.State.SHUT_DOWN;
            events.add("stop " + mode.wire());
            if (mode != StopMode.IMMEDIATE && !inRecovery) {
                // a clean shutdown of a primary: the walsenders send everything up to the shutdown checkpoint to
                // the standbys streaming from it before the postmaster exits, and wait until each has flushed it
                // (WalSndDone): a stalled standby (a slow disk, a saturated link) still connected delays the exit
                // until it caught up, it is not left behind
                for (FakePostgres r : world.byAddress.values()) {
                    boolean connected = r.streaming || r.stalled && r.running && r.accepting && r.upstream != null
                            && world.reachable(r, r.upstream) == this;
                    if (connected && r.inRecovery && world.at(r.upstream) == this && r.timeline == timeline) {
                        r.lsn = Math.max(r.lsn, lsn);
                    }
                }
            }
            tell(true);
        }
        return new StopResult(was, mode, mode, Duration.ZERO, dataDirectory ? controlData() : null);
    }

    /** As LocalPostgres: stop without on_stop, start with on_restart (or the start's own callback if another). */
    @Override
    public void restart(StartRequest request, Duration stopTimeout) {
        stopQuietly(StopMode.FAST);
        start(request.callback() == null || request.callback() == CallbackAction.ON_START
                ? request.withCallback(CallbackAction.ON_RESTART, request.callbackRole()) : request);
    }

    @Override
    public void promote(Duration timeout) {
        if (!running || !accepting || !inRecovery) {
            throw new PostgresException.PromoteFailed("not a running replica", "none");
        }
        if (failing("promote")) {
            events.add("pre_promote refused");
            throw new PostgresException.HookFailed("pre_promote", report("pre_promote", 1, "no"), "not promoting");
        }
        inRecovery = false;
        upstream = null;
        streaming = false;
        endRecovery();
        events.add("promote");
        fireCallback(CallbackAction.ON_ROLE_CHANGE, Role.PRIMARY);
    }

    @Override
    public void reload() {
        events.add("reload");
    }

    @Override
    public void resumeWalReplay() {
        events.add("resume wal replay");
    }

    @Override
    public void checkpoint() {
        if (!running) {
            throw new PostgresException.NotRunning("checkpoint");
        }
        events.add("checkpoint");
    }

    @Override
    public void crashRecoverySingleUser(Duration timeout) {
        controlState = inRecovery ? ControlData.State.SHUT_DOWN_IN_RECOVERY : ControlData.State.SHUT_DOWN;
        events.add("crash recovery");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public Optional<Long> postmasterPid() {
        return running ? Optional.of(pid) : Optional.empty();
    }

    @Override
    public void addPostmasterListener(PostmasterEvent.Listener listener) {
        listeners.add(listener);
    }

    @Override
    public ServerStatus state() {
        if (!running) {
            throw new PostgresException.NotRunning("query the state");
        }
        if (!accepting) {
            throw new PostgresException.QueryFailed("query the state", "57P03", "the database system is starting up",
                    null);
        }
        List<ServerStatus.ReplicationConnection> rows = new ArrayList<>();
        if (!inRecovery) {
            List<String> sync = syncNames(synchronousStandbyNames);
            for (FakePostgres r : world.byAddress.values()) {
                if (r != this && r.streaming && world.at(r.upstream) == this) {
                    boolean isSync = sync.contains(r.name) || sync.contains("*");
                    // as pg_stat_replication: a standby named under ANY k (...) is a quorum standby
                    boolean quorum = synchronousStandbyNames.trim().toUpperCase(java.util.Locale.ROOT)
                            .startsWith("ANY ");
                    rows.add(new ServerStatus.ReplicationConnection((int) r.pid, "replicator", r.name, r.host,
                            "streaming", isSync ? (quorum ? "quorum" : "sync") : "async", isSync ? 1 : 0, Lsn.of(r.lsn), Lsn.of(r.lsn),
                            Lsn.of(r.lsn), Lsn.of(r.lsn)));
                }
            }
        }
        ServerStatus.WalReceiver receiver = inRecovery && streaming && upstream != null
                ? new ServerStatus.WalReceiver("streaming", timeline, null, upstream.host(), upstream.port(), null)
                : null;
        Lsn pos = Lsn.of(lsn);
        return new ServerStatus(inRecovery ? Role.REPLICA : Role.PRIMARY, timeline, inRecovery ? null : pos,
                inRecovery ? pos : null, inRecovery ? pos : null, false, null, receiver, null, rows, Map.of(), 150000,
                null, sysid, synchronousStandbyNames, "on");
    }

    /** The members named by a synchronous_standby_names value ({@code *}, or the quoted or bare names). */
    public static List<String> syncNames(String value) {
        List<String> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        if (value.trim().equals("*")) {
            return List.of("*");
        }
        String inner = value.contains("(") ? value.substring(value.indexOf('(') + 1, value.lastIndexOf(')')) : value;
        for (String part : inner.split(",")) {
            String n = part.trim();
            if (n.length() > 1 && n.startsWith("\"") && n.endsWith("\"")) {
                n = n.substring(1, n.length() - 1);
            }
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    /** The history file a promotion here (or a copy of its data) holds: one line per switch before {@code tl}. */
    @Override
    public PgTimelineHistory.File timelineHistoryFile(long tl) {
        if (!dataDirectory || tl <= 1 || tl > timeline) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (Switch s : history) {
            if (s.timeline() < tl) {
                out.append(s.timeline()).append('\t').append(Lsn.of(s.lsn())).append("\tno recovery target specified\n");
            }
        }
        return new PgTimelineHistory.File(out.toString(), java.time.Instant.EPOCH);
    }

    @Override
    public Divergence checkDivergence(Upstream leader) {
        FakePostgres up = world.reachable(this, leader);
        if (up == null || !up.accepting) {
            return new Divergence.Undetermined("cannot connect to " + leader);
        }
        if (up.inRecovery) {
            // the real check connects to the leader as a read-write primary only (Patroni's
            // check_leader_is_not_in_recovery): a leader still promoting cannot be compared with yet
            return new Divergence.Undetermined(leader + " is not reachable as a read-write primary: in recovery");
        }
        if (!dataDirectory || up.timeline <= timeline) {
            return new Divergence.NotDiverged("timeline " + timeline + " is the leader's or newer");
        }
        long fork = forkPoint(up, timeline);
        if (fork >= lsn) {
            return new Divergence.NotDiverged("the leader's timeline " + up.timeline + " forked from " + timeline
                    + " at " + Lsn.of(fork) + ", after our " + Lsn.of(lsn));
        }
        return new Divergence.RewindNeeded("the leader's timeline " + up.timeline + " forked from " + timeline
                + " at " + Lsn.of(fork) + ", before our " + Lsn.of(lsn));
    }

    @Override
    public RewindReport rewind(Upstream leader, Duration timeout) {
        FakePostgres up = world.reachable(this, leader);
        if (running) {
            throw new IllegalStateException("pg_rewind while postgres runs");
        }
        if (up == null || !up.accepting || up.inRecovery || failing("rewind")) {
            events.add("rewind failed");
            throw new PostgresException.RewindFailed("pg_rewind from " + leader + " failed", false, null);
        }
        timeline = up.timeline;
        lsn = up.lsn;
        history = new ArrayList<>(up.history);
        inRecovery = true;
        controlState = ControlData.State.IN_ARCHIVE_RECOVERY;
        events.add("rewind from " + up.name);
        return new RewindReport(leader, false, Duration.ZERO, report("pg_rewind", 0, "Done!"));
    }

    @Override
    public List<ReplicationSlot> replicationSlots() {
        return List.copyOf(slots.values());
    }

    @Override
    public List<SlotResult> applySlots(SlotPlan plan) {
        List<SlotResult> out = new ArrayList<>();
        for (SlotAction a : plan.steps()) {
            if (a instanceof SlotAction.CreatePhysical c) {
                slots.put(c.slotName(), ReplicationSlot.physical(c.slotName(), false, Lsn.of(lsn)));
            } else if (a instanceof SlotAction.CreateLogical c) {
                slots.put(c.slotName(), ReplicationSlot.logical(c.slotName(), c.database(), c.plugin(), false,
                        Lsn.of(lsn)));
            } else if (a instanceof SlotAction.Drop d) {
                slots.remove(d.slotName());
            } else if (a instanceof SlotAction.Advance adv) {
                ReplicationSlot s = slots.get(adv.slotName());
                if (s != null && !s.isLogical()) {
                    slots.put(s.name(), ReplicationSlot.physical(s.name(), s.active(), adv.lsn()));
                }
            }
            out.add(new SlotResult(a, SlotResult.Outcome.DONE, null));
        }
        return out;
    }

    @Override
    public List<String> copyLogicalSlots(Upstream leader, List<SlotAction.CopyLogical> copies, Duration timeout) {
        List<String> names = new ArrayList<>();
        for (SlotAction.CopyLogical c : copies) {
            slots.put(c.slotName(), ReplicationSlot.logical(c.slotName(), c.database(), c.plugin(), false,
                    Lsn.of(lsn)));
            names.add(c.slotName());
        }
        events.add("copy logical slots " + names);
        return names;
    }

    @Override
    public void setSynchronousStandbyNames(String value) {
        String v = value == null ? "" : value;
        if (!v.equals(synchronousStandbyNames)) {
            synchronousStandbyNames = v;
            events.add("synchronous_standby_names '" + v + "'");
        }
    }

    public String synchronousStandbyNames() {
        return synchronousStandbyNames;
    }

    private volatile io.haagent.cluster.RoleNames roleNames = io.haagent.cluster.RoleNames.NEW_CLUSTER;

    @Override
    public void setRoleNames(io.haagent.cluster.RoleNames names) {
        roleNames = names == null ? io.haagent.cluster.RoleNames.NEW_CLUSTER : names;
    }

    @Override
    public void fireCallback(CallbackAction action, Role role) {
        // the role argument as the real callback runner spells it (the cluster's RoleNames)
        events.add("callback " + action.name().toLowerCase(java.util.Locale.ROOT) + " " + roleNames.callback(role));
    }

    @Override
    public void close() {
        listeners.clear();
    }

    @Override
    public String toString() {
        return name + (running ? (inRecovery ? " replica" : " primary") : " stopped") + " tl " + timeline + " at "
                + Lsn.of(lsn);
    }
}
