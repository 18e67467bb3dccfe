package io.haagent.agent.ha;

import io.haagent.cluster.Member;
import io.haagent.ha.FollowTarget;
import io.haagent.pg.Recovery;
import io.haagent.pg.SlotNames;
import io.haagent.pg.Upstream;

/** Where postgres replicates from: the recovery settings for a {@link FollowTarget} the decider chose. */
final class Targets {
    private final String name;
    private final LoopContext loop;

    Targets(String name, LoopContext loop) {
        this.name = name;
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
}
