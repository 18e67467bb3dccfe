package io.haagent.agent.ha;

import io.haagent.cluster.Member;
import io.haagent.ha.CycleRecord;
import io.haagent.ha.Decision;
import io.haagent.ha.HaDecider;
import io.haagent.ha.HaInput;
import io.haagent.ha.PeerStatus;
import io.haagent.pg.Divergence;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.Upstream;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One decision with its second-phase inputs (issue 12): the pure {@link HaDecider} says what else it must know before
 * it decides (the peers' {@code GET /patroni} in an election, the failsafe heartbeat of a primary that lost etcd, the
 * divergence check against the leader); this gathers each answer into the input and asks again. The input that
 * decided, every answer included, is the {@link CycleRecord}: the same input decides the same way on replay.
 */
final class SecondPhase {
    private static final Logger LOG = LoggerFactory.getLogger(HaLoop.class);

    /** The pure decider; the simulator of issue 13 may wrap it (its mutants, {@link HaLoop#decideWith}). */
    private java.util.function.Function<HaInput, Decision.Outcome> decider = new HaDecider()::decide;
    private final PostgresControl pg;
    private final PeerClient peers;
    private final BooleanSupplier failsafeHeartbeat;

    SecondPhase(PostgresControl pg, PeerClient peers, BooleanSupplier failsafeHeartbeat) {
        this.pg = pg;
        this.peers = peers;
        this.failsafeHeartbeat = failsafeHeartbeat;
    }

    void decideWith(java.util.function.UnaryOperator<java.util.function.Function<HaInput, Decision.Outcome>> wrap) {
        decider = wrap.apply(decider);
    }

    CycleRecord decide(HaInput in) {
        HaInput input = in;
        for (int i = 0; i < 4; i++) {
            Decision.Outcome out = decider.apply(input);
            if (out.decision() != null) {
                return new CycleRecord(input, out.decision());
            }
            if (out.failsafeCheckNeeded()) {
                input = input.withFailsafeTopologyOk(failsafeHeartbeat.getAsBoolean());
            } else if (out.divergenceCheckAgainst() != null) {
                Member leader = out.divergenceCheckAgainst();
                Divergence d = pg.checkDivergence(Upstream.of(leader));
                LOG.info("divergence check against {}: {}", leader.name(), d.reason());
                input = input.withDivergence(d);
            } else {
                Map<String, PeerStatus> answers = peers.statuses(out.peersNeeded());
                input = input.withPeers(answers);
            }
        }
        throw new IllegalStateException("the decider kept asking for more input");
    }
}
