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
import java.util.LinkedHashMap;
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

    static void writeStatus(Dcs dcs, PostgresControl pg, String name, DynamicConfig dynamic, long walPosition) {
        try {
            dcs.writeStatus(ClusterStatus.of(walPosition, statusSlots(pg, name, dynamic, walPosition)));
        } catch (DcsUnavailableException e) {
            LOG.warn("could not write status: {}", e.getMessage());
        }
    }

    /** {@code status.slots} (§4.8.1): the permanent slots' positions and our own member slot's, at our WAL position. */
    /** What status.slots would say at the last observation's WAL position; null when postgres was not read. */
    static Map<String, Long> statusSlots(PostgresControl pg, String name, DynamicConfig dynamic, Observation obs) {
        return obs != null && obs.status() != null
                ? statusSlots(pg, name, dynamic, obs.status().xlogLocation().value()) : null;
    }

    static Map<String, Long> statusSlots(PostgresControl pg, String name, DynamicConfig dynamic, long walPosition) {
        Map<String, Long> slots = new LinkedHashMap<>();
        if (dynamic.useSlots()) {
            Map<String, SlotSpec> permanent = dynamic.slots();
            if (!permanent.isEmpty()) {
                try {
                    for (ReplicationSlot s : pg.replicationSlots()) {
                        if (permanent.containsKey(s.name()) && s.position() != null) {
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
