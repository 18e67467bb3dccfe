package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real network checks, against real sockets on loopback. */
class SocketNetworkProbeTest {
    private final SocketNetworkProbe probe = new SocketNetworkProbe(1000);

    @TempDir
    Path dir;

    private static ServerSocket listen(String host) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        return s;
    }

    @Test
    void aPortInUseCannotBeListenedOnAndAFreeOneCan() throws IOException {
        int port;
        try (ServerSocket s = listen("127.0.0.1")) {
            port = s.getLocalPort();
            assertThat(probe.cannotListen("127.0.0.1", port)).isEqualTo("port " + port + " is already in use");
            assertThat(probe.cannotListen("*", port)).isEqualTo("port " + port + " is already in use");
        }
        assertThat(probe.cannotListen("127.0.0.1", port)).isNull();
    }

    @Test
    void anAddressOfAnotherHostCannotBeListenedOn() {
        // 192.0.2.0/24 is TEST-NET-1: never an address of this host
        assertThat(probe.cannotListen("192.0.2.1", 8008)).isEqualTo("192.0.2.1 is not an address of this host");
        assertThat(probe.cannotListen("no-such-host.invalid", 8008)).isEqualTo("unknown host no-such-host.invalid");
    }

    @Test
    void reachabilityOfAnEndpoint() throws IOException {
        int port;
        try (ServerSocket s = listen("127.0.0.1")) {
            port = s.getLocalPort();
            assertThat(probe.cannotReach("127.0.0.1", port)).isNull();
        }
        assertThat(probe.cannotReach("127.0.0.1", port)).isEqualTo("connection refused");
        assertThat(probe.cannotReach("etcd.invalid", 2379)).isEqualTo("unknown host etcd.invalid");
    }

    @Test
    void validationWithTheRealNetworkReportsAListenerInUseAndEtcdThatAnswers() throws IOException {
        try (ServerSocket api = listen("127.0.0.1"); ServerSocket pg = listen("127.0.0.1");
                ServerSocket etcd = listen("127.0.0.1")) {
            String base = Files.readString(Path.of("src/test/resources/validate/base.yml"))
                    .replace("listen: 10.0.0.11:8008", "listen: 127.0.0.1:" + api.getLocalPort())
                    .replace("listen: 10.0.0.11:5432", "listen: 127.0.0.1:" + pg.getLocalPort())
                    .replace("  - 10.0.0.1:2379\n  - 10.0.0.2:2379\n  - 10.0.0.3:2379\n",
                            "  - 127.0.0.1:" + etcd.getLocalPort() + "\n");
            Path f = Files.writeString(dir.resolve("patroni.yml"), base);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = ConfigLoader.validate(f, HostEnvironment.current().withEnv(TestHost.baseEnv())).printValidation(
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
            assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                    f + ":5: error: restapi.listen: cannot listen on 127.0.0.1:" + api.getLocalPort() + ": port "
                            + api.getLocalPort() + " is already in use; free it or choose another address",
                    f + ":16: warning: postgresql.listen: cannot listen on 127.0.0.1:" + pg.getLocalPort() + ": port "
                            + pg.getLocalPort() + " is already in use (not by the postmaster of"
                            + " /nonexistent/ha-agent-test/pg1); fine if it is this node's PostgreSQL starting, else"
                            + " choose another port");
            assertThat(code).isEqualTo(1);
        }
    }

    /** On this machine the example only lacks its etcd (or has it, if one runs on 127.0.0.11-13:2379). */
    @Test
    void theExampleValidatesHereWithTheRealNetwork() throws IOException {
        Path f = dir.resolve("patroni.yml");
        Files.copy(Path.of("..", "examples", "patroni.yml"), f);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ConfigLoader.validate(f, HostEnvironment.current().withEnv(Map.of("PATH", System.getenv("PATH"),
                "HOME", "/var/lib/postgresql"))).printValidation(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream()));
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).allSatisfy(line -> assertThat(line).matches(
                java.util.regex.Pattern.quote(f.toString()) + ":(39|40|41): warning: etcd3.hosts\\[[012]\\]: etcd at"
                        + " 127\\.0\\.0\\.1[123]:2379 is not reachable from here \\(.*\\): check the address, DNS and"
                        + " firewall; ha-agent keeps retrying when it runs"));
        assertThat(code).isZero();
    }
}
