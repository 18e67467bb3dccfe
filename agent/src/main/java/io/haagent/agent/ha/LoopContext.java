package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.config.DynamicConfig;

/** What the executor needs from the loop that drives it. */
public interface LoopContext {

    /** The dynamic configuration in force. */
    DynamicConfig dynamic();

    /** The cluster view of the current cycle (null when etcd was unreachable). */
    ClusterView cluster();

    /** This node's {@code restapi} URL as members reach it (the failsafe key names it). */
    String apiUrl();

    /** The watchdog device (§7.1). */
    Watchdog watchdog();

    /** The failsafe key as last read or written, and the POST /failsafe calls made and received (§3.8). */
    FailsafeContacts failsafeContacts();

    /** {@code postgresql.pg_ctl_timeout}: the default bound of a start or stop. */
    int pgCtlTimeoutSeconds();

    /** Use replication slots ({@code postgresql.use_slots}). */
    boolean useSlots();

    /** Forget the scheduled restart. */
    void clearScheduledRestart();

    /** The decision's answer to a REST request ({@link io.haagent.ha.Action.AnswerRequest}). */
    void answerRequest(long id, boolean ok, String text);

    /** Stop the agent: a fatal condition (exit status 1). */
    void exit(String reason);

    /** Run the next cycle now (an action finished, or changed something the next decision depends on). */
    void wakeUp();

    /** Timings of the role change in progress, for {@code /patroni} and {@code /metrics}. */
    RoleChangeClock roleChanges();

    /**
     * Publish the lock belief and the step-down state to the REST API now, not at the end of the cycle (a primary
     * that stops taking writes to step down answers 503 on GET /primary at once). No I/O.
     */
    void publishNow();

    /**
     * Read postgres once and publish what it is now, with {@link #publishNow()}'s facts (a promotion that just ended:
     * GET /primary answers 200 the moment postgres takes writes, not at the next cycle).
     */
    void publishPostgresNow();
}
