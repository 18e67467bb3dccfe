package io.haagent.dcs.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.haagent.config.EtcdConfig;
import io.haagent.time.Clock;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jetcd client of one agent, with the timing rules that keep a DCS call from hanging:
 * <ul>
 *   <li>every unary call and every {@code keepAliveOnce} carries a gRPC deadline of one attempt (the watch
 *       stream, which lives for hours, does not); calls fail fast instead of waiting for a connection
 *       ({@code waitForReady(false)});</li>
 *   <li>one attempt lasts at most {@code retry_timeout / number of endpoints} (at least 1 s), so with one hung
 *       etcd member a logical operation still has time to retry on another one, as Patroni splits its
 *       timeout over the nodes;</li>
 *   <li>after an attempt found etcd unreachable, the next call builds a fresh client (at most once a second):
 *       gRPC's own reconnect backoff grows to two minutes, far longer than a leader lease, so a recovered etcd
 *       would otherwise be noticed late.</li>
 *   <li>an outage is timed from the first attempt that found etcd unreachable, not per call: while no call has
 *       succeeded since then, a new operation gets what is left of {@code retry_timeout} counted from that
 *       attempt, and at least one short attempt ({@link #PROBE}) that finds a recovered etcd. Without this a
 *       cycle that meets a silent etcd spends a whole {@code retry_timeout} on each call it makes (the member
 *       key, then the next cycle's read, then the lock), and a primary in failsafe mode tells its replicas
 *       three timeouts late (Patroni's {@code dcs_failsafe_mode.feature}, "three-node cluster is functioning
 *       while DCS is down", gives 12 s). An outage shorter than {@code retry_timeout} still costs no call its
 *       answer; one longer is declared once, as Patroni's single retried read declares it.</li>
 * </ul>
 */
final class EtcdConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdConnection.class);
    private static final String WATCH_METHOD = "etcdserverpb.Watch/Watch";
    private static final Duration MIN_ATTEMPT = Duration.ofSeconds(1);
    private static final Duration REBUILD_INTERVAL = Duration.ofSeconds(1);
    /** The one attempt an operation gets when etcd has not answered for {@code retry_timeout} already. */
    static final Duration PROBE = MIN_ATTEMPT;
    private static final long REACHABLE = Long.MIN_VALUE;

    private final EtcdConfig config;
    private final Clock clock;
    private final ExecutorService callbacks;
    private final ScheduledExecutorService closer;
    private final Runnable onRebuild;
    private volatile Duration retryTimeout;
    private volatile Client client;
    private final List<Client> retired = new ArrayList<>();
    private volatile boolean suspect;
    /** Start of the first attempt that found etcd unreachable since the last answer, or {@link #REACHABLE}. */
    private final java.util.concurrent.atomic.AtomicLong unreachableSince =
            new java.util.concurrent.atomic.AtomicLong(REACHABLE);
    private long lastBuildNanos;
    private boolean closed;

    EtcdConnection(EtcdConfig config, Duration retryTimeout, Clock clock, Runnable onRebuild) {
        EtcdSettings.validate(config);
        this.config = config;
        this.clock = clock;
        this.retryTimeout = retryTimeout;
        this.onRebuild = onRebuild;
        this.callbacks = Executors.newCachedThreadPool(daemon("jetcd-callback"));
        this.closer = Executors.newSingleThreadScheduledExecutor(daemon("jetcd-closer"));
        this.client = build();
        this.lastBuildNanos = clock.nanoTime();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    void setRetryTimeout(Duration d) {
        retryTimeout = d;
    }

    Duration retryTimeout() {
        return retryTimeout;
    }

    /**
     * The time a new logical operation may take: {@code retry_timeout}, or while etcd has not answered since an
     * attempt found it unreachable, what is left of {@code retry_timeout} from that attempt, at least
     * {@link #PROBE}.
     */
    Duration operationBudget() {
        Duration full = retryTimeout;
        long since = unreachableSince.get();
        if (since == REACHABLE) {
            return full;
        }
        Duration left = full.minusNanos(clock.nanoTime() - since);
        return left.compareTo(PROBE) < 0 ? PROBE : left;
    }

    /** Whether the last attempts found etcd unreachable and none has succeeded since. */
    boolean inOutage() {
        return unreachableSince.get() != REACHABLE;
    }

    /** The time one attempt may take: retry_timeout split over the endpoints, at least 1 s. */
    Duration attemptTimeout() {
        Duration share = retryTimeout.dividedBy(Math.max(1, config.endpoints().size()));
        Duration t = share.compareTo(MIN_ATTEMPT) < 0 ? MIN_ATTEMPT : share;
        return t.compareTo(retryTimeout) > 0 ? retryTimeout : t;
    }

    List<String> endpoints() {
        return config.endpoints();
    }

    /** The current client, rebuilt first when the last attempt found etcd unreachable. */
    Client client() {
        if (suspect) {
            synchronized (this) {
                if (suspect && !closed && clock.nanoTime() - lastBuildNanos >= REBUILD_INTERVAL.toNanos()) {
                    rebuild();
                }
            }
        }
        return client;
    }

    private void rebuild() {
        Client old = client;
        client = build();
        lastBuildNanos = clock.nanoTime();
        suspect = false;
        LOG.debug("rebuilt the etcd client for {}", config.endpoints());
        // calls still running on the old client get until their own deadline, then it goes
        retired.add(old);
        closer.schedule(() -> retire(old), retryTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        onRebuild.run();
    }

    /**
     * One attempt of one call, bounded by {@code min(attempt timeout, what is left of the deadline)}.
     *
     * @throws EtcdFailure classified; for {@link EtcdErrors.Kind#UNREACHABLE} the outcome is unknown
     */
    <T> T call(Function<Client, CompletableFuture<T>> request, Deadline deadline) throws EtcdFailure {
        Duration left = deadline.remaining();
        if (left.isZero()) {
            throw new EtcdFailure(EtcdErrors.Kind.UNREACHABLE, "retry_timeout passed", new TimeoutException());
        }
        Duration attempt = attemptTimeout();
        Duration wait = attempt.compareTo(left) < 0 ? attempt : left;
        long started = clock.nanoTime();
        CompletableFuture<T> f;
        try {
            f = request.apply(client());
        } catch (RuntimeException e) {
            throw fail(e, started);
        }
        try {
            T result = f.get(wait.toNanos(), TimeUnit.NANOSECONDS);
            suspect = false;
            unreachableSince.set(REACHABLE);
            return result;
        } catch (TimeoutException e) {
            f.cancel(true);
            throw fail(e, started);
        } catch (ExecutionException e) {
            EtcdFailure failure = fail(e.getCause(), started);
            if (failure.kind() != EtcdErrors.Kind.UNREACHABLE) {
                unreachableSince.set(REACHABLE); // etcd answered (with an error)
            }
            throw failure;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new EtcdFailure(EtcdErrors.Kind.UNREACHABLE, "interrupted", e);
        }
    }

    private EtcdFailure fail(Throwable t, long attemptStarted) {
        EtcdErrors.Kind kind = EtcdErrors.classify(t);
        if (kind == EtcdErrors.Kind.UNREACHABLE) {
            suspect = true;
            unreachableSince.compareAndSet(REACHABLE, attemptStarted);
        }
        return new EtcdFailure(kind, EtcdErrors.describe(t), t);
    }

    /** Marks the connection as failed (the watch stream broke): the next call uses a fresh client. */
    void markSuspect() {
        suspect = true;
    }

    private Client build() {
        List<URI> uris = new ArrayList<>();
        for (String e : config.endpoints()) {
            uris.add(URI.create(e));
        }
        ClientBuilder b = Client.builder()
                .endpoints(uris)
                .waitForReady(false)
                // jetcd re-sends a call once after refreshing an expired auth token; every other retry is ours
                .retryMaxAttempts(1)
                .retryDelay(50)
                .retryMaxDelay(200)
                .connectTimeout(attemptTimeout())
                // a silent (partitioned, frozen) member is noticed by keepalive pings even without calls
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(attemptTimeout())
                .keepaliveWithoutCalls(true)
                .executorService(callbacks)
                .interceptor(new AttemptDeadline());
        if (config.username() != null && !config.username().isEmpty()) {
            b.user(ByteSequence.from(config.username(), StandardCharsets.UTF_8));
            b.password(ByteSequence.from(config.password() == null ? "" : config.password().reveal(),
                    StandardCharsets.UTF_8));
        }
        if (config.tls()) {
            try {
                b.sslContext(ssl -> {
                    if (config.cacert() != null) {
                        ssl.trustManager(new File(config.cacert()));
                    }
                    if (config.cert() != null) {
                        ssl.keyManager(new File(config.cert()), new File(config.key() != null ? config.key()
                                : config.cert()), config.keyPassword() == null ? null : config.keyPassword().reveal());
                    }
                });
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException(config.section() + ": cannot use the TLS files (cacert="
                        + config.cacert() + ", cert=" + config.cert() + ", key=" + config.key() + "): "
                        + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private synchronized void retire(Client old) {
        if (retired.remove(old)) {
            old.close();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        client.close();
        retired.forEach(Client::close);
        retired.clear();
        closer.shutdownNow();
        callbacks.shutdownNow();
    }

    /** Puts the attempt deadline on every call but the watch stream. */
    private final class AttemptDeadline implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                Channel next) {
            if (WATCH_METHOD.equals(method.getFullMethodName())) {
                return next.newCall(method, options);
            }
            return next.newCall(method, options.withDeadlineAfter(attemptTimeout().toMillis(),
                    TimeUnit.MILLISECONDS));
        }
    }
}
