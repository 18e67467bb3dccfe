package io.haagent.dcs.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.haagent.dcs.DcsKeys;
import io.haagent.dcs.WakeRule;
import io.haagent.time.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link ClusterCopy} of everything under the cluster prefix current with one etcd watch (reference
 * §1.6).
 *
 * <p>One thread owns the watch: a full linearizable range read, then a prefix watch from the revision after
 * it. Events update the copy and wake its waiters per {@link WakeRule}, so a deleted or
 * expired leader key reaches every member within milliseconds. Any watch error (a broken connection, a
 * compacted revision, a lost raft leader) closes the watch and starts over with a full read; the difference
 * between the old copy and the new one wakes waiters as events would have.
 *
 * <p>The copy is trusted only when the watch stream proves alive at the moment of the read: {@link #confirm}
 * asks etcd for a progress notification on the stream and waits for any answer, so a member cut off from etcd
 * (or behind a black hole) never serves a silently stale view.
 */
final class WatchCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchCache.class);
    private static final Duration RESYNC_PAUSE = Duration.ofSeconds(1);
    /** How often an idle watch stream must prove alive. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);

    interface FullRead {
        /** A linearizable range over the prefix within retry_timeout, or DcsUnavailableException. */
        GetResponse read();
    }

    private sealed interface Signal permits Events, Failed, Resync, Close {
    }

    private record Events(int generation, WatchResponse response) implements Signal {
    }

    private record Failed(int generation, Throwable error) implements Signal {
    }

    private record Resync(String why) implements Signal {
    }

    private record Close() implements Signal {
    }

    private final EtcdConnection conn;
    private final DcsKeys keys;
    private final Clock clock;
    private final FullRead fullRead;
    private final ClusterCopy copy;
    private final ByteSequence prefix;

    private volatile boolean ready;

    private final Object responseLock = new Object();
    /** Every answer on the current watch stream, counted as it arrives: the stream is alive. */
    private long responses;
    /**
     * Progress notifications, counted on the watch thread once every event queued before them is in the copy:
     * only these confirm the copy (an event that was on its way before the question proves nothing about now).
     */
    private long progressApplied;

    private final BlockingQueue<Signal> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Watch.Watcher watcher;
    private volatile int generation;
    private boolean outageLogged;

    WatchCache(EtcdConnection conn, DcsKeys keys, String memberName, Clock clock, FullRead fullRead,
            ClusterCopy copy) {
        this.conn = conn;
        this.keys = keys;
        this.clock = clock;
        this.fullRead = fullRead;
        this.copy = copy;
        this.prefix = ByteSequence.from(keys.prefix(), StandardCharsets.UTF_8);
        this.thread = new Thread(this::run, "etcd-watch-" + memberName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isReady() {
        return ready;
    }

    /** What {@link #confirm} found. */
    enum Confirmation {
        /** The watch stream answered after the question: the copy is as current as etcd's member. */
        CONFIRMED,
        /** There is no watch now (starting, or resynchronising after a failure). */
        NOT_READY,
        /** The watch exists but did not answer in time: it may be cut off. */
        NO_ANSWER
    }

    /**
     * Asks etcd for a progress notification on the watch stream and waits up to {@code wait} until one has been
     * applied. It proves the stream alive and every event before it in the copy, so the copy may be served; no
     * answer means it may not (a member behind a black hole would otherwise act on a stale view forever). Event
     * answers do not count: one already on its way when etcd went silent would confirm a copy nobody can vouch for.
     */
    Confirmation confirm(Duration wait) {
        Watch.Watcher w = watcher;
        if (!ready || w == null) {
            return Confirmation.NOT_READY;
        }
        long mark;
        synchronized (responseLock) {
            mark = progressApplied;
        }
        try {
            w.requestProgress();
        } catch (RuntimeException e) {
            return Confirmation.NO_ANSWER;
        }
        long end = clock.nanoTime() + wait.toNanos();
        synchronized (responseLock) {
            while (progressApplied == mark) {
                if (!ready) {
                    return Confirmation.NOT_READY;
                }
                long left = end - clock.nanoTime();
                if (left <= 0) {
                    return Confirmation.NO_ANSWER;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(responseLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Confirmation.NO_ANSWER;
                }
            }
            return ready ? Confirmation.CONFIRMED : Confirmation.NOT_READY;
        }
    }

    void resync(String why) {
        queue.offer(new Resync(why));
    }

    // ---- the watch thread

    private void run() {
        while (!closed) {
            long rev;
            try {
                GetResponse r = fullRead.read();
                rev = r.getHeader().getRevision();
                copy.replaceAll(r.getKvs(), rev);
            } catch (RuntimeException e) {
                // DcsUnavailableException, or a client closed under us by a rebuild
                ready = false;
                if (closed) {
                    return;
                }
                if (!outageLogged) {
                    LOG.warn("the watch cache of {} cannot be rebuilt ({}); retrying every second", keys.prefix(),
                            e.getMessage());
                    outageLogged = true;
                }
                if (waitForSignal(RESYNC_PAUSE) instanceof Close) {
                    return;
                }
                continue;
            }
            if (outageLogged) {
                LOG.info("etcd watch on {} re-established at revision {}", keys.prefix(), rev);
                outageLogged = false;
            }
            int gen = ++generation;
            try {
                watcher = conn.client().getWatchClient().watch(prefix, WatchOption.builder().isPrefix(true)
                        .withRevision(rev + 1).withRequireLeader(true).build(), new Listener(gen));
            } catch (RuntimeException e) {
                conn.markSuspect();
                if (waitForSignal(RESYNC_PAUSE) instanceof Close) {
                    return;
                }
                continue;
            }
            markResponse();
            ready = true;
            String why = follow(gen);
            ready = false;
            closeWatcher();
            synchronized (responseLock) {
                responseLock.notifyAll();
            }
            if (why == null) {
                return;
            }
            LOG.debug("resynchronising the watch cache of {}: {}", keys.prefix(), why);
        }
    }

    /**
     * Applies events until the watch fails or a resync is asked for; null when closing. Every
     * {@link #HEARTBEAT} the stream is asked for a progress notification; a stream that has not answered the
     * previous one (its etcd member hangs, or the path to it is cut) is abandoned, so wake-ups stop only for
     * a few seconds, not until TCP keepalive notices.
     */
    private String follow(int gen) {
        long nextBeat = clock.nanoTime() + HEARTBEAT.toNanos();
        long beatMark = -1;
        while (!closed) {
            Signal s;
            try {
                s = queue.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return null;
            }
            if (s instanceof Close) {
                return null;
            }
            if (s instanceof Resync r) {
                return r.why();
            }
            if (s instanceof Failed f && f.generation() == gen) {
                Throwable cause = EtcdErrors.unwrap(f.error());
                if (EtcdErrors.classify(cause) == EtcdErrors.Kind.UNREACHABLE) {
                    conn.markSuspect();
                }
                if (!closed) {
                    LOG.info("etcd watch on {} failed ({}); resynchronising", keys.prefix(),
                            EtcdErrors.describe(cause));
                }
                return "watch failed";
            }
            if (s instanceof Events ev && ev.generation() == gen) {
                apply(ev.response());
                if (ev.response().isProgressNotify()) {
                    synchronized (responseLock) {
                        progressApplied++;
                        responseLock.notifyAll();
                    }
                }
            }
            if (clock.nanoTime() - nextBeat >= 0) {
                long seen;
                synchronized (responseLock) {
                    seen = responses;
                }
                if (beatMark >= 0 && seen == beatMark) {
                    conn.markSuspect();
                    LOG.info("etcd watch on {} went silent (no answer to a progress request in {}); resynchronising",
                            keys.prefix(), HEARTBEAT);
                    return "watch silent";
                }
                beatMark = seen;
                Watch.Watcher w = watcher;
                if (w != null) {
                    try {
                        w.requestProgress();
                    } catch (RuntimeException e) {
                        return "progress request failed";
                    }
                }
                nextBeat = clock.nanoTime() + HEARTBEAT.toNanos();
            }
        }
        return null;
    }

    private void apply(WatchResponse response) {
        for (WatchEvent e : response.getEvents()) {
            if (e.getEventType() == WatchEvent.EventType.DELETE) {
                copy.deleted(e.getKeyValue());
            } else if (e.getEventType() == WatchEvent.EventType.PUT) {
                copy.put(e.getKeyValue());
            }
        }
        copy.advanceTo(response.getHeader().getRevision());
    }

    private Signal waitForSignal(Duration d) {
        try {
            Signal s = queue.poll(d.toMillis(), TimeUnit.MILLISECONDS);
            return s == null ? new Resync("retry") : s;
        } catch (InterruptedException e) {
            return new Close();
        }
    }

    private void markResponse() {
        synchronized (responseLock) {
            responses++;
            responseLock.notifyAll();
        }
    }

    private void closeWatcher() {
        Watch.Watcher w = watcher;
        watcher = null;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                // the client may be closed already
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.offer(new Close());
        // a full read in progress may wait up to retry_timeout: interrupt it
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeWatcher();
    }

    /** Hands jetcd's callbacks to the watch thread, tagged with the watch they belong to. */
    private final class Listener implements Watch.Listener {
        private final int gen;

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onNext(WatchResponse response) {
            if (gen == generation) {
                markResponse();
            }
            if (!response.getEvents().isEmpty() || response.isProgressNotify()) {
                queue.offer(new Events(gen, response));
            }
        }

        @Override
        public void onError(Throwable t) {
            queue.offer(new Failed(gen, t));
        }

        @Override
        public void onCompleted() {
            // our own close(), or jetcd giving up: either way this watch is over
            queue.offer(new Failed(gen, new IllegalStateException("watch completed")));
        }
    }
}
