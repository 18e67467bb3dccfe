package io.haagent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The faults of {@code --faults all} beyond the classic ones: each modelled as the real thing behaves. */
class SimFaultsTest {
    private static final long S = 1_000_000_000L;
    private static final List<String> NAMES = List.of("pg1", "pg2", "pg3");

    private static SimWorld world() {
        return new SimWorld(1, new Variant("off", false, 65536, false), NAMES);
    }

    private static Fault fault(Fault.Kind kind, long atSeconds, long forSeconds, String a, String b) {
        return new Fault(kind, atSeconds * S, forSeconds * S, a, b, false);
    }

    private static List<Fault> onEveryNode(Fault.Kind kind, long atSeconds, long forSeconds, String b) {
        List<Fault> out = new ArrayList<>();
        for (String n : NAMES) {
            out.add(fault(kind, atSeconds, forSeconds, n, b));
        }
        return out;
    }

    @Test
    void aLossyLinkLosesAboutHalfItsMessagesOnTheWayItIsLossy() {
        SimWorld w = world();
        for (int i = 0; i < 100; i++) {
            assertThat(w.delivered("pg1", "pg2")).isTrue();
        }
        w.lossy.add("pg1>pg2");
        int delivered = 0;
        for (int i = 0; i < 1000; i++) {
            delivered += w.delivered("pg1", "pg2") ? 1 : 0;
            assertThat(w.delivered("pg2", "pg1")).isTrue();
        }
        assertThat(delivered).isBetween(400, 600);
    }

    @Test
    void aWallClockJumpLeavesTheMonotonicClockAlone() {
        SimWorld w = world();
        SimNode n = w.nodes.get("pg1");
        n.wallOffsetSeconds = -3600;
        assertThat(n.clock.nanoTime()).isEqualTo(w.clock.nanoTime());
        assertThat(n.clock.now()).isEqualTo(w.clock.now().minusSeconds(3600));
        assertThat(w.nodes.get("pg2").clock.now()).isEqualTo(w.clock.now());
    }

    @Test
    void theAgentsDoNotCareAboutWallClockJumps() {
        List<Fault> jumps = List.of(fault(Fault.Kind.CLOCK_JUMP, 50, 60, "pg1", "-86400"),
                fault(Fault.Kind.CLOCK_JUMP, 60, 30, "pg2", "3600"), fault(Fault.Kind.CLOCK_JUMP, 70, 40, "pg3", "-30"));
        // the same schedule with steps of nothing
        List<Fault> none = jumps.stream().map(f -> new Fault(f.kind(), f.atNanos(), f.forNanos(), f.a(), "0", false))
                .toList();
        SimRun.Result jumped = new SimRun(11, 3, jumps, null).run();
        SimRun.Result steady = new SimRun(11, 3, none, null).run();
        assertThat(jumped.breach()).isNull();
        assertThat(jumped.trace().lines()).anyMatch(l -> l.contains("FAULT clock-jump pg1 by -86400 s"));
        assertThat(decisions(jumped)).isEqualTo(decisions(steady)).hasSizeGreaterThan(30);
    }

    /** What the agents decided, and when. */
    private static List<String> decisions(SimRun.Result r) {
        return r.trace().lines().stream().filter(l -> l.matches("^[0-9.]+ pg[0-9]: .*")).toList();
    }

    @Test
    void aFailingToolFailsEveryRunUntilItHeals() {
        List<Fault> faults = new ArrayList<>(onEveryNode(Fault.Kind.TOOL_FAIL, 45, 30, "basebackup"));
        faults.addAll(onEveryNode(Fault.Kind.REINIT, 50, 0, null));
        SimRun.Result r = new SimRun(11, 3, faults, null).run();
        assertThat(r.breach()).as("%s", r.trace().tail(40)).isNull();
        assertThat(r.trace().lines()).anyMatch(l -> l.contains("reinitializing from leader"));
        assertThat(r.trace().lines().stream().filter(l -> l.contains("postgres: basebackup failed")).count())
                .isGreaterThan(1);
        assertThat(r.trace().lines()).anyMatch(l -> l.contains("HEAL tool-fail"));
    }

    @Test
    void theOperatorReinitializesAMemberWhosePgRewindFailedOnceTheToolWorks() {
        // (seed 4643's schedule, shrunk) the primary's agent freezes past the TTL, another member promotes, and the
        // old primary's pg_rewind fails while the tool does: FAILED for good (as Patroni's), it follows but never
        // streams until the operator reinitializes it
        List<Fault> faults = List.of(fault(Fault.Kind.AGENT_FREEZE, 42, 37, "pg1", null),
                fault(Fault.Kind.TOOL_FAIL, 77, 37, "pg1", "rewind"));
        SimRun.Result r = new SimRun(4643, 3, faults, null).run();
        assertThat(r.breach()).as("%s", r.trace().tail(40)).isNull();
        List<String> lines = r.trace().lines();
        String failed = lines.stream().filter(l -> l.contains("pg1 postgres: rewind failed")).findFirst().orElseThrow();
        String healed = lines.stream().filter(l -> l.contains("HEAL tool-fail pg1 rewind")).findFirst().orElseThrow();
        assertThat(lines).anyMatch(l -> l.contains("operator: pg_rewind failed on pg1, reinitializing it"));
        String reinit = lines.stream().filter(l -> l.contains("pg1: reinitializing from leader")).findFirst()
                .orElseThrow();
        assertThat(at(failed)).isLessThan(at(healed));
        assertThat(at(reinit)).isGreaterThanOrEqualTo(at(healed));
    }

    @Test
    void slowToolsTakePastTheTtl() {
        List<Fault> faults = new ArrayList<>(onEveryNode(Fault.Kind.TOOL_SLOW, 45, 120, null));
        faults.addAll(onEveryNode(Fault.Kind.RESTART, 50, 0, null));
        SimRun.Result r = new SimRun(11, 3, faults, null).run();
        assertThat(r.breach()).as("%s", r.trace().tail(40)).isNull();
        List<String> lines = r.trace().lines();
        String asked = lines.stream().filter(l -> l.contains(": restarting as requested")).findFirst().orElseThrow();
        String node = asked.split(" ")[1].replace(":", "");
        String stopped = lines.stream().filter(l -> l.contains(node + " postgres: stop")).filter(l -> at(l) > at(asked))
                .findFirst().orElseThrow();
        assertThat(at(stopped) - at(asked)).isGreaterThanOrEqualTo(10.0);
    }

    @Test
    void anEditedLoopWaitIsTheAgentsUntilTheOperatorSetsItBack() {
        SimRun.Result r = new SimRun(11, 3, List.of(new Fault(Fault.Kind.CONFIG_EDIT, 50 * S, 60 * S, null,
                "loop_wait=2", false)), null).run();
        assertThat(r.breach()).isNull();
        assertThat(r.trace().lines()).anyMatch(l -> l.contains("FAULT config-edit loop_wait=2"));
        assertThat(cyclesOfPg1(r, 10, 50)).isBetween(3L, 6L);
        assertThat(cyclesOfPg1(r, 60, 100)).isGreaterThanOrEqualTo(15L);
        assertThat(cyclesOfPg1(r, 130, 170)).isBetween(3L, 6L);
    }

    private static long cyclesOfPg1(SimRun.Result r, double from, double to) {
        return decisions(r).stream().filter(l -> l.contains(" pg1: ") && at(l) >= from && at(l) < to).count();
    }

    private static double at(String line) {
        return Double.parseDouble(line.substring(0, line.indexOf(' ')));
    }
}
