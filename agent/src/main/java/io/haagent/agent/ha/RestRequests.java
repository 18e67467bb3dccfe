package io.haagent.agent.ha;

import io.haagent.api.ActionOutcome;
import io.haagent.api.RestartRequest;
import io.haagent.ha.NodeRequest;
import io.haagent.ha.ScheduledRestart;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The REST requests the HA loop carries out (issue 12), between the REST threads and the loop: the restart scheduled
 * through {@code POST /restart} (read by every decision until it is due), and the requests a decision answers
 * ({@link NodeRequest}: an immediate restart, a reinitialize). A REST thread hands one over and waits for its
 * answer; each cycle takes the next one as the decider's input, and {@link io.haagent.ha.Action.AnswerRequest}
 * brings the answer back.
 */
final class RestRequests {
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentLinkedQueue<NodeRequest> queue = new ConcurrentLinkedQueue<>();
    private final Map<Long, CompletableFuture<ActionOutcome>> waiting = new ConcurrentHashMap<>();
    private volatile ScheduledRestart scheduled;
    private volatile RestartRequest scheduledRequest;

    /**
     * Hand a request to the loop and wait at most {@code timeout} for the decision's answer.
     *
     * @param ifNoAnswer the answer when none came in time (the request is withdrawn if no cycle took it yet)
     */
    ActionOutcome ask(LongFunction<NodeRequest> request, Runnable wakeLoop, Duration timeout, String ifNoAnswer) {
        long id = ids.incrementAndGet();
        CompletableFuture<ActionOutcome> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        NodeRequest r = request.apply(id);
        queue.add(r);
        wakeLoop.run();
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return ActionOutcome.refused(ifNoAnswer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ActionOutcome.refused(ifNoAnswer);
        } catch (ExecutionException e) {
            return ActionOutcome.refused(ifNoAnswer);
        } finally {
            queue.remove(r);
            waiting.remove(id);
        }
    }

    /**
     * Hand a request to the loop without waiting for its answer (a client that does not wait: the simulator's
     * operator); the next cycle takes it and its answer goes nowhere.
     */
    void submit(LongFunction<NodeRequest> request, Runnable wakeLoop) {
        queue.add(request.apply(ids.incrementAndGet()));
        wakeLoop.run();
    }

    /** The request the next decision reads, or null. */
    NodeRequest next() {
        return queue.poll();
    }

    /** A request waits to be taken by a cycle (for tests that drive the loop). */
    boolean pending() {
        return !queue.isEmpty();
    }

    /** The decision's answer ({@link io.haagent.ha.Action.AnswerRequest}); nothing when nobody waits any more. */
    void answer(long id, boolean ok, String text) {
        CompletableFuture<ActionOutcome> f = waiting.get(id);
        if (f != null) {
            f.complete(ok ? ActionOutcome.ok(text) : ActionOutcome.refused(text));
        }
    }

    /**
     * The chain of the decision that read {@code r} stopped before it was carried out (a lost race, an error): if
     * it was not answered yet, it is refused with the cycle's sentence. @return true when it was refused here
     */
    boolean refuseUnanswered(NodeRequest r, String why) {
        CompletableFuture<ActionOutcome> f = r == null ? null : waiting.get(r.id());
        return f != null && f.complete(ActionOutcome.refused(why));
    }

    // ------------------------------------------------------------------------------------------------- scheduled

    /** @return false when another restart is already scheduled */
    synchronized boolean schedule(RestartRequest r, ScheduledRestart s) {
        if (scheduled != null) {
            return false;
        }
        scheduledRequest = r;
        scheduled = s;
        return true;
    }

    synchronized void clearScheduled() {
        scheduled = null;
        scheduledRequest = null;
    }

    ScheduledRestart scheduled() {
        return scheduled;
    }

    RestartRequest scheduledRequest() {
        return scheduledRequest;
    }
}
