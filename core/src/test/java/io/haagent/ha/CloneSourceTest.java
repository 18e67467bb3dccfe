package io.haagent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.cluster.PostgresState;
import io.haagent.cluster.Tags;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one clone-source rule: bootstrap of a replica and POST /reinitialize pick the same member. */
class CloneSourceTest {
    private static final Tags CLONEFROM = Tags.effective(Map.of("clonefrom", true));

    private static ClusterView view(HaFixture f) {
        return f.input().cluster();
    }

    @Test
    void withoutClonefromMembersTheLeader() {
        assertThat(CloneSource.pick(view(HaFixture.node("pg3")), "pg3").name()).isEqualTo("pg1");
    }

    @Test
    void aRunningClonefromMemberOtherThanUsAndTheLeader() {
        HaFixture f = HaFixture.node("pg3").member("pg1", b -> b.tags(CLONEFROM))
                .member("pg3", b -> b.tags(CLONEFROM)).member("pg2", b -> b.tags(CLONEFROM));
        assertThat(CloneSource.pick(view(f), "pg3").name()).isEqualTo("pg2");
        HaFixture stopped = HaFixture.node("pg3").member("pg2", b -> b.tags(CLONEFROM).state(PostgresState.STOPPED));
        assertThat(CloneSource.pick(view(stopped), "pg3").name()).isEqualTo("pg1");
    }

    @Test
    void theChoiceIsAFunctionOfTheInputAndSpreadsTheLoad() {
        HaFixture f = HaFixture.node("pg9");
        for (String n : new String[] {"pg4", "pg5", "pg6", "pg7"}) {
            f.member(n, b -> b.tags(CLONEFROM));
        }
        ClusterView v = view(f);
        Set<String> chosen = new HashSet<>();
        for (String me : new String[] {"pg9", "pg10", "pg11", "pg12", "pg13", "pg14", "pg15", "pg16"}) {
            Member first = CloneSource.pick(v, me);
            assertThat(CloneSource.pick(v, me)).isEqualTo(first);
            chosen.add(first.name());
        }
        assertThat(chosen).hasSizeGreaterThan(1).allMatch(n -> n.compareTo("pg4") >= 0);
    }

    @Test
    void noLeaderNoSource() {
        assertThat(CloneSource.pick(view(HaFixture.node("pg3").noLeader()), "pg3")).isNull();
    }
}
