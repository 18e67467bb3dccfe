package io.haagent.rest.http;

import io.haagent.api.NodeActions;
import io.haagent.api.StatusBoard;
import io.haagent.rest.RestApiOptions;
import io.haagent.rest.access.AccessPolicy;
import io.haagent.rest.access.MemberAddresses;
import io.haagent.rest.status.RenderedSnapshot;
import io.haagent.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/** What every endpoint shares: the published snapshot, the write port, the clock, settings and the action pool. */
public final class ApiContext {
    final StatusBoard board;
    final NodeActions actions;
    final Clock clock;
    final RestApiOptions options;
    final ExecutorService actionExecutor;
    final MemberAddresses memberAddresses = new MemberAddresses();
    /** Permits to read (or drain) a request body: a slow body holds its thread until it arrives or times out. */
    final Semaphore bodyReaders;
    private volatile Settings settings;
    private volatile RenderedSnapshot rendered;

    /** The parts of {@code restapi} that a reload may change without restarting the listener. */
    public record Settings(AccessPolicy access, Map<String, String> extraHeaders) {
        public Settings {
            extraHeaders = Map.copyOf(extraHeaders);
        }
    }

    public ApiContext(StatusBoard board, NodeActions actions, Clock clock, RestApiOptions options,
            ExecutorService actionExecutor, Settings settings) {
        this.board = board;
        this.actions = actions;
        this.clock = clock;
        this.options = options;
        this.actionExecutor = actionExecutor;
        this.settings = settings;
        this.bodyReaders = new Semaphore(options.bodyReaders());
    }

    public Settings settings() {
        return settings;
    }

    public void settings(Settings s) {
        settings = s;
    }

    /**
     * The documents of the current snapshot, serialised at most once per published snapshot; its postgres part read
     * afresh when older than the agent's bound ({@link StatusBoard#fresh()}: peers compare WAL positions in it).
     */
    RenderedSnapshot rendered() {
        return rendered(false);
    }

    /** The same; {@code forPeer} for {@code GET /patroni}, whose WAL positions peers compare with their own. */
    RenderedSnapshot rendered(boolean forPeer) {
        var current = board.fresh(forPeer);
        RenderedSnapshot r = rendered;
        if (r == null || r.snapshot() != current) {
            r = new RenderedSnapshot(current);
            rendered = r;
        }
        return r;
    }
}
