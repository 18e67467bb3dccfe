package io.haagent.sim;

import static io.haagent.sim.SimWorld.S;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.NodeRequest;
import io.haagent.ha.RewindState;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The fault schedule of one {@link SimRun} played on its world: each {@link Fault} begins (and, unless instantaneous,
 * heals) as an event; the watchdog that fences a frozen or dead leader; the operator's actions as Patroni's tools
 * would let a careful operator take them.
 */
final class SimFaults {
    private final SimWorld w;
    private final SimAgents agents;
    private int maxLagEdits;

    SimFaults(SimWorld w, SimAgents agents) {
        this.w = w;
        this.agents = agents;
    }

    /** Schedules each fault's beginning and healing. */
    void schedule(List<Fault> faults) {
        for (Fault f : faults) {
            w.at(f.atNanos(), () -> begin(f));
            if (!f.kind().instantaneous()) {
                w.at(f.endNanos(), () -> end(f));
            }
        }
    }

    private void begin(Fault f) {
        w.trace.add(w.now(), "FAULT " + f);
        SimNode a = f.a() == null ? null : w.nodes.get(f.a());
        switch (f.kind()) {
            case AGENT_CRASH -> {
                if (a.agent != NodeView.Agent.DOWN) {
                    agents.stop(a, "crashes");
                    watchdogAt(a);
                }
            }
            case POSTMASTER_CRASH -> {
                a.pg.crash();
                agents.pgEvents(a);
            }
            case AGENT_FREEZE -> {
                if (a.agent == NodeView.Agent.UP) {
                    a.agent = NodeView.Agent.FROZEN;
                    watchdogAt(a);
                }
            }
            case DCS_DOWN -> w.store.setReachable(false);
            case DCS_CUT -> {
                a.dcsCut = true;
                if (a.dcs != null) {
                    a.dcs.setLinked(false);
                }
            }
            case PEER_CUT -> cut(w.peerCut, f, true);
            case STREAM_CUT -> cut(w.streamCut, f, true);
            case STALL -> {
                a.stalled = true;
                a.pg.stall(true);
            }
            case SWITCHOVER, FAILOVER -> operatorFailover(f);
            case PAUSE -> pause(true);
            case LOSSY_LINK -> cut(w.lossy, f, true);
            case TOOL_FAIL -> a.pg.failRuns(f.b(), true);
            case TOOL_SLOW -> a.toolsSlowUntil = f.endNanos();
            case CLOCK_JUMP -> a.wallOffsetSeconds += Long.parseLong(f.b());
            case RESTART -> operatorRequest(a, "restart", id -> new NodeRequest.Restart(id, null, null, false, null));
            case REINIT -> operatorRequest(a, "reinitialize", id -> new NodeRequest.Reinitialize(id, false));
            case CONFIG_EDIT -> editConfig(f.b(), true);
        }
    }

    private void end(Fault f) {
        w.trace.add(w.now(), "HEAL " + f);
        SimNode a = f.a() == null ? null : w.nodes.get(f.a());
        switch (f.kind()) {
            case AGENT_CRASH -> {
                if (a.agent == NodeView.Agent.DOWN && agents.deathless(a)) {
                    agents.start(a);
                }
            }
            case AGENT_FREEZE -> {
                if (a.agent == NodeView.Agent.FROZEN) {
                    agents.resume(a);
                } else if (a.agent == NodeView.Agent.DOWN && agents.deathless(a)) {
                    agents.start(a); // the watchdog reset the machine meanwhile
                }
            }
            case DCS_DOWN -> w.store.setReachable(true);
            case DCS_CUT -> {
                a.dcsCut = false;
                if (a.dcs != null) {
                    a.dcs.setLinked(true);
                }
            }
            case PEER_CUT -> cut(w.peerCut, f, false);
            case STREAM_CUT -> cut(w.streamCut, f, false);
            case STALL -> {
                a.stalled = false;
                a.pg.stall(false);
            }
            case PAUSE -> pause(false);
            case CONFIG_EDIT -> editConfig(f.b(), false);
            case LOSSY_LINK -> {
                cut(w.lossy, f, false);
                w.lossyHealed();
            }
            case TOOL_FAIL -> {
                a.pg.failRuns(f.b(), false);
                if (f.b().equals("rewind")) {
                    repairFailedRewind(a, 0);
                }
            }
            case TOOL_SLOW -> a.toolsSlowUntil = 0;
            case CLOCK_JUMP -> a.wallOffsetSeconds -= Long.parseLong(f.b()); // NTP steps it back
            default -> {
            }
        }
    }

    private static void cut(Set<String> links, Fault f, boolean cut) {
        List<String> keys = f.oneWay() ? List.of(f.a() + ">" + f.b()) : List.of(f.a() + ">" + f.b(), f.b() + ">" + f.a());
        if (cut) {
            links.addAll(keys);
        } else {
            links.removeAll(keys);
        }
    }

    /**
     * The watchdog (a fence outside the agent): armed by the leader's cycles, it resets the machine when the agent has
     * not kept it alive for {@code ttl - safety_margin} (5 s), so the lease cannot expire while postgres still accepts
     * writes. Its timer runs from the last keepalive, not the last cycle: a leader's cycle that could not renew the
     * lock (etcd cut, a demote begun) does not keep it alive, as Patroni's and the agent's do not.
     */
    private void watchdogAt(SimNode n) {
        if (!w.fenced(n)) {
            return; // disarmed: paused, the node never led, or stepped down
        }
        int inc = n.incarnation;
        long kick = n.lastKick;
        w.at(Math.max(w.now(), kick + (w.ttl - 5L) * S), () -> {
            // (it resets the machine whatever postgres does at that moment: a start as primary the frozen agent began
            // would otherwise finish, in the model, when the agent resumes; the real pg_ctl child goes on meanwhile)
            if (n.lastKick == kick && n.agent != NodeView.Agent.UP) {
                w.trace.add(w.now(), n.name + " watchdog fires: the machine resets");
                n.pg.crash();
                agents.pgEvents(n);
                if (n.agent == NodeView.Agent.FROZEN && inc == n.incarnation) {
                    agents.stop(n, "is reset with its machine");
                }
            }
        });
    }

    private void operatorFailover(Fault f) {
        try {
            ClusterView v = w.observer.freshCluster();
            String leader = v.isUnlocked() ? null : v.leaderName();
            FailoverRequest req;
            String syncMode = w.variant.syncMode();
            if (f.kind() == Fault.Kind.SWITCHOVER) {
                if (leader == null) {
                    w.trace.add(w.now(), "operator: no leader to switch over from");
                    return;
                }
                String candidate = leader.equals(f.b()) ? null : f.b();
                if (candidate != null && syncMode.equals("on")
                        && (v.sync() == null || !v.sync().syncStandbys().contains(candidate))) {
                    // Patroni's POST /switchover refuses it (412 'candidate name does not match with
                    // sync_standby'): a request nobody but the frozen leader could have cleared
                    w.trace.add(w.now(), "operator: switchover to " + candidate + " refused: candidate name does not"
                            + " match with sync_standby");
                    return;
                }
                req = FailoverRequest.of(leader, candidate, null);
            } else {
                String candidate = f.b();
                if (!syncMode.equals("off") && v.sync() != null && !v.sync().isEmpty()) {
                    // A manual failover in synchronous mode to a node that lacks commits the others confirmed (an
                    // asynchronous one, or under quorum commit a voter that fell behind) gives them up: Patroni
                    // allows it as the operator's choice, with patronictl showing the lag. This operator, as a
                    // careful one, names the synchronous standby furthest ahead instead.
                    candidate = v.sync().syncStandbys().stream().filter(w.nodes::containsKey)
                            .max(Comparator.comparingLong((String c) -> w.nodes.get(c).pg.lsn())
                                    .thenComparing(Comparator.reverseOrder()))
                            .orElse(null);
                    if (candidate == null) {
                        w.trace.add(w.now(), "operator: no synchronous standby to fail over to");
                        return;
                    }
                }
                SimNode named = candidate == null ? null : w.nodes.get(candidate);
                if (named != null && syncMode.equals("off") && named.pg.lsn() < v.lastLsn() - w.maxLag) {
                    // Patroni lets a manual failover's candidate promote in a cluster without a leader whatever its
                    // lag (rest_api.rst, 'Healthy standby': the operator's accepted loss). This operator, reading
                    // the lag in patronictl list, names the member furthest ahead instead of one that lags more
                    // than maximum_lag_on_failover behind the leader's last published position.
                    String leaderName = leader;
                    candidate = w.nodes.values().stream().filter(n -> !n.name.equals(leaderName))
                            .max(Comparator.comparingLong((SimNode n) -> n.pg.lsn())
                                    .thenComparing(n -> n.name, Comparator.reverseOrder()))
                            .map(n -> n.name).orElse(candidate);
                }
                req = FailoverRequest.of(null, candidate, null);
            }
            w.observer.setFailover(req, Dcs.ANY_REVISION);
        } catch (DcsUnavailableException e) {
            w.trace.add(w.now(), "operator: " + e.getMessage());
        }
    }

    /**
     * The operator's {@code POST /restart} or {@code POST /reinitialize} to one agent: only an agent that is up answers
     * its REST API (a frozen or dead one times out, and patronictl gives up); the decider judges it as it would any.
     */
    private void operatorRequest(SimNode n, String what, LongFunction<NodeRequest> request) {
        if (n.agent != NodeView.Agent.UP) {
            w.trace.add(w.now(), "operator: " + what + " of " + n.name + " timed out: its agent does not answer");
            return;
        }
        n.loop.submitRequest(request);
    }

    /**
     * The operator mends a member whose pg_rewind failed while the tool was failing: {@code patronictl reinit} once
     * the tool works again. A pg_rewind that failed against a primary that answered stays FAILED and the member never
     * follows (Patroni's rule, and ours: {@code Outcome.RewindFailed}), since a pg_rewind that fails part way leaves
     * a data directory PostgreSQL's documentation says is likely not recoverable, to be replaced by a new base backup
     * (what {@code remove_data_directory_on_rewind_failure} automates). The operator looks at the member's state
     * (patronictl list, its log) when the fault heals and every 5 s for 20 s more, as its agent may report the failure
     * a cycle later or not answer yet (frozen); an agent that restarts meanwhile forgets the failure and rewinds again.
     */
    private void repairFailedRewind(SimNode n, int look) {
        var last = n.agent == NodeView.Agent.UP ? n.loop.lastCycle() : null;
        if (last != null && last.decision().memory().rewind() == RewindState.FAILED) {
            w.trace.add(w.now(), "operator: pg_rewind failed on " + n.name + ", reinitializing it");
            operatorRequest(n, "reinitialize", id -> new NodeRequest.Reinitialize(id, false));
        } else if (look < 4) {
            w.at(w.now() + 5 * S, () -> repairFailedRewind(n, look + 1));
        }
    }

    /**
     * {@code patronictl edit-config} of one {@code key=value}, or setting it back to the cluster's own value; a
     * failed write is retried until it lands, as an operator would.
     */
    private void editConfig(String edit, boolean on) {
        String key = edit.substring(0, edit.indexOf('='));
        long value = on ? Long.parseLong(edit.substring(edit.indexOf('=') + 1))
                : key.equals("loop_wait") ? w.loopWait : w.variant.maxLag();
        try {
            ClusterView v = w.observer.freshCluster();
            Map<String, Object> cfg = new LinkedHashMap<>(v.config() == null ? Map.of() : v.config().data());
            cfg.put(key, value);
            w.observer.setConfig(cfg, Dcs.ANY_REVISION);
            if (key.equals("maximum_lag_on_failover")) {
                maxLagEdited(value);
            }
        } catch (DcsUnavailableException e) {
            w.trace.add(w.now(), "operator: " + e.getMessage());
            if (!on) {
                w.at(w.now() + S, () -> editConfig(edit, false)); // the operator retries the undo until it lands
            }
        }
    }

    /**
     * A new maximum_lag_on_failover: a larger one bounds failovers at once; a smaller one only once every failover
     * decided under the old one is done (a cycle to read it, a promote that may be slow: 120 s).
     */
    private void maxLagEdited(long value) {
        w.maxLag = value;
        int edit = ++maxLagEdits;
        if (value >= w.maxLagBound) {
            w.maxLagBound = value;
        } else {
            w.at(w.now() + 120 * S, () -> {
                if (edit == maxLagEdits) {
                    w.maxLagBound = w.maxLag;
                }
            });
        }
    }

    private void pause(boolean on) {
        try {
            ClusterView v = w.observer.freshCluster();
            Map<String, Object> cfg = new LinkedHashMap<>(v.config() == null ? Map.of() : v.config().data());
            cfg.put("pause", on);
            w.observer.setConfig(cfg, Dcs.ANY_REVISION);
        } catch (DcsUnavailableException e) {
            w.trace.add(w.now(), "operator: " + e.getMessage());
            if (!on) {
                w.at(w.now() + S, () -> pause(false)); // the operator retries the resume until it lands
            }
        }
    }
}
