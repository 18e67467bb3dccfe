package io.haagent.dcs.codec;

import io.haagent.cluster.ClusterConfig;
import io.haagent.cluster.ClusterStatus;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.FailoverRequest;
import io.haagent.cluster.Leader;
import io.haagent.cluster.Member;
import io.haagent.cluster.SyncState;
import io.haagent.cluster.TimelineHistory;
import io.haagent.dcs.DcsKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link ClusterView} of one prefix read (or of the watch cache) the way Patroni's
 * {@code _cluster_from_nodes} does. Pure: keys in, snapshot out. No value can make it throw; each unreadable
 * value is reported once to the {@link GarbageLog} and read as empty.
 */
public final class ClusterCodec {
    private ClusterCodec() {
    }

    public static ClusterView decode(DcsKeys keys, Collection<RawKey> entries, long revision, GarbageLog garbage) {
        Map<String, RawKey> byName = new HashMap<>();
        List<Member> members = new ArrayList<>();
        for (RawKey k : entries) {
            byName.put(k.relative(), k);
            String memberName = DcsKeys.memberName(k.relative());
            if (memberName != null) {
                members.add(MemberCodec.decode(memberName, k.value(), k.modRevision(), k.lease(),
                        keys.key(k.relative()), garbage));
            }
        }

        RawKey init = byName.get(DcsKeys.INITIALIZE);
        String initialize = init == null ? null : init.value();

        RawKey cfg = byName.get(DcsKeys.CONFIG);
        ClusterConfig config = cfg == null ? null
                : ConfigCodec.decode(cfg.value(), cfg.modRevision(), keys.key(DcsKeys.CONFIG), garbage);

        RawKey leaderKey = byName.get(DcsKeys.LEADER);
        Leader leader = leaderKey == null ? null
                : new Leader(leaderKey.value(), leaderKey.modRevision(), leaderKey.lease());

        // status, or the legacy optime/leader written for members older than 2.1.0
        RawKey st = byName.get(DcsKeys.STATUS);
        if (st == null) {
            st = byName.get(DcsKeys.LEADER_OPTIME);
        }
        ClusterStatus status = st == null ? ClusterStatus.EMPTY
                : StatusCodec.decode(st.value(), st.modRevision(), keys.key(st.relative()), garbage);

        RawKey fo = byName.get(DcsKeys.FAILOVER);
        FailoverRequest failover = fo == null ? null
                : FailoverCodec.decode(fo.value(), fo.modRevision(), keys.key(DcsKeys.FAILOVER), garbage);

        RawKey sy = byName.get(DcsKeys.SYNC);
        SyncState sync = sy == null ? SyncState.EMPTY
                : SyncCodec.decode(sy.value(), sy.modRevision(), keys.key(DcsKeys.SYNC), garbage);

        RawKey hi = byName.get(DcsKeys.HISTORY);
        TimelineHistory history = hi == null ? TimelineHistory.ABSENT
                : HistoryCodec.decode(hi.value(), hi.modRevision(), keys.key(DcsKeys.HISTORY), garbage);

        RawKey fs = byName.get(DcsKeys.FAILSAFE);
        Map<String, String> failsafe = fs == null ? null
                : FailsafeCodec.decode(fs.value(), fs.modRevision(), keys.key(DcsKeys.FAILSAFE), garbage);

        return new ClusterView(initialize, config, leader, status, members, failover, sync, history, failsafe,
                revision);
    }
}
