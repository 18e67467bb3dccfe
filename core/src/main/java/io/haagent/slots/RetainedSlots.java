package io.haagent.slots;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.config.SlotSpec;
import io.haagent.pg.SlotNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * {@code status.retain_slots} (Patroni 4.1, {@code AbstractDCS._build_retain_slots}): the leader remembers when it
 * last saw each member slot on its server while that member had a key, and lists the slots seen within
 * {@code member_slots_ttl} seconds. A member whose key expired (a node down for maintenance) keeps its slot, and the
 * WAL it needs, that long; other nodes keep it too (SlotPlanner), so a new leader has it. On taking the leader lock
 * the list in etcd is adopted with a fresh time, as Patroni resets it on promotion. One per agent; thread-safe.
 */
public final class RetainedSlots {
    private final Map<String, Long> seenAtMillis = new TreeMap<>();

    /** The node took the leader lock: what the previous leader retained is kept for a full ttl from now. */
    public synchronized void leadershipTaken(Collection<String> retained, long nowMillis) {
        seenAtMillis.clear();
        retained.forEach(s -> seenAtMillis.put(s, nowMillis));
    }

    /**
     * @param published the slots the leader publishes in {@code status.slots} this cycle (its own member slot
     *                  included; with {@code member_slots_ttl} 0 only permanent ones, so nothing is retained)
     * @param expired   told each slot that leaves the list (slot, ttl), for the log
     * @return the sorted list for {@code status.retain_slots}; empty when none
     */
    public synchronized List<String> update(ClusterView cluster, String me, Collection<String> published,
            int ttlSeconds, long nowMillis, BiConsumer<String, Integer> expired) {
        if (!published.isEmpty()) {
            Set<String> memberSlots = new HashSet<>();
            boolean foundMe = false;
            for (Member m : cluster.members()) {
                foundMe |= m.name().equals(me);
                if (!m.tags().nostream()) {
                    memberSlots.add(SlotNames.fromMemberName(m.name()));
                }
            }
            if (!foundMe) {
                memberSlots.add(SlotNames.fromMemberName(me)); // our key may be missing: listed for a while only
            }
            Map<String, SlotSpec> permanent = cluster.dynamic().slots();
            for (String slot : published) {
                SlotSpec spec = permanent.get(slot);
                if (memberSlots.contains(slot) && (spec == null || !spec.isPhysical())) {
                    seenAtMillis.put(slot, nowMillis);
                }
            }
        }
        for (Iterator<Map.Entry<String, Long>> it = seenAtMillis.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (e.getValue() + ttlSeconds * 1000L <= nowMillis) {
                it.remove();
                expired.accept(e.getKey(), ttlSeconds);
            }
        }
        return new ArrayList<>(seenAtMillis.keySet());
    }
}
