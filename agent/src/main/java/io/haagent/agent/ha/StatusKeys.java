package io.haagent.agent.ha;

import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.config.DynamicConfig;
import io.haagent.config.SlotSpec;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.pg.PostgresControl;
import io.haagent.pg.PostgresException;
import io.haagent.pg.SlotNames;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.RetainedSlots;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys a primary holding the lock writes each cycle (§1.2, §3.8): {@code status} (its WAL position and the
 * positions of its permanent slots, which replicas copy) and, with {@code failsafe_mode}, {@code failsafe} (every
 * member's {@code api_url}: the members it must reach to stay primary while etcd is gone). A failed write is
 * logged and tried again next cycle; it never ends the cycle.
 */
final class StatusKeys {
    private static final Logger LOG = LoggerFactory.getLogger(StatusKeys.class);

    private StatusKeys() {
    }

    /**
     * @param view     the cycle's view, for {@code retain_slots} (null: none written)
     * @param retained the leader's memory of member slots (Patroni 4.1's {@code member_slots_ttl})
     */
    static void writeStatus(Dcs dcs, PostgresControl pg, String name, DynamicConfig dynamic, long walPosition,
            ClusterView view, RetainedSlots retained, long nowMillis) {
        try {
            Map<String, Long> slots = statusSlots(pg, name, dynamic, walPosition);
            List<String> retain = view == null ? List.of() : retained.update(view, name, slots.keySet(),
                    dynamic.memberSlotsTtl(), nowMillis, (slot, ttl) -> LOG.info(
                            "Replication slot '{}' for absent cluster member is expired after {} sec.", slot, ttl));
            dcs.writeStatus(ClusterStatus.of(walPosition, slots, retain));
        } catch (DcsUnavailableException e) {
            LOG.warn("could not write status: {}", e.getMessage());
        }
    }

    /** What status.slots would say at the last observation's WAL position; null when postgres was not read. */
    static Map<String, Long> statusSlots(PostgresControl pg, String name, DynamicConfig dynamic, Observation obs) {
        return obs != null && obs.status() != null
                ? statusSlots(pg, name, dynamic, obs.status().xlogLocation().value()) : null;
    }

    /**
     * {@code status.slots} (§4.8.1): the permanent slots' positions and our own member slot's, at our WAL position;
     * with {@code member_slots_ttl} above 0 every slot's (Patroni 4.1's maybe_filter_permanent_slots), so that the
     * other nodes advance their copies of the member slots too.
     */
    static Map<String, Long> statusSlots(PostgresControl pg, String name, DynamicConfig dynamic, long walPosition) {
        Map<String, Long> slots = new LinkedHashMap<>();
        if (dynamic.useSlots()) {
            Map<String, SlotSpec> permanent = dynamic.slots();
            boolean all = dynamic.memberSlotsTtl() > 0;
            if (all || !permanent.isEmpty()) {
                try {
                    for (ReplicationSlot s : pg.replicationSlots()) {
                        if ((all || permanent.containsKey(s.name())) && !s.temporary() && s.position() != null) {
                            slots.put(s.name(), s.position().value());
                        }
                    }
                } catch (PostgresException e) {
                    LOG.debug("slots for status: {}", e.getMessage());
                }
            }
            slots.put(SlotNames.fromMemberName(name), walPosition);
        }
        return slots;
    }

    /** @return the key written, or null when etcd did not take it */
    static Map<String, String> writeFailsafe(Dcs dcs, String name, String apiUrl, ClusterView v) {
        Map<String, String> fs = new LinkedHashMap<>();
        for (Member m : v.members()) {
            if (m.apiUrl() != null && !m.apiUrl().isBlank()) {
                fs.put(m.name(), m.apiUrl());
            }
        }
        fs.put(name, apiUrl);
        try {
            dcs.writeFailsafe(fs);
            return fs;
        } catch (DcsUnavailableException e) {
            LOG.warn("could not write failsafe: {}", e.getMessage());
            return null;
        }
    }
}
