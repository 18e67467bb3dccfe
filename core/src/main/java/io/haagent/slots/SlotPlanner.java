package io.haagent.slots;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Lsn;
import io.haagent.cluster.Member;
import io.haagent.cluster.Role;
import io.haagent.config.DynamicConfig;
import io.haagent.config.SlotSpec;
import io.haagent.pg.SlotNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Works out which replication slots this node should have and what to change (§4.8, §4.8.1). Pure: it reads
 * one cluster snapshot and the slots found, and returns a {@link SlotPlan}; postgres-control applies it.
 *
 * <p>Why slots matter for safety: a standby's slot on the primary keeps the WAL it still needs, so a lagging
 * replica can catch up instead of needing a re-clone; but a slot nobody uses keeps WAL forever and fills the
 * disk. So slots exist exactly for the members that stream from this node (plus configured permanent ones),
 * stale ones are dropped (never while active, never while paused, never when {@code ignore_slots} matches).
 */
public final class SlotPlanner {
    private static final java.util.regex.Pattern SLOT_NAME = java.util.regex.Pattern.compile("^[a-z0-9_]{1,63}$");

    private SlotPlanner() {
    }

    /**
     * @param memberName this node
     * @param role       {@link Role#PRIMARY}, {@link Role#STANDBY_LEADER} or {@link Role#REPLICA}
     * @param nofailover this node may never become leader: it keeps no permanent slots
     * @param cluster    the cluster snapshot of this HA cycle (members, leader, dynamic config, {@code status})
     * @param existing   {@code pg_replication_slots} of the local server
     * @param replayLsn  replicas: how far this node has replayed (slots cannot be advanced past it); else null
     */
    public record Input(String memberName, Role role, boolean nofailover, ClusterView cluster,
            List<ReplicationSlot> existing, Lsn replayLsn) {
        public Input {
            Objects.requireNonNull(memberName, "memberName");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(cluster, "cluster");
            existing = existing == null ? List.of() : List.copyOf(existing);
        }
    }

    /** @param advance on a replica: follow the position the primary publishes (a slot nobody streams through) */
    private record Desired(String type, String database, String plugin, boolean permanent, boolean creatable,
            String reason, boolean advance) {
        Desired(String type, String database, String plugin, boolean permanent, boolean creatable, String reason) {
            this(type, database, plugin, permanent, creatable, reason, permanent);
        }
    }

    public static SlotPlan plan(Input in) {
        DynamicConfig dyn = in.cluster().dynamic();
        Map<String, Desired> desired = desired(in, dyn);
        List<SlotAction> drops = new ArrayList<>();
        List<SlotAction> creates = new ArrayList<>();
        List<SlotAction> copies = new ArrayList<>();
        List<SlotAction> advances = new ArrayList<>();
        List<SlotAction> keeps = new ArrayList<>();
        Map<String, ReplicationSlot> existing = new LinkedHashMap<>();
        for (ReplicationSlot s : in.existing()) {
            if (!s.temporary()) {
                existing.put(s.name(), s);
            }
        }

        for (ReplicationSlot s : existing.values()) {
            Desired d = desired.get(s.name());
            if (ignored(s, dyn.ignoreSlots())) {
                keeps.add(new SlotAction.Keep(s.name(), "matched by ignore_slots"));
                continue;
            }
            if (d == null) {
                if (dyn.pause()) {
                    keeps.add(new SlotAction.Keep(s.name(), "not wanted, but the cluster is paused"));
                } else {
                    drops.add(new SlotAction.Drop(s.name(), dyn.useSlots()
                            ? "no member streams from this node through it and it is not a permanent slot"
                            : "use_slots is off"));
                }
                continue;
            }
            if (!compatible(s, d)) {
                drops.add(new SlotAction.Drop(s.name(), "it is " + describe(s) + " but must be " + describe(d)));
                if (d.creatable()) {
                    creates.add(create(s.name(), d));
                }
                continue;
            }
            keeps.add(new SlotAction.Keep(s.name(), d.reason() + (s.active() ? " (active)" : "")));
            if (d.advance() && (in.role() == Role.REPLICA || !d.permanent())) {
                SlotAction a = advance(in, s, !d.permanent());
                if (a != null) {
                    advances.add(a);
                }
            }
        }
        for (Map.Entry<String, Desired> e : desired.entrySet()) {
            if (existing.containsKey(e.getKey())) {
                continue;
            }
            Desired d = e.getValue();
            if (d.creatable()) {
                creates.add(create(e.getKey(), d));
            } else if (in.cluster().status().slots().containsKey(e.getKey())) {
                // Patroni copies only slots with feedback in etcd: the primary has it and says how far it is
                copies.add(new SlotAction.CopyLogical(e.getKey(), d.database(), d.plugin(), "permanent logical slot"
                        + " missing on this replica: copied from the primary, so that its consumer can go on from"
                        + " here after a failover"));
            } else {
                keeps.add(new SlotAction.Keep(e.getKey(), "permanent logical slot missing on this replica; copied"
                        + " once the primary publishes its position"));
            }
        }
        List<SlotAction> steps = new ArrayList<>(drops);
        steps.addAll(creates);
        steps.addAll(copies);
        steps.addAll(advances);
        steps.addAll(keeps);
        return new SlotPlan(steps);
    }

    private static Map<String, Desired> desired(Input in, DynamicConfig dyn) {
        Map<String, Desired> out = new LinkedHashMap<>();
        if (!dyn.useSlots()) {
            return out;
        }
        String me = in.memberName();
        String mySlot = SlotNames.fromMemberName(me);
        String leader = in.cluster().leaderName();
        boolean leading = in.role() == Role.PRIMARY || in.role() == Role.STANDBY_LEADER;
        // Patroni 4.1: with member_slots_ttl every node keeps a slot for every member (a node that can never lead
        // only for those that stream from it), so that a new leader already holds what its replicas need
        boolean everyMember = dyn.memberSlotsTtl() > 0;
        for (Member m : in.cluster().members()) {
            if (m.name().equals(me) || m.tags().nostream() || !m.isReadable()) {
                continue; // a member key that is not member JSON gets no slot (keys from etcd are data)
            }
            String from = m.tags().replicatefrom();
            boolean streamsFromMe = leading
                    ? from == null || from.equals(me) || in.cluster().member(from).isEmpty()
                    : me.equals(from) && !m.name().equals(leader);
            if (streamsFromMe) {
                out.put(SlotNames.fromMemberName(m.name()), new Desired("physical", null, null, false, true,
                        "member " + m.name() + " streams from this node", false));
            } else if (everyMember && (!in.nofailover() || me.equals(from))) {
                out.put(SlotNames.fromMemberName(m.name()), new Desired("physical", null, null, false, true,
                        "member " + m.name() + " would stream from this node after a failover (member_slots_ttl)",
                        true));
            }
        }
        if (!in.nofailover()) {
            for (String slot : in.cluster().status().retainSlots()) {
                if (!slot.equals(mySlot) && !out.containsKey(slot) && SLOT_NAME.matcher(slot).matches()) {
                    out.put(slot, new Desired("physical", null, null, false, true, "slot of a member that left,"
                            + " kept for member_slots_ttl (status.retain_slots)", false));
                }
            }
        }
        if (in.nofailover()) {
            return out; // a node that can never lead keeps no permanent slots
        }
        for (SlotSpec spec : dyn.slots().values()) {
            if (spec.name().equals(mySlot)) {
                continue; // a permanent slot named after this node lives on the other nodes only
            }
            if (spec.isPhysical()) {
                out.put(spec.name(), new Desired("physical", null, null, true, true, "permanent physical slot"));
            } else if (spec.isLogical() && !dyn.isStandbyCluster() && in.role() != Role.STANDBY_LEADER) {
                out.put(spec.name(), new Desired("logical", spec.database(), spec.plugin(), true,
                        in.role() == Role.PRIMARY, "permanent logical slot"));
            }
        }
        return out;
    }

    private static SlotAction create(String name, Desired d) {
        return "logical".equals(d.type())
                ? new SlotAction.CreateLogical(name, d.database(), d.plugin(), d.reason())
                : new SlotAction.CreatePhysical(name, d.reason());
    }

    /**
     * A permanent slot on a replica, and a member slot kept for member_slots_ttl on any node, follows the position the primary published for it in {@code status.slots}
     * (or, for a slot named after a member, that member's published WAL position), capped at what this replica
     * has replayed: a slot cannot be ahead of the WAL the node has.
     */
    private static SlotAction advance(Input in, ReplicationSlot s, boolean memberSlot) {
        Long published = in.cluster().status().slots().get(s.name());
        Long reported = in.cluster().members().stream()
                .filter(m -> SlotNames.fromMemberName(m.name()).equals(s.name()) && m.xlogLocation() != null)
                .map(Member::xlogLocation).findFirst().orElse(null);
        // a member slot nobody streams through: the member's own report may be ahead of what the leader's slot
        // says (it streams from another node), so the larger, as Patroni 4.1's _get_members_slots
        Long target = published;
        if (target == null || memberSlot && reported != null && reported > target) {
            target = reported;
        }
        if (target == null || target <= 0) {
            return null;
        }
        Lsn to = Lsn.of(target);
        if (in.replayLsn() != null && to.isAfter(in.replayLsn())) {
            to = in.replayLsn();
        }
        Lsn current = s.position();
        if (current != null && !to.isAfter(current)) {
            return null;
        }
        return new SlotAction.Advance(s.name(), to, (memberSlot ? "the member slot (kept for member_slots_ttl) is at "
                : "the primary's copy of this permanent slot is at ") + Lsn.of(target));
    }

    private static boolean compatible(ReplicationSlot s, Desired d) {
        if (!d.type().equals(s.type())) {
            return false;
        }
        return !"logical".equals(d.type())
                || (Objects.equals(d.database(), s.database()) && Objects.equals(d.plugin(), s.plugin()));
    }

    /** An {@code ignore_slots} matcher matches when every attribute it names equals the slot's. */
    static boolean ignored(ReplicationSlot s, List<Map<String, String>> matchers) {
        for (Map<String, String> m : matchers) {
            if (m.isEmpty()) {
                continue;
            }
            boolean all = true;
            for (Map.Entry<String, String> e : m.entrySet()) {
                String actual;
                switch (e.getKey()) {
                    case "name": actual = s.name(); break;
                    case "type": actual = s.type(); break;
                    case "database": actual = s.database(); break;
                    case "plugin": actual = s.plugin(); break;
                    default: actual = null;
                }
                if (!Objects.equals(e.getValue(), actual)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static String describe(ReplicationSlot s) {
        return s.isLogical() ? "logical (" + s.database() + ", " + s.plugin() + ")" : "physical";
    }

    private static String describe(Desired d) {
        return "logical".equals(d.type()) ? "logical (" + d.database() + ", " + d.plugin() + ")" : "physical";
    }
}
