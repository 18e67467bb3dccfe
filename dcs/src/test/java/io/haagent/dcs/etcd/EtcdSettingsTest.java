package io.haagent.dcs.etcd;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.haagent.config.EtcdConfig;
import io.haagent.config.Secret;
import io.haagent.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings a typo would turn into an obscure gRPC error are refused up front, naming the key. */
class EtcdSettingsTest {
    @TempDir
    Path tmp;

    private static EtcdConfig cfg(List<String> endpoints, String user, String password, String ca, String cert,
            String key) {
        return new EtcdConfig("etcd3", endpoints, endpoints.isEmpty() || endpoints.get(0).startsWith("http:") ? "http"
                : "https", user, Secret.of(password), ca, cert, key, null);
    }

    @Test
    void endpoints() {
        assertThatThrownBy(() -> EtcdSettings.validate(cfg(List.of(), null, null, null, null, null)))
                .hasMessage("etcd3: no etcd endpoint (set host, hosts or url)");
        assertThatThrownBy(() -> EtcdSettings.validate(cfg(List.of("http://etcd1"), null, null, null, null, null)))
                .hasMessageContaining("'http://etcd1' is not an endpoint URL of the form http(s)://host:port");
        assertThatCode(() -> EtcdSettings.validate(cfg(List.of("http://10.0.0.1:2379", "http://etcd2:2379"), null,
                null, null, null, null))).doesNotThrowAnyException();
    }

    @Test
    void credentials() {
        assertThatThrownBy(() -> EtcdSettings.validate(cfg(List.of("http://h:2379"), null, "pw", null, null, null)))
                .hasMessage("etcd3.password is set but etcd3.username is not");
    }

    @Test
    void tlsFiles() throws Exception {
        Path cert = Files.writeString(tmp.resolve("c.crt"), "-----BEGIN CERTIFICATE-----\n");
        assertThatThrownBy(() -> EtcdSettings.validate(cfg(List.of("https://h:2379"), null, null,
                tmp.resolve("nope.crt").toString(), null, null)))
                .hasMessageContaining("etcd3.cacert: ").hasMessageContaining("nope.crt does not exist");
        assertThatThrownBy(() -> EtcdSettings.validate(cfg(List.of("https://h:2379"), null, null, null, null,
                cert.toString()))).hasMessage("etcd3.key is set but etcd3.cert is not");
        assertThatThrownBy(() -> EtcdSettings.validate(cfg(List.of("http://h:2379"), null, null, cert.toString(),
                null, null))).hasMessageContaining("set etcd3.protocol: https");
        Path ec = Files.writeString(tmp.resolve("ec.key"), "-----BEGIN EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> EtcdSettings.validate(cfg(List.of("https://h:2379"), null, null, null,
                cert.toString(), ec.toString()))).hasMessageContaining("PKCS#1/SEC1");
    }

    @Test
    void memberNameAndTimeouts() {
        EtcdConfig ok = cfg(List.of("http://127.0.0.1:1"), null, null, null, null, null);
        assertThatThrownBy(() -> EtcdDcs.connect(ok, "service", "s", "a/b", 20, 3, Clock.SYSTEM))
                .hasMessageContaining("'a/b' cannot name an etcd member key");
        assertThatThrownBy(() -> EtcdDcs.connect(ok, "service", "s", "a", 0, 3, Clock.SYSTEM))
                .hasMessageContaining("ttl (0)");
    }
}
