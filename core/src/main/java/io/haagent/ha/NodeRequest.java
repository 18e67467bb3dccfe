package io.haagent.ha;

/**
 * A request made of this node through the REST API that changes what it does (issue 12): {@code POST /restart}
 * without a schedule and {@code POST /reinitialize}. The REST handler hands it to the loop and waits; the next cycle
 * gives it to the decider as an input ({@link HaInput#request()}), which refuses it with Patroni's sentence or emits
 * the long action, and answers through {@link Action.AnswerRequest} (a restart once its {@link Outcome.Restarted}
 * came back, as Patroni's handler waits for it).
 */
public sealed interface NodeRequest {

    /** Ties the answer to the request that waits for it. */
    long id();

    /**
     * Restart postgres now, if its conditions hold (§2.6): {@code role} (either spelling of the primary), a server
     * older than {@code postgresVersion} (e.g. 150010), a pending restart; {@code timeoutSeconds} bounds the start.
     */
    record Restart(long id, String role, Integer postgresVersion, boolean restartPending, Integer timeoutSeconds)
            implements NodeRequest {
    }

    /**
     * Wipe the data directory and clone it again; {@code force} cancels the long action running first;
     * {@code fromLeader}: from the leader by pg_basebackup, not a clonefrom member's methods (Patroni 4.1).
     */
    record Reinitialize(long id, boolean force, boolean fromLeader) implements NodeRequest {
        public Reinitialize(long id, boolean force) {
            this(id, force, false);
        }
    }

    /**
     * A request the decider accepted and has not answered yet, carried in {@link HaMemory}: a restart until its
     * outcome comes back ({@code restarted} then holds it), a forced reinitialize until the action it cancelled ended.
     */
    record InFlight(NodeRequest request, Outcome.Restarted restarted) {
        public InFlight withRestarted(Outcome.Restarted r) {
            return new InFlight(request, r);
        }
    }
}
