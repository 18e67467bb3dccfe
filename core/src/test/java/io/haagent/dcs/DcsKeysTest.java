package io.haagent.dcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DcsKeysTest {

    @Test
    void namespaceSlashesCollapseAsPatroniJoinsThem() {
        assertThat(DcsKeys.of("service", "batman").prefix()).isEqualTo("/service/batman/");
        assertThat(DcsKeys.of("/service/", "batman").prefix()).isEqualTo("/service/batman/");
        assertThat(DcsKeys.of("//a//b/", "c").prefix()).isEqualTo("/a/b/c/");
        assertThat(DcsKeys.of("", "batman").prefix()).isEqualTo("/batman/");
        assertThat(DcsKeys.of(null, "batman").prefix()).isEqualTo("/service/batman/");
        assertThatThrownBy(() -> DcsKeys.of("service", " ")).hasMessageContaining("scope");
    }

    @Test
    void keysAndMemberNames() {
        DcsKeys k = DcsKeys.of("service", "batman");
        assertThat(k.key(DcsKeys.LEADER)).isEqualTo("/service/batman/leader");
        assertThat(k.member("pg1")).isEqualTo("/service/batman/members/pg1");
        assertThat(k.relative("/service/batman/optime/leader")).isEqualTo("optime/leader");
        assertThat(k.relative("/service/batman2/leader")).isNull();
        assertThat(DcsKeys.memberName("members/pg1")).isEqualTo("pg1");
        assertThat(DcsKeys.memberName("members/pg1/x")).isNull();
        assertThat(DcsKeys.memberName("members/")).isNull();
        assertThat(DcsKeys.memberName("leader")).isNull();
    }
}
