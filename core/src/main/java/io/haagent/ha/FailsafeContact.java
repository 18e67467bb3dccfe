package io.haagent.ha;

import java.util.Map;

/**
 * The last {@code POST /failsafe} this node accepted (§3.8, §7.5): a primary that runs on failsafe while etcd is out
 * of its reach. For {@code ttl} seconds after it arrived, the sender counts as the leader (no race while its lease is
 * gone) and its {@code slots} are the positions to advance permanent slots to.
 *
 * @param slots  slot name → LSN as the primary sent them (its member slot, and permanent slots)
 * @param atNanos monotonic time it arrived
 */
public record FailsafeContact(String name, String apiUrl, String connUrl, Map<String, Long> slots, long atNanos) {
    public FailsafeContact {
        slots = slots == null ? Map.of() : Map.copyOf(slots);
    }
}
