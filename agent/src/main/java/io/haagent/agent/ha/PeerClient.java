package io.haagent.agent.ha;

import io.haagent.ha.PeerStatus;
import java.util.Map;

/**
 * The agent-to-agent calls of an election and of failsafe mode (§2.4, §3.8): {@link HttpPeerClient} over the REST
 * API; a loop test or the simulator supplies its own network (answers, unreachable members, partitions).
 */
public interface PeerClient {

    /** {@code GET <api_url>} on every member; one status per member, unreachable on any error. */
    Map<String, PeerStatus> statuses(Map<String, String> apiUrls);

    /**
     * The primary's failsafe heartbeat: POST /failsafe to every other member of the failsafe key. True only if
     * every one answered 200 {@code Accepted} (a single-member cluster passes trivially).
     */
    boolean failsafeHeartbeat(String self, Map<String, String> failsafe, Map<String, Object> body);

    /** Warm the client up before the first election (no effect by default). */
    default void warmUp(String ownApiUrl) {
    }
}
