package io.haagent.ctl.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.config.loader.HostEnvironment;
import io.haagent.ctl.CtlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where agentctl finds etcd, the cluster name and the REST API credentials. */
class SettingsLoaderTest {
    @TempDir
    Path dir;

    HostEnvironment host(Map<String, String> env) {
        return new HostEnvironment(env, "node1", "postgres", new io.haagent.config.loader.NetworkProbe() {
            @Override
            public String cannotListen(String h, int p) {
                return null;
            }

            @Override
            public String cannotReach(String h, int p) {
                return null;
            }
        });
    }

    Path config(String extra) throws IOException {
        Path f = dir.resolve("patroni.yml");
        Files.writeString(f, "scope: batman\nnamespace: /svc/\nname: pg1\nrestapi:\n  listen: 10.0.0.1:8008\n"
                + "  connect_address: 10.0.0.1:8008\n  authentication: {username: rest, password: rest-pw}\n"
                + "etcd3:\n  hosts: [10.0.0.5:2379, 10.0.0.6:2379]\npostgresql:\n  listen: 10.0.0.1:5432\n"
                + "  connect_address: 10.0.0.1:5432\n  data_dir: /data\n  authentication:\n"
                + "    superuser: {username: postgres, password: su-pw}\n    replication: {username: r, password: r}\n"
                + extra);
        return f;
    }

    @Test
    void theNodesFileGivesScopeNamespaceEtcdAndRestCredentials() throws IOException {
        CtlSettings s = SettingsLoader.load(config("").toString(), null, false, host(Map.of("HOME", dir.toString())));
        assertThat(s.scope()).isEqualTo("batman");
        assertThat(s.namespaceOrDefault()).isEqualTo("/svc/");
        assertThat(s.etcd().endpoints()).containsExactly("http://10.0.0.5:2379", "http://10.0.0.6:2379");
        assertThat(s.api().username()).isEqualTo("rest");
        assertThat(s.api().password().reveal()).isEqualTo("rest-pw");
        assertThat(s.superuser().username()).isEqualTo("postgres");
        assertThat(s.api().verifyServer()).isTrue();
    }

    @Test
    void ctlSectionWinsOverRestapiAndTheEnvironmentNamesTheFile() throws IOException {
        Path f = config("ctl:\n  authentication: {username: ops, password: ops-pw}\n  insecure: true\n");
        CtlSettings s = SettingsLoader.load(null, null, false,
                host(Map.of("HOME", dir.toString(), "PATRONICTL_CONFIG_FILE", f.toString())));
        assertThat(s.api().username()).isEqualTo("ops");
        assertThat(s.api().password().reveal()).isEqualTo("ops-pw");
        assertThat(s.api().verifyServer()).isFalse();
    }

    @Test
    void dcsUrlWorksWithoutAFileAndReplacesTheFilesEtcd() throws IOException {
        CtlSettings bare = SettingsLoader.load(null, "etcd3://127.0.0.1:23790/service", false,
                host(Map.of("HOME", dir.toString())));
        assertThat(bare.scope()).isNull();
        assertThat(bare.etcd().endpoints()).containsExactly("http://127.0.0.1:23790");
        assertThat(bare.namespaceOrDefault()).isEqualTo("/service");
        CtlSettings both = SettingsLoader.load(config("").toString(), "etcd://10.9.9.9", true,
                host(Map.of("HOME", dir.toString())));
        assertThat(both.etcd().endpoints()).containsExactly("http://10.9.9.9:2379");
        assertThat(both.namespaceOrDefault()).isEqualTo("/svc/");
        assertThat(both.api().verifyServer()).isFalse();
    }

    @Test
    void badInputSaysWhatToDo() throws IOException {
        Map<String, String> env = Map.of("HOME", dir.toString());
        assertThatThrownBy(() -> SettingsLoader.load(dir.resolve("nope.yml").toString(), null, false, host(env)))
                .isInstanceOf(CtlException.class).hasMessageContaining("nope.yml does not exist");
        assertThatThrownBy(() -> SettingsLoader.load(null, "consul://x:8500", false, host(env)))
                .hasMessageContaining("scheme 'consul' is not supported");
        Path noEtcd = dir.resolve("noetcd.yml");
        Files.writeString(noEtcd, "scope: batman\n");
        assertThatThrownBy(() -> SettingsLoader.load(noEtcd.toString(), null, false, host(env)))
                .hasMessageContaining("has no etcd3 (or etcd) section");
        if (SettingsLoader.NODE_FILES.stream().noneMatch(Files::isReadable)) {
            assertThatThrownBy(() -> SettingsLoader.load(null, null, false, host(env)))
                    .hasMessageStartingWith("no configuration");
        }
    }

    @Test
    void dcsUrlForms() {
        assertThat(DcsUrl.parse("127.0.0.1:2379")).isEqualTo(new DcsUrl(List.of("http://127.0.0.1:2379"), null));
        assertThat(DcsUrl.parse("etcd3://[::1]:2380/ns")).isEqualTo(new DcsUrl(List.of("http://[::1]:2380"), "/ns"));
        assertThatThrownBy(() -> DcsUrl.parse("etcd3:///ns")).hasMessageContaining("no host");
    }
}
