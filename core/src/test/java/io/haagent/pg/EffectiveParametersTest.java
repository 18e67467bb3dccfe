package io.haagent.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EffectiveParametersTest {
    private final List<String> warnings = new ArrayList<>();

    private EffectiveParameters compute(Map<String, Object> dyn, Map<String, Object> local) {
        return EffectiveParameters.compute(dyn, local, "10.0.0.1,127.0.0.1:5433", "batman", "/etc/pg", 15,
                warnings::add);
    }

    @Test
    void localWinsOverDynamicForOrdinaryParameters() {
        EffectiveParameters p = compute(Map.of("work_mem", "4MB", "shared_buffers", "128MB"),
                Map.of("work_mem", "16MB"));
        assertThat(p.get("work_mem")).isEqualTo("16MB");
        assertThat(p.get("shared_buffers")).isEqualTo("128MB");
    }

    @Test
    void restrictedGucsComeFromTheDynamicConfigurationOnly() {
        EffectiveParameters p = compute(Map.of("max_connections", 200), Map.of("max_connections", 50,
                "wal_level", "minimal"));
        assertThat(p.get("max_connections")).isEqualTo("200");
        assertThat(p.get("wal_level")).isEqualTo("replica"); // default hot_standby, spelled as 9.6+ does
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("postgresql.parameters.max_connections")
                .contains("has no effect"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("postgresql.parameters.wal_level"));
    }

    @Test
    void listenPortAndClusterNameComeFromListenAndScope() {
        EffectiveParameters p = compute(Map.of(), Map.of("port", 1, "listen_addresses", "*"));
        assertThat(p.get("listen_addresses")).isEqualTo("10.0.0.1,127.0.0.1");
        assertThat(p.get("port")).isEqualTo("5433");
        assertThat(p.get("cluster_name")).isEqualTo("batman");
        assertThat(warnings).hasSize(2);
    }

    @Test
    void hbaAndIdentFilesDefaultToTheConfigDirectory() {
        EffectiveParameters p = compute(Map.of(), Map.of());
        assertThat(p.get("hba_file")).isEqualTo("/etc/pg/pg_hba.conf");
        assertThat(p.get("ident_file")).isEqualTo("/etc/pg/pg_ident.conf");
        assertThat(compute(Map.of(), Map.of("hba_file", "/x/hba")).get("hba_file")).isEqualTo("/x/hba");
    }

    @Test
    void walKeepSegmentsBecomesWalKeepSizeFromPostgres13() {
        EffectiveParameters p = compute(Map.of("wal_keep_segments", 10), Map.of());
        assertThat(p.values()).doesNotContainKey("wal_keep_segments");
        assertThat(p.get("wal_keep_size")).isEqualTo("160MB");
        EffectiveParameters q = compute(Map.of(), Map.of());
        assertThat(q.get("wal_keep_size")).isEqualTo("128MB");
    }

    @Test
    void recoveryParametersDoNotBelongInParameters() {
        EffectiveParameters p = compute(Map.of("recovery_target_timeline", "latest"), Map.of());
        assertThat(p.values()).doesNotContainKey("recovery_target_timeline");
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("recovery_target_timeline"));
    }

    @Test
    void booleansAreRenderedOnOffAndNullRemovesADynamicValue() {
        Map<String, Object> local = new LinkedHashMap<>();
        local.put("log_connections", true);
        local.put("work_mem", null);
        EffectiveParameters p = compute(Map.of("work_mem", "4MB"), local);
        assertThat(p.get("log_connections")).isEqualTo("on");
        assertThat(p.values()).doesNotContainKey("work_mem");
    }

    @Test
    void valuesAreSortedAndCommandLineHoldsTheRestrictedSet() {
        EffectiveParameters p = compute(Map.of(), Map.of("zz_custom.x", "1", "aa_custom.y", "2"));
        assertThat(new ArrayList<>(p.values().keySet())).isSorted();
        assertThat(p.commandLineOptions()).contains("--max_connections=100", "--port=5433",
                "--cluster_name=batman", "--listen_addresses=10.0.0.1,127.0.0.1", "--hot_standby=on",
                "--wal_log_hints=on").noneMatch(o -> o.startsWith("--wal_keep") || o.startsWith("--zz"));
    }

    @Test
    void listenAddressParsing() {
        assertThat(EffectiveParameters.ListenAddress.parse("*:5432").localConnectHost()).isEqualTo("127.0.0.1");
        assertThat(EffectiveParameters.ListenAddress.parse("0.0.0.0:5432").localConnectHost()).isEqualTo("127.0.0.1");
        assertThat(EffectiveParameters.ListenAddress.parse("10.1.2.3,10.1.2.4:6432").localConnectHost())
                .isEqualTo("10.1.2.3");
        assertThatThrownBy(() -> EffectiveParameters.ListenAddress.parse("10.1.2.3"))
                .hasMessageContaining("postgresql.listen").hasMessageContaining("no port");
        assertThatThrownBy(() -> EffectiveParameters.ListenAddress.parse("h:x"))
                .hasMessageContaining("not a number");
    }
}
