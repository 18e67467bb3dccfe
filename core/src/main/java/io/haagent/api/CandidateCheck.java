package io.haagent.api;

/**
 * Whether one member could take over from the leader, and if not, why (Patroni's {@code failover_limitation}:
 * {@code not reachable}, {@code not allowed to promote}, {@code not watchdog capable}, plus the agent's own
 * reasons such as lag or timeline). {@code reason} is null when eligible.
 */
public record CandidateCheck(String member, boolean eligible, String reason) {

    public static CandidateCheck eligible(String member) {
        return new CandidateCheck(member, true, null);
    }

    public static CandidateCheck rejected(String member, String reason) {
        return new CandidateCheck(member, false, reason);
    }
}
