package io.haagent.agent.ha;

import io.haagent.cluster.PostgresState;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.Action;
import io.haagent.ha.Decision;
import io.haagent.ha.FollowTarget;
import io.haagent.ha.LongAction;
import io.haagent.ha.Outcome;
import io.haagent.pg.FollowResult;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.SynchronousStandbyNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a decision's actions in order (STYLE 2): quick ones inline, long ones on the background runner. The
 * first action that does not succeed (a lost race or CAS) stops the chain; an etcd or postgres failure stops it
 * too and becomes the cycle's summary. Every {@link Action} type has a handler here; a test checks that.
 */
public final class ActionExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ActionExecutor.class);

    /**
     * The outcome of applying one decision.
     *
     * @param summary the decision's summary, or the stopping action's {@code ifNotDone} sentence / error
     * @param stopped an action did not succeed and the rest were skipped: the loop should decide again soon
     * @param updates memory changes from inline actions, for the loop to apply
     */
    public record Report(String summary, boolean stopped, List<Outcome> updates) {
    }

    @FunctionalInterface
    interface Handler {
        /** @return false when the action did not succeed and the chain must stop */
        boolean apply(Action action, List<Outcome> updates) throws Exception;
    }

    private final String name;
    private final Dcs dcs;
    private final PostgresControl pg;
    private final NodeState node;
    private final LockBelief lock;
    private final LongActionRunner runner;
    private final LoopContext loop;
    private final Path dataDir;
    private final io.haagent.time.Clock clock;
    /** The post-promote CHECKPOINT's thread, or null when it runs on the background executor given to us. */
    private final ExecutorService checkpointThread;
    private final java.util.concurrent.Executor checkpoints;
    private final Map<Class<? extends Action>, Handler> handlers = new HashMap<>();
    private final java.util.concurrent.LinkedBlockingQueue<Outcome> asyncUpdates =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private final StepDown stepDown;
    private final Targets targets;
    private final Starts starts;
    private final SlotSync slotSync;
    private final LongSteps longSteps;

    public ActionExecutor(String name, Dcs dcs, PostgresControl pg, NodeState node, LockBelief lock,
            LongActionRunner runner, LoopContext loop, Path dataDir, io.haagent.time.Clock clock) {
        this(name, dcs, pg, node, lock, runner, loop, dataDir, clock, null);
    }

    /** @param background where the post-promote CHECKPOINT runs; null: a thread of our own (see LongActionRunner) */
    public ActionExecutor(String name, Dcs dcs, PostgresControl pg, NodeState node, LockBelief lock,
            LongActionRunner runner, LoopContext loop, Path dataDir, io.haagent.time.Clock clock,
            java.util.concurrent.Executor background) {
        this.checkpointThread = background != null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "post-promote-checkpoint");
            t.setDaemon(true);
            return t;
        });
        this.checkpoints = background != null ? background : checkpointThread;
        this.name = name;
        this.dcs = dcs;
        this.pg = pg;
        this.node = node;
        this.lock = lock;
        this.runner = runner;
        this.loop = loop;
        this.dataDir = dataDir;
        this.clock = clock;
        new DcsSteps(name, dcs, pg, lock, loop, clock).register(this);
        this.targets = new Targets(name, loop);
        this.starts = new Starts(pg, node, loop, targets, this);
        this.slotSync = new SlotSync(pg);
        this.stepDown = new StepDown(this, dcs, pg, node, lock, loop);
        this.longSteps = new LongSteps(name, pg, node, runner, loop, clock, this, starts, targets, stepDown);
        registerLocalHandlers();
        longSteps.register();
    }

    /** True if this executor has a handler for the action type (the exhaustiveness test uses it). */
    public boolean handles(Class<? extends Action> type) {
        return handlers.containsKey(type);
    }

    public Report apply(Decision decision) {
        List<Outcome> updates = new ArrayList<>();
        for (Action action : decision.actions()) {
            Handler h = handlers.get(action.getClass());
            if (h == null) {
                throw new IllegalStateException("no handler for " + action.getClass().getSimpleName());
            }
            try {
                if (!h.apply(action, updates)) {
                    String why = action.ifNotDone();
                    LOG.info("{} did not succeed; skipping the rest of this decision", describe(action));
                    return new Report(why != null ? why : decision.summary(), true, updates);
                }
            } catch (DcsUnavailableException e) {
                LOG.error("Error communicating with DCS during {}: {}", describe(action), e.getMessage());
                return new Report("Error communicating with DCS", true, updates);
            } catch (PostgresException e) {
                LOG.error("{} failed: {}", describe(action), e.getMessage());
                return new Report("Error communicating with PostgreSQL. Will try again later", true, updates);
            } catch (Exception e) {
                LOG.error("{} failed", describe(action), e);
                return new Report("Unexpected exception raised, please report it as a BUG", true, updates);
            }
        }
        return new Report(decision.summary(), false, updates);
    }

    static String describe(Action a) {
        String s = a.getClass().getSimpleName();
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    <A extends Action> void on(Class<A> type, java.util.function.BiFunction<A, List<Outcome>, Boolean> f) {
        handlers.put(type, (a, u) -> f.apply(type.cast(a), u));
    }

    <A extends Action> void onThrowing(Class<A> type, Handler h) {
        handlers.put(type, h);
    }

    // ------------------------------------------------------------------------------------------------- local

    private void registerLocalHandlers() {
        // §3.8: every member accepted our POST /failsafe; none races for the lock for a ttl, so neither do we lose it
        on(Action.HoldLeadershipInFailsafe.class, (a, u) -> {
            lock.extend(loop.dynamic().ttl());
            return true;
        });
        on(Action.KeepWatchdogAlive.class, (a, u) -> loop.watchdog().keepAlive(loop.dynamic().ttl(),
                loop.dynamic().loopWait()));
        on(Action.DisableWatchdog.class, (a, u) -> {
            loop.watchdog().disable();
            return true;
        });
        on(Action.SetRole.class, (a, u) -> {
            node.setRole(a.role());
            return true;
        });
        on(Action.SetState.class, (a, u) -> {
            node.setState(a.state());
            return true;
        });
        on(Action.FireCallback.class, (a, u) -> {
            pg.fireCallback(a.action(), a.role());
            return true;
        });
        on(Action.Follow.class, (a, u) -> follow(a.target(), u));
        on(Action.SetSynchronousStandbyNames.class, (a, u) -> {
            String value = a.any() ? SynchronousStandbyNames.renderAny(a.numSync(), a.names())
                    : a.star() ? SynchronousStandbyNames.ANY
                    : a.names().isEmpty() ? "" : SynchronousStandbyNames.render(a.names().size(), a.names());
            if (a.any()) {
                LOG.info("Setting synchronous replication to {} of {} ({})", a.numSync(), a.names().size(),
                        String.join(", ", a.names()));
            } else {
                LOG.info("Assigning synchronous standby status to {}", a.star() ? "[*]" : a.names());
            }
            pg.setSynchronousStandbyNames(value);
            return true;
        });
        on(Action.SyncSlots.class, (a, u) -> {
            slotSync.apply(a.plan());
            return true;
        });
        on(Action.ResumeWalReplay.class, (a, u) -> {
            LOG.info("WAL replay is paused: resuming it");
            pg.resumeWalReplay();
            return true;
        });
        on(Action.ApplyParameters.class, (a, u) -> {
            try {
                pg.reload();
            } catch (PostgresException e) {
                // the cycle goes on: a failed reload leaves the old values in force, as pending_restart shows
                LOG.warn("reload after a configuration change failed: {}", e.getMessage());
            }
            return true;
        });
        on(Action.CheckpointAfterPromote.class, (a, u) -> {
            checkpoints.execute(() -> {
                try {
                    pg.checkpoint();
                    LOG.info("post-promote CHECKPOINT done");
                    runnerUpdate(new Outcome.CheckpointAfterPromoteDone());
                } catch (RuntimeException e) {
                    LOG.warn("post-promote CHECKPOINT failed: {}", e.getMessage());
                }
            });
            u.add(new Outcome.CheckpointAfterPromoteDone());
            return true;
        });
        on(Action.StopPostgres.class, (a, u) -> {
            node.setState(PostgresState.STOPPING);
            pg.stop(a.mode(), false,
                    Duration.ofSeconds(loop.dynamic().retryTimeout()));
            node.setState(PostgresState.STOPPED);
            return true;
        });
        onThrowing(Action.QuarantineDataDirectory.class, (a, u) -> {
            // postgres-control sets a directory aside itself when a step after initdb fails; what is left here is
            // a failed custom bootstrap's (or nothing: an empty directory would replace that evidence)
            if (Files.isDirectory(dataDir) && !pg.dataDirectoryState().isEmpty()) {
                Path failed = io.haagent.pg.control.DataDirectories.setAside(dataDir);
                LOG.error("moved the data directory of the failed bootstrap to {}", failed);
            }
            return true;
        });
        on(Action.ClearScheduledRestart.class, (a, u) -> {
            loop.clearScheduledRestart();
            return true;
        });
        on(Action.AnswerRequest.class, (a, u) -> {
            loop.answerRequest(a.id(), a.ok(), a.text());
            return true;
        });
        on(Action.CancelLongAction.class, (a, u) -> {
            runner.cancel();
            return true;
        });
        on(Action.Exit.class, (a, u) -> {
            LOG.error("FATAL: {}", a.reason());
            loop.exit(a.reason());
            return false;
        });
    }

    /** @return false when postgres runs as a primary: the next decision demotes it (Action.Follow) */
    private boolean follow(FollowTarget target, List<Outcome> u) {
        Recovery recovery = targets.recovery(target);
        FollowResult result = pg.follow(recovery);
        if (result == FollowResult.RESTART_REQUIRED) {
            LOG.warn("postgres runs as a primary: not following {}; the next decision demotes it", target);
            loop.wakeUp();
            return false;
        }
        if (result == FollowResult.RELOADED) {
            LOG.info("following {} now: {}", target, recovery);
            u.add(new Outcome.RewindCheckDue());
        }
        // the role it reports, and whether on_role_change fires, are the decider's (SetRole, FireCallback after us)
        return true;
    }

    boolean submit(LongAction.Kind kind, String actionName, LongActionRunner.Body body) {
        String busy = runner.submit(kind, actionName, body);
        if (busy != null) {
            LOG.warn("{} not started: {} already in progress", actionName, busy);
            return false;
        }
        return true;
    }

    private void runnerUpdate(Outcome u) {
        asyncUpdates.add(u);
        loop.wakeUp();
    }

    /** Memory updates from threads other than the runner (post-promote checkpoint). */
    public List<Outcome> drainAsyncUpdates() {
        List<Outcome> out = new ArrayList<>();
        asyncUpdates.drainTo(out);
        return out;
    }

    /**
     * How long a start may take before the cycle calls it failed. Not a safety bound: a replica that starts slowly
     * harms nobody; the leader's start after a crash is bounded by the decider instead (master_start_timeout, §3.6),
     * which releases the lock rather than wait on a primary that may never come up.
     */
    Duration startTimeout(Integer seconds) {
        int s = seconds != null && seconds > 0 ? seconds : loop.pgCtlTimeoutSeconds();
        return Duration.ofSeconds(Math.max(1, s));
    }

    /**
     * How long a stop may take. With synchronous mode, primary_stop_timeout bounds it (§3.7): a primary stuck in a
     * smart/fast shutdown still holds the lock and blocks the failover, while an immediate stop after the bound may
     * lose no acknowledged write (synchronous standbys have it). Otherwise pg_ctl_timeout: the lock stays ours while
     * we stop, so waiting longer only delays the switchover; it never lets a second primary in (LeaseGuard stops
     * postgres if the lease would end first).
     */
    Duration stopTimeout() {
        int s = loop.dynamic().synchronousModeEffective() && loop.dynamic().primaryStopTimeout() > 0
                ? loop.dynamic().primaryStopTimeout() : loop.pgCtlTimeoutSeconds();
        return Duration.ofSeconds(Math.max(1, s));
    }

    public void close() {
        if (checkpointThread != null) {
            checkpointThread.shutdownNow();
        }
    }
}
