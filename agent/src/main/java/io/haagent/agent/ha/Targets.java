package io.haagent.agent.ha;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.dcs.Dcs;
import io.haagent.dcs.DcsUnavailableException;
import io.haagent.ha.FollowTarget;
import io.haagent.pg.Recovery;
import io.haagent.pg.SlotNames;
import io.haagent.pg.Upstream;

/** Where postgres replicates from: the recovery settings for a {@link FollowTarget}, and the leader right now. */
final class Targets {
    private final String name;
    private final Dcs dcs;
    private final LoopContext loop;

    Targets(String name, Dcs dcs, LoopContext loop) {
        this.name = name;
        this.dcs = dcs;
        this.loop = loop;
    }

    Recovery recovery(FollowTarget target) {
        if (target == null || target.isNone()) {
            return Recovery.readOnly();
        }
        Upstream up = upstream(target);
        if (target.remote()) {
            // Patroni: the remote's slot only when standby_cluster names one, and only with use_slots
            String slot = loop.useSlots() && target.slotName() != null ? SlotNames.fromMemberName(target.slotName())
                    : null;
            return up == null ? Recovery.archiveOfRemote() : Recovery.followRemote(up, slot);
        }
        if (up == null) {
            return Recovery.readOnly();
        }
        return Recovery.follow(up, loop.useSlots() ? SlotNames.fromMemberName(name) : null);
    }

    static Upstream upstream(FollowTarget target) {
        if (target == null || target.isNone()) {
            return null;
        }
        if (target.remote()) {
            return target.host() == null ? null : new Upstream(null, target.host(), target.port() == null ? 5432 : target.port());
        }
        if (target.connUrl() == null) {
            return null;
        }
        Member m = Member.builder(target.memberName()).connUrl(target.connUrl()).build();
        return m.host() == null ? null : new Upstream(target.memberName(), m.host(), m.port());
    }

    /** The leader to follow right now, from a fresh look at the cluster (a clone may take long). */
    FollowTarget currentLeader() {
        try {
            ClusterView v = dcs.cluster();
            if (v.isUnlocked() || name.equals(v.leaderName())) {
                return FollowTarget.NONE;
            }
            return v.leaderMember().map(m -> FollowTarget.member(m.name(), m.connUrl(), null)).orElse(FollowTarget.NONE);
        } catch (DcsUnavailableException e) {
            return FollowTarget.NONE;
        }
    }
}
