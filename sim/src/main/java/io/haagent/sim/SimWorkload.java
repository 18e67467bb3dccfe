package io.haagent.sim;

import static io.haagent.sim.SimWorld.MS;

import io.haagent.pg.FakePostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client workload of one {@link SimRun} and the replication that confirms it: a client commits on every node that
 * accepts writes and records each commit as acknowledged (at once, or once enough synchronous standbys confirmed it)
 * or unknown (its connection dropped first).
 */
final class SimWorkload {
    private static final Pattern COUNT = Pattern.compile("^\\s*(?:(ANY|FIRST)\\s+)?(\\d+)\\s*\\(",
            Pattern.CASE_INSENSITIVE);

    private record Commit(SimNode node, long tl, long lsn) {
    }

    private final SimWorld w;
    private final Invariants invariants;
    private final List<Commit> pending = new ArrayList<>();
    /** The highest acknowledged position on each timeline. */
    final Map<Long, Long> acked = new TreeMap<>();
    /** The same, of commits synchronous standbys confirmed while a fence guarded their primary (invariant 2). */
    final Map<Long, Long> protectedAcked = new TreeMap<>();
    /** Commits acknowledged by an unfenced primary while it overlapped another (the known exception to invariant 1). */
    int overlapCommits;

    SimWorkload(SimWorld w, Invariants invariants) {
        this.w = w;
        this.invariants = invariants;
    }

    void streamTick() {
        w.lossyRound();
        w.pgWorld.stream();
        ackPending();
        w.at(w.now() + (200 + w.rnd.nextInt(500)) * MS, this::streamTick);
    }

    /** The client commits on every node that accepts writes (through HAProxy, a stale connection, ...). */
    void writeTick() {
        for (SimNode n : w.nodes.values()) {
            if (n.writable()) {
                n.pg.write(100 + w.rnd.nextInt(8000));
                Commit c = new Commit(n, n.pg.timeline(), n.pg.lsn());
                if (syncNeeded(n.pg.synchronousStandbyNames())) {
                    pending.add(c);
                } else {
                    ack(c, false);
                }
            }
        }
        ackPending();
        w.at(w.now() + (100 + w.rnd.nextInt(900)) * MS, this::writeTick);
    }

    private static boolean syncNeeded(String ssn) {
        return ssn != null && !ssn.isBlank();
    }

    private void ack(Commit c, boolean sync) {
        acked.merge(c.tl, c.lsn, Math::max);
        boolean unfenced = (c.node.agent != NodeView.Agent.UP || c.node.resuming) && !w.fenced(c.node);
        if (sync && !unfenced) {
            protectedAcked.merge(c.tl, c.lsn, Math::max);
        }
        if (unfenced && invariants.onePrimary().overlappingNow()) {
            overlapCommits++;
        }
    }

    /** Commits waiting for synchronous standbys: acknowledged once enough confirmed, unknown if the primary went. */
    private void ackPending() {
        for (var it = pending.iterator(); it.hasNext();) {
            Commit c = it.next();
            SimNode p = c.node;
            if (!p.writable() || p.pg.timeline() != c.tl) {
                it.remove(); // the client saw its connection drop: outcome unknown
            } else if (confirmed(p, c)) {
                ack(c, true);
                it.remove();
            }
        }
    }

    /** synchronous_standby_names semantics: FIRST k (priority) or ANY k (quorum) of the named, connected standbys. */
    private boolean confirmed(SimNode p, Commit c) {
        String ssn = p.pg.synchronousStandbyNames();
        if (!syncNeeded(ssn)) {
            return true;
        }
        Matcher m = COUNT.matcher(ssn);
        boolean any = false;
        int k = 1;
        if (m.find()) {
            any = "ANY".equalsIgnoreCase(m.group(1));
            k = Integer.parseInt(m.group(2));
        }
        List<String> names = FakePostgres.syncNames(ssn);
        List<SimNode> connected = new ArrayList<>();
        if (names.contains("*")) {
            for (SimNode r : w.nodes.values()) {
                if (connectedTo(r, p)) {
                    connected.add(r);
                }
            }
        } else {
            for (String name : names) {
                SimNode r = w.nodes.get(name);
                if (r != null && connectedTo(r, p)) {
                    connected.add(r);
                }
            }
        }
        if (any) {
            return connected.stream().filter(r -> r.pg.lsn() >= c.lsn).count() >= k;
        }
        if (connected.size() < k) {
            return false;
        }
        return connected.subList(0, k).stream().allMatch(r -> r.pg.lsn() >= c.lsn);
    }

    private static boolean connectedTo(SimNode r, SimNode p) {
        return r != p && r.pg.running() && r.pg.inRecovery() && r.pg.streaming() && r.pg.upstream() != null
                && r.pg.upstream().memberName().equals(p.name) && r.pg.timeline() == p.pg.timeline();
    }
}
