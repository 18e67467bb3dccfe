package io.haagent.ha;

import java.util.List;

/**
 * What carrying out an action tells the next decision (issue 12): a typed record, not a function over the decider's
 * memory. The executor and the long-action runner hand these back; the loop applies them to {@link HaMemory} before
 * the next cycle decides, each by the rule written here, so a test or the simulator can assert, print and replay
 * exactly what came back ("the clone failed at t", "pg_rewind succeeded", "pre_promote refused").
 */
public sealed interface Outcome {

    /** The memory the next decision starts from, given this outcome. */
    HaMemory applyTo(HaMemory m);

    static HaMemory applyAll(HaMemory m, List<? extends Outcome> outcomes) {
        HaMemory out = m;
        for (Outcome o : outcomes) {
            out = o.applyTo(out);
        }
        return out;
    }

    /** A bootstrap (initdb, a custom method, or a standby leader's clone) was started; its result is unknown. */
    record BootstrapStarted() implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.withBootstrapping(true, null);
        }
    }

    /**
     * The bootstrap ended: {@code ok} false when initdb, the custom method, the clone or post_bootstrap failed; true
     * once post_bootstrap ran. {@code cloneOfRemote}: a standby leader cloned from the remote, which cannot have
     * diverged from it.
     */
    record BootstrapFinished(boolean ok, boolean cloneOfRemote) implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            HaMemory out = m.withBootstrapping(true, ok);
            return cloneOfRemote ? out.withRewind(RewindState.NOT_NEEDED) : out;
        }
    }

    /**
     * A replica's data directory was created from a member: a fresh copy of the leader cannot have diverged from it
     * (and fires on_start when it runs); a failure makes the next attempt wait (since {@code atNanos}).
     */
    record Cloned(boolean ok, long atNanos) implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return ok ? m.withRewind(RewindState.NOT_NEEDED).withOnStartFired(false).withCloneFailed(0)
                    : m.withCloneFailed(atNanos);
        }
    }

    /** What a divergence check or pg_rewind found (§4.7): NEEDED, NOT_NEEDED, SUCCESS, FAILED. */
    record Rewind(RewindState state) implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.withRewind(state);
        }
    }

    /**
     * pg_rewind failed (§4.7), read as Patroni's {@code rewind.execute} does. When the leader no longer answered as a
     * primary afterwards (it became unreachable, or went into recovery, while pg_rewind ran, or before it could
     * begin), nothing says the rewind cannot work: the node stays NEEDED and a later decision tries again (that
     * decision re-reads whether pg_rewind can still run here, Patroni's {@code can_rewind}, as every NEEDED one
     * does). A failure against a primary that answered, or one that removed the data directory, is FAILED.
     */
    record RewindFailed(boolean leaderAnswered, boolean dataDirectoryRemoved) implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.withRewind(leaderAnswered || dataDirectoryRemoved ? RewindState.FAILED : RewindState.NEEDED);
        }
    }

    /** postgres follows another upstream now, or stopped to step down: check for divergence again (§4.7). */
    record RewindCheckDue() implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.triggerRewindCheck();
        }
    }

    /**
     * A primary stepped down (§3.7): postgres is stopped and the lock given up, and the next decision starts it as a
     * replica, as Patroni's demote starts it itself. After a switchover (graceful) by the rules every stopped replica
     * goes through (§3.6 recover: the leader of that cycle's view, a divergence check), in pause too, where a stopped
     * postgres is otherwise left alone; after an offline or immediate step-down at once ('starting after demotion':
     * offline following nobody, the immediate modes following the leader).
     */
    record SteppedDown(DemoteMode mode) implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.withStartAfterDemote(mode);
        }
    }

    /** pg_ctl promote ended: {@code ok} false when pre_promote refused (the lock is released, §3.5). */
    record Promoted(boolean ok) implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.withPromoteResult(ok);
        }
    }

    /** postgres started and is ready, and the start fired its callback: on_start is not fired again for it. */
    record StartCallbackFired() implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.withOnStartFired(true);
        }
    }

    /**
     * A restart ended (or, asked for through the REST API, could not start: {@code busyWith} names the action that
     * runs): the start timeout it asked for no longer applies, and a REST request waiting for it gets its answer.
     */
    record Restarted(Result result, String busyWith) implements Outcome {
        /** How the restart ended, as Patroni's handler tells the client. */
        public enum Result { RESTARTED, STILL_STARTING, FAILED, NOT_STARTED }

        public Restarted(Result result) {
            this(result, null);
        }

        @Override
        public HaMemory applyTo(HaMemory m) {
            HaMemory out = m.withStartTimeout(null);
            NodeRequest.InFlight f = m.requestInFlight();
            if (f != null && f.request() instanceof NodeRequest.Restart && f.restarted() == null) {
                out = out.withRequestInFlight(f.withRestarted(this));
            }
            return out;
        }
    }

    /** The CHECKPOINT after a promotion was issued (or is being issued): nothing is pending any more. */
    record CheckpointAfterPromoteDone() implements Outcome {
        @Override
        public HaMemory applyTo(HaMemory m) {
            return m.withCheckpointAfterPromotePending(false);
        }
    }
}
