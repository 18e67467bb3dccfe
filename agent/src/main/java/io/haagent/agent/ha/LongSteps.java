package io.haagent.agent.ha;

import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Role;
import io.haagent.ha.Action;
import io.haagent.ha.FollowTarget;
import io.haagent.ha.LongAction;
import io.haagent.ha.Outcome;
import io.haagent.ha.RewindState;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.Divergence;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's long steps ({@link Action.LongRunning}): bootstrap, clone, starts, promote, demote, crash recovery,
 * rewind, reinitialize, restart, and the logical slot copy, each submitted to the one background runner; its result
 * comes back to the next cycle as the runner's finished record.
 */
final class LongSteps {
    private static final Logger LOG = LoggerFactory.getLogger(LongSteps.class);

    private final String name;
    private final PostgresControl pg;
    private final NodeState node;
    private final LongActionRunner runner;
    private final LoopContext loop;
    private final io.haagent.time.Clock clock;
    private final ActionExecutor ex;
    private final Starts starts;
    private final Targets targets;
    private final StepDown stepDown;

    LongSteps(String name, PostgresControl pg, NodeState node, LongActionRunner runner, LoopContext loop,
            io.haagent.time.Clock clock, ActionExecutor ex, Starts starts, Targets targets, StepDown stepDown) {
        this.name = name;
        this.pg = pg;
        this.node = node;
        this.runner = runner;
        this.loop = loop;
        this.clock = clock;
        this.ex = ex;
        this.starts = starts;
        this.targets = targets;
        this.stepDown = stepDown;
    }

    /**
     * A start that asked for a callback fired it once postgres was ready (PostgresControl#start): the decider must not
     * fire on_start for the same postmaster again (Patroni's cb_called). Nothing when the start did not end running.
     */
    private List<Outcome> started() {
        return PostgresState.RUNNING.equals(node.state()) ? List.of(new Outcome.StartCallbackFired()) : List.of();
    }

    void register() {
        ex.on(Action.Bootstrap.class, (a, u) -> {
            u.add(new Outcome.BootstrapStarted());
            return ex.submit(LongAction.Kind.BOOTSTRAP, "bootstrap", cancel -> {
                node.setState(a.custom() ? PostgresState.CUSTOM_BOOTSTRAP : PostgresState.INITIALIZING);
                try {
                    pg.bootstrap(Duration.ofSeconds(Math.max(120, loop.pgCtlTimeoutSeconds() * 2L)));
                    // started; the decider runs post_bootstrap once it runs as a primary (a restore replays first)
                    node.setState(PostgresState.RUNNING);
                    return List.of();
                } catch (PostgresException e) {
                    LOG.error("bootstrap failed: {}", e.getMessage());
                    node.setState(a.custom() ? PostgresState.CUSTOM_BOOTSTRAP_FAILED : PostgresState.INITDB_FAILED);
                    return List.of(new Outcome.BootstrapFinished(false, false));
                }
            });
        });
        ex.on(Action.PostBootstrap.class, (a, u) -> ex.submit(LongAction.Kind.POST_BOOTSTRAP, "post_bootstrap", cancel -> {
            try {
                pg.postBootstrap(Duration.ofSeconds(Math.max(120, loop.pgCtlTimeoutSeconds() * 2L)));
                return List.of(new Outcome.BootstrapFinished(true, false));
            } catch (PostgresException e) {
                LOG.error("post_bootstrap failed: {}", e.getMessage());
                return List.of(new Outcome.BootstrapFinished(false, false));
            }
        }));
        ex.on(Action.BootstrapStandbyLeader.class, (a, u) -> {
            u.add(new Outcome.BootstrapStarted());
            return ex.submit(LongAction.Kind.BOOTSTRAP, "bootstrap a standby leader from " + a.remote(), cancel -> {
                if (!starts.createReplica(a.remote())) {
                    return List.of(new Outcome.BootstrapFinished(false, false));
                }
                starts.start(StartRequest.of(targets.recovery(a.remote()), ex.startTimeout(null)).withoutCallback(),
                        Role.STANDBY_LEADER);
                return List.of(new Outcome.BootstrapFinished(true, true));
            });
        });
        ex.on(Action.CloneReplica.class, (a, u) -> ex.submit(LongAction.Kind.CLONE, "bootstrap " + a.description(), cancel -> {
            return cloned(starts.clone(a.source(), a.follow(), false));
        }));
        ex.on(Action.StartPrimary.class, (a, u) -> {
            return ex.submit(LongAction.Kind.START_PRIMARY_AFTER_FAILURE, "starting primary after failure", cancel -> {
                // A lock lost before the start began (the decision cancels this and demotes, and a demote finds no
                // postmaster to stop yet): starting anyway would bring up a second primary beside the new leader
                // (simulator seed 4599; Patroni's interlock, ha.py handle_long_action_in_progress). The next cycle
                // starts it as a replica.
                if (cancel.requested()) {
                    LOG.info("start as primary cancelled: the leader lock was lost before pg_ctl start");
                    return List.of();
                }
                starts.start(StartRequest.asPrimary(ex.startTimeout(a.timeoutSeconds())), Role.PRIMARY);
                if (cancel.requested()) {
                    // lost while pg_ctl start ran, after the demote found nothing to stop (Patroni:
                    // terminate_starting_postmaster)
                    LOG.warn("the leader lock was lost while postgres started as primary: stopping it");
                    pg.stop(StopMode.IMMEDIATE, false, ex.stopTimeout());
                    return List.of();
                }
                // GET /primary answers 200 again the moment postgres takes writes (issue 17)
                loop.publishPostgresNow();
                loop.roleChanges().phase("start");
                loop.roleChanges().complete(node.roleNames().primary());
                return started();
            });
        });
        ex.on(Action.StartReplica.class, (a, u) -> ex.submit(LongAction.Kind.START, a.description(), cancel -> {
            List<Outcome> out = new ArrayList<>();
            StartRequest req = new StartRequest(targets.recovery(a.target()), ex.startTimeout(a.timeoutSeconds()),
                    a.callback(), a.role());
            starts.start(req, a.role());
            if (a.callback() != null) {
                out.addAll(started());
            }
            return out;
        }));
        // §4.8.1: the permanent logical slots the last slot sync found missing, copied from the primary (postgres
        // restarts), as Patroni's cycle does ('Copying logical slots ... from the primary')
        ex.on(Action.CopyLogicalSlots.class, (a, u) -> {
            Upstream leader = Targets.upstream(a.leader());
            if (leader == null) {
                return true;
            }
            LOG.info("Copying logical slots {} from the primary", a.slots().stream().map(c -> c.slotName()).toList());
            return ex.submit(LongAction.Kind.COPY_LOGICAL_SLOTS, "copy_logical_slots", cancel -> {
                try {
                    pg.copyLogicalSlots(leader, a.slots(),
                            Duration.ofSeconds(Math.max(60, loop.pgCtlTimeoutSeconds() * 2L)));
                } catch (PostgresException e) {
                    LOG.error("Failed to copy logical slots from the {}: {}", leader, e.getMessage());
                }
                return List.of();
            });
        });
        ex.on(Action.Promote.class, (a, u) -> {
            return ex.submit(LongAction.Kind.PROMOTE, "promote", cancel -> promote(cancel));
        });
        ex.on(Action.Demote.class, (a, u) -> stepDown.demote(a.mode(), a.inBackground(), u));
        ex.on(Action.CrashRecovery.class, (a, u) -> ex.submit(LongAction.Kind.CRASH_RECOVERY,
                "doing crash recovery in a single user mode", cancel -> {
                    pg.crashRecoverySingleUser(Duration.ofSeconds(Math.max(loop.dynamic().primaryStartTimeout(), 60)));
                    return List.of();
                }));
        ex.on(Action.Rewind.class, (a, u) -> ex.submit(LongAction.Kind.REWIND, "running pg_rewind from " + a.leader().memberName(),
                cancel -> {
                    if (pg.isRunning()) {
                        pg.stop(StopMode.FAST, false, ex.stopTimeout());
                        node.setState(PostgresState.STOPPED);
                    }
                    Upstream leader = Targets.upstream(a.leader());
                    try {
                        pg.rewind(leader, Duration.ofSeconds(Math.max(300, loop.pgCtlTimeoutSeconds())));
                        return List.of(new Outcome.Rewind(RewindState.SUCCESS));
                    } catch (PostgresException e) {
                        boolean removed = e instanceof PostgresException.RewindFailed f && f.dataDirectoryRemoved();
                        // Patroni's check_leader_is_not_in_recovery after a failed pg_rewind
                        boolean answered = removed || !(pg.checkDivergence(leader) instanceof Divergence.Undetermined);
                        if (answered) {
                            LOG.error("pg_rewind from {} failed: {}", a.leader(), e.getMessage());
                        } else {
                            LOG.warn("pg_rewind from {} failed because the primary became unreachable (trying again"
                                    + " later): {}", a.leader(), e.getMessage());
                        }
                        return List.of(new Outcome.RewindFailed(answered, removed));
                    }
                }));
        ex.on(Action.Reinitialize.class, (a, u) -> ex.submit(LongAction.Kind.REINITIALIZE, "reinitialize", cancel -> {
            pg.stop(StopMode.IMMEDIATE, false, Duration.ofSeconds(loop.dynamic().retryTimeout()));
            pg.removeDataDirectory();
            return cloned(starts.clone(a.source(), a.follow(), a.fromLeader()));
        }));
        ex.on(Action.Restart.class, (a, u) -> {
            String busy = runner.submit(LongAction.Kind.RESTART, "restart",
                    cancel -> List.of(restart(a.timeoutSeconds(), a.follow(), a.role())));
            if (busy != null) {
                // the decider saw nothing running, yet another long action holds the runner (one that ended its
                // cycle's chain late): a typed outcome, the next decision answers a waiting request with it
                u.add(new Outcome.Restarted(Outcome.Restarted.Result.NOT_STARTED, busy));
            }
            return true;
        });
    }

    /** The outcome of a clone for the decider: when it failed (the next attempt waits), or a fresh copy. */
    private List<Outcome> cloned(boolean ok) {
        if (!ok) {
            long failedAt = clock.nanoTime();
            return List.of(new Outcome.Cloned(false, failedAt));
        }
        // a copy of the leader cannot have diverged from it: nothing to check when it starts
        return List.of(new Outcome.Cloned(true, 0));
    }

    private List<Outcome> promote(LongActionRunner.Cancel cancel) {
        if (cancel.requested()) {
            LOG.info("promotion cancelled: the leader lock was lost before pg_ctl promote");
            return List.of();
        }
        try {
            pg.promote(Duration.ofSeconds(Math.max(loop.dynamic().loopWait(), 10)));
            node.setRole(Role.PRIMARY);
            // GET /primary answers 200 the moment postgres takes writes, not at the next cycle (issue 17)
            loop.publishPostgresNow();
            loop.roleChanges().phase("promote");
            loop.roleChanges().complete(node.roleNames().primary());
            return List.of(new Outcome.Promoted(true));
        } catch (PostgresException.HookFailed e) {
            LOG.warn("pre_promote refused the promotion: {}", e.getMessage());
            return List.of(new Outcome.Promoted(false));
        }
    }

    /** Stop, then start as the decider said (§3.5): the primary when {@code follow} is null, else in recovery. */
    private Outcome.Restarted restart(Integer timeoutSeconds, FollowTarget follow, Role role) {
        node.setState(PostgresState.RESTARTING);
        Recovery recovery = follow == null ? Recovery.primary() : targets.recovery(follow);
        try {
            pg.restart(new StartRequest(recovery, ex.startTimeout(timeoutSeconds != null ? timeoutSeconds
                    : loop.dynamic().primaryStartTimeout()), CallbackAction.ON_RESTART, role), ex.stopTimeout());
            node.setState(PostgresState.RUNNING);
            return new Outcome.Restarted(Outcome.Restarted.Result.RESTARTED);
        } catch (PostgresException.StartTimedOut e) {
            node.setState(PostgresState.STARTING);
            return new Outcome.Restarted(Outcome.Restarted.Result.STILL_STARTING);
        } catch (PostgresException e) {
            LOG.error("restart failed: {}", e.getMessage());
            node.setState(PostgresState.restartFailed(PostgresState.RUNNING));
            return new Outcome.Restarted(Outcome.Restarted.Result.FAILED);
        }
    }
}
