package io.haagent.ha;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Quorum commit (§4.9, Patroni 4's {@code synchronous_mode: quorum}; patroni/quorum.py at v4.1.4): the ordered
 * changes that take {@code synchronous_standby_names = 'ANY numsync (sync)'} and the {@code sync} key
 * ({@code quorum} of {@code voters}) from what they are to what they should be, one at a time, such that at every
 * step any set of standbys that can acknowledge a commit overlaps any set of voters a new leader must have compared
 * its position with: {@code len(voters | sync) <= quorum + numsync + 1} (the leader counted). A failover can then
 * promote only a node that saw at least {@code quorum} voters, and one of them holds every acknowledged commit.
 *
 * <p>The optimal state for the set {@code active} of eligible streaming standbys is {@code sync = voters = active},
 * {@code numsync = min(sync_wanted, len(active))}, {@code quorum = len(active) - numsync}. An increase of numsync or
 * quorum is made before the matching decrease of the other. Pure: the caller applies the returned transitions in
 * order and stops at the first that fails; a {@link Type#RESTART} asks it to read the state again before going on.
 */
final class QuorumResolver {

    enum Type { SYNC, QUORUM, RESTART }

    /**
     * One change. {@link Type#SYNC}: set {@code synchronous_standby_names} to ANY {@code num} of {@code names};
     * {@link Type#QUORUM}: write the sync key with {@code leader}, {@code quorum = num}, {@code voters = names}.
     */
    record Transition(Type type, String leader, int num, Set<String> names) {
        Transition {
            names = QuorumResolver.names(names);
        }
    }

    /** The state cannot be reached safely from here (Patroni's QuorumError): nothing is changed this cycle. */
    static final class QuorumError extends RuntimeException {
        QuorumError(String message) {
            super(message);
        }
    }

    private String leader;
    private int quorum;
    private Set<String> voters;
    private int numsync;
    private Set<String> sync;
    private int numsyncConfirmed;
    private final Set<String> active;
    private final int syncWanted;
    private final String leaderWanted;
    private final List<Transition> out = new ArrayList<>();

    private QuorumResolver(String leader, int quorum, Collection<String> voters, int numsync, Collection<String> sync,
            int numsyncConfirmed, Collection<String> active, int syncWanted, String leaderWanted) {
        this.leader = leader;
        this.quorum = quorum;
        this.voters = names(voters);
        this.sync = names(sync);
        this.numsync = Math.min(numsync, this.sync.size()); // no more than are listed
        this.numsyncConfirmed = numsyncConfirmed;
        this.active = names(active);
        this.syncWanted = syncWanted;
        this.leaderWanted = leaderWanted;
    }

    /**
     * The transitions from the current state to the wanted one, two of the same kind in a row merged into the later
     * (nobody observed the one in between), and nothing after a {@link Type#RESTART}.
     *
     * @param leader           the sync key's leader
     * @param quorum           the sync key's {@code quorum}
     * @param voters           the sync key's {@code sync_standby}
     * @param numsync          the number in {@code synchronous_standby_names}
     * @param sync             the names in {@code synchronous_standby_names}
     * @param numsyncConfirmed how many listed standbys are known to have reached the LSN of the time they were listed
     * @param active           the eligible standbys streaming from this primary
     * @param syncWanted       {@code synchronous_node_count}
     * @param leaderWanted     this node (after a failover, not yet the sync key's leader)
     * @throws QuorumError when no safe way exists from this state
     */
    static List<Transition> transitions(String leader, int quorum, Collection<String> voters, int numsync,
            Collection<String> sync, int numsyncConfirmed, Collection<String> active, int syncWanted,
            String leaderWanted) {
        QuorumResolver r = new QuorumResolver(leader, quorum, voters, numsync, sync, numsyncConfirmed, active,
                syncWanted, leaderWanted);
        r.generate();
        List<Transition> merged = new ArrayList<>();
        for (int i = 0; i < r.out.size(); i++) {
            Transition t = r.out.get(i);
            if (i + 1 < r.out.size() && r.out.get(i + 1).type() == t.type()) {
                continue;
            }
            merged.add(t);
            if (t.type() == Type.RESTART) {
                break;
            }
        }
        return merged;
    }

    // ---------------------------------------------------------------------------------------------- set helpers

    /** Patroni's CaseInsensitiveSet: names compare without case. */
    static Set<String> names(Collection<String> c) {
        Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        if (c != null) {
            s.addAll(c);
        }
        return s;
    }

    private static Set<String> union(Set<String> a, Collection<String> b) {
        Set<String> s = names(a);
        s.addAll(b);
        return s;
    }

    private static Set<String> minus(Set<String> a, Collection<String> b) {
        Set<String> s = names(a);
        s.removeAll(names(b));
        return s;
    }

    private static Set<String> and(Set<String> a, Collection<String> b) {
        Set<String> s = names(a);
        s.retainAll(names(b));
        return s;
    }

    private static Set<String> of(String name) {
        return names(name == null ? List.of() : List.of(name));
    }

    private static boolean subset(Set<String> a, Set<String> b) {
        return names(b).containsAll(a);
    }

    private static boolean properSubset(Set<String> a, Set<String> b) {
        return subset(a, b) && a.size() < b.size();
    }

    private static boolean same(Set<String> a, Set<String> b) {
        return subset(a, b) && subset(b, a);
    }

    /** The first {@code n} names in (case-insensitive) order, or in reverse order. */
    private static Set<String> firstSorted(Set<String> s, int n, boolean reverse) {
        List<String> l = new ArrayList<>(s);
        l.sort((x, y) -> x.toLowerCase(Locale.ROOT).compareTo(y.toLowerCase(Locale.ROOT)) * (reverse ? -1 : 1));
        return names(l.subList(0, Math.min(n, l.size())));
    }

    // ---------------------------------------------------------------------------------------------- the machine

    private void checkInvariants() {
        Set<String> v = union(voters, of(leader));
        Set<String> s = union(sync, of(leaderWanted));
        // every set that can acknowledge a commit overlaps every set that can reach quorum (+1: the leader)
        if (!voters.isEmpty() && !(union(v, s).size() <= quorum + numsync + 1)) {
            throw new QuorumError("Quorum and sync not guaranteed to overlap: nodes " + union(v, s).size()
                    + " >= quorum " + quorum + " + sync " + sync + " + 1");
        }
        // while sync and voters change one after the other, one is a subset of the other
        if (!(subset(v, s) || subset(s, v))) {
            throw new QuorumError("Mismatched sets: voter only=" + minus(v, s) + " sync only=" + minus(s, v));
        }
    }

    private void quorumUpdate(int newQuorum, Set<String> newVoters, String newLeader, boolean adjustQuorum) {
        if (newQuorum < 0) {
            throw new QuorumError("Quorum " + newQuorum + " < 0 of (" + newVoters + ")");
        }
        if (newQuorum > 0 && newQuorum >= newVoters.size()) {
            throw new QuorumError("Quorum " + newQuorum + " >= N of (" + newVoters + ")");
        }
        String oldLeader = leader;
        if (newLeader != null) {
            leader = newLeader;
        } else if (numsyncConfirmed == 0 && voters.isEmpty()) {
            // no standby is known to have caught up: reset quorum and voters
            newQuorum = 0;
            newVoters = names(List.of());
        } else if (adjustQuorum) {
            // fewer standbys known to have caught up than numsync: a larger quorum still finds one in an election
            newQuorum += Math.max(numsync - numsyncConfirmed, 0);
        }
        if (java.util.Objects.equals(leader, oldLeader) && newQuorum == quorum && same(newVoters, voters)) {
            if (!voters.isEmpty()) {
                return;
            }
            // no change at all: tell the caller to read the state again
            out.add(new Transition(Type.RESTART, leader, quorum, voters));
        }
        quorum = newQuorum;
        voters = names(newVoters);
        checkInvariants();
        out.add(new Transition(Type.QUORUM, leader, quorum, voters));
    }

    private void quorumUpdate(int newQuorum, Set<String> newVoters) {
        quorumUpdate(newQuorum, newVoters, null, true);
    }

    private void syncUpdate(int newNumsync, Set<String> newSync) {
        if (newNumsync < 0) {
            throw new QuorumError("Sync " + newNumsync + " < 0 of (" + newSync + ")");
        }
        if (newNumsync > newSync.size()) {
            throw new QuorumError("Sync " + newNumsync + " > N of (" + newSync + ")");
        }
        numsync = newNumsync;
        sync = names(newSync);
        checkInvariants();
        out.add(new Transition(Type.SYNC, leader, numsync, sync));
    }

    private void generate() {
        try {
            if (!java.util.Objects.equals(leaderWanted, leader)) { // failover
                Set<String> v = union(minus(voters, of(leaderWanted)), of(leader));
                if (sync.isEmpty()) {
                    // synchronous_standby_names first when it is empty
                    syncUpdate(v.size() - quorum, v);
                }
                // the old leader joins the voters
                quorumUpdate(quorum, v, leaderWanted, true);
                if (and(sync, active).isEmpty()) {
                    return; // right after promote: give the standbys loop_wait to connect before removing them
                }
            } else {
                checkInvariants();
            }
        } catch (QuorumError e) {
            // a broken state (Patroni logs it as a warning): make the voters what postgres waits for
            quorumUpdate(sync.size() - numsync, sync);
        }
        if (numsyncConfirmed == 0 && !and(sync, active).isEmpty()) {
            // after a restart or failover: derive it from the quorum
            numsyncConfirmed = Math.min(and(sync, active).size(), voters.size() - quorum);
        }
        nonSteadyCases();
        removeGoneNodes();
        addNewNodes();
        replicationFactorChange();
    }

    /** A previous series of transitions was interrupted. */
    private void nonSteadyCases() {
        if (properSubset(sync, voters)) {
            // 1: in the middle of changing voters. Drop dead voters that are not synced to
            Set<String> removeFromVoters = minus(voters, union(sync, active));
            if (!removeFromVoters.isEmpty()) {
                quorumUpdate(voters.size() - removeFromVoters.size() - numsync, minus(voters, removeFromVoters), null,
                        minus(sync, active).isEmpty());
            }
            Set<String> addToSync = minus(and(voters, active), sync);
            if (!addToSync.isEmpty()) {
                syncUpdate(numsync, union(sync, addToSync));
            }
        } else if (properSubset(voters, sync)) {
            // 2: in the middle of changing the replication factor
            Set<String> removeFromSync = minus(sync, active);
            Set<String> s = minus(sync, removeFromSync);
            if (!removeFromSync.isEmpty() && !s.isEmpty() && (voters.isEmpty() || !and(s, voters).isEmpty())) {
                syncUpdate(Math.min(numsync, sync.size() - removeFromSync.size()), s);
            }
            Set<String> addToVoters = and(minus(sync, voters), active);
            if (!addToVoters.isEmpty()) {
                Set<String> v = union(voters, addToVoters);
                quorumUpdate(v.size() - numsync, v);
            }
            removeFromSync = minus(sync, voters);
            if (!removeFromSync.isEmpty()) {
                syncUpdate(Math.min(numsync, sync.size() - removeFromSync.size()), minus(sync, removeFromSync));
            }
        }
        if (!same(voters, sync)) {
            throw new QuorumError("voters " + voters + " and synchronous_standby_names " + sync + " still differ");
        }
        int margin = quorum + Math.min(numsync, numsyncConfirmed) - union(voters, sync).size();
        if (margin > 0) {
            if (numsync > syncWanted) {
                syncUpdate(Math.max(syncWanted, voters.size() - quorum), sync); // 3: numsync larger than wanted
            } else {
                quorumUpdate(sync.size() - numsync, voters); // 4: quorum larger than needed
            }
        } else {
            margin = quorum + numsync - union(voters, sync).size();
            if (numsync == syncWanted && margin > 0 && numsync > numsyncConfirmed) {
                quorumUpdate(sync.size() - numsync, voters);
            }
        }
    }

    private void removeGoneNodes() {
        Set<String> toRemove = minus(sync, active);
        if (!toRemove.isEmpty() && same(sync, toRemove)) {
            quorumUpdate(0, names(List.of()), null, false);
            syncUpdate(0, names(List.of()));
        } else if (!toRemove.isEmpty()) {
            if (quorum > 0) {
                // reduce the quorum first, removing names in reverse order (deterministic)
                Set<String> remove = firstSorted(toRemove, quorum, true);
                Set<String> s = minus(sync, remove);
                int n = Math.min(syncWanted > numsync ? syncWanted : numsync, s.size());
                syncUpdate(n, s);
                Set<String> v = minus(voters, remove);
                toRemove = and(toRemove, sync);
                quorumUpdate(v.size() - numsync, v, null, toRemove.isEmpty());
            }
            if (!toRemove.isEmpty()) {
                if (quorum != 0) {
                    throw new QuorumError("quorum " + quorum + " while removing " + toRemove);
                }
                int n = numsync - toRemove.size();
                Set<String> s = minus(sync, toRemove);
                Set<String> v = minus(voters, toRemove);
                int syncDecrease = n - Math.min(syncWanted, s.size());
                int q = syncDecrease != 0 ? Math.min(syncDecrease, v.size() - 1) : 0;
                quorumUpdate(q, v, null, false);
                syncUpdate(n, s);
            }
        }
    }

    private void addNewNodes() {
        Set<String> toAdd = minus(active, sync);
        if (toAdd.isEmpty()) {
            return;
        }
        int wanted = Math.min(syncWanted, union(sync, toAdd).size());
        int increaseBy = wanted - numsync;
        if (increaseBy > 0) {
            Set<String> add;
            if (!sync.isEmpty()) {
                add = firstSorted(toAdd, increaseBy, false);
                increaseBy = add.size();
            } else {
                add = toAdd; // only the leader so far: all at once is safe
            }
            syncUpdate(numsync + increaseBy, union(sync, add));
            Set<String> v = union(voters, add);
            quorumUpdate(v.size() - wanted, v);
            toAdd = minus(toAdd, sync);
        }
        if (!toAdd.isEmpty()) {
            Set<String> v = union(voters, toAdd);
            quorumUpdate(v.size() - wanted, v, null, wanted > numsyncConfirmed);
            syncUpdate(wanted, union(sync, toAdd));
        }
    }

    private void replicationFactorChange() {
        int increase = Math.min(syncWanted, sync.size()) - numsync;
        if (increase > 0) {
            syncUpdate(numsync + increase, sync);
            quorumUpdate(voters.size() - numsync, voters);
        } else if (increase < 0) {
            if (quorum - increase < voters.size()) {
                quorumUpdate(voters.size() - numsync - increase, voters, null, syncWanted > numsyncConfirmed);
            }
            syncUpdate(numsync + increase, sync);
        }
    }
}
