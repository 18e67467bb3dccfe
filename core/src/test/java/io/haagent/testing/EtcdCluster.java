package io.haagent.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real etcd cluster (one or three members, or any size) on loopback for component and cluster tests. Each
 * member has its own 127.0.0.x address, random free client and peer ports, a data directory and a log file
 * under one temporary directory. {@link #close()} kills every member and removes the directory (kept when the
 * system property {@code haagent.keepTestDirs=true}); processes left over are killed on JVM exit anyway.
 *
 * <pre>
 * try (EtcdCluster etcd = EtcdCluster.builder().members(3).start()) {
 *     etcd.member(1).kill();
 *     ... etcd.clientUrls() ...
 * }
 * </pre>
 */
public final class EtcdCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":(\\d+)");
    private static final Pattern LEADER_ID = Pattern.compile("\"leader\":(\\d+)");

    private final Path dir;
    private final List<EtcdMember> members;
    private final String initialCluster;
    private final String token;
    private final Tls tls;
    private final String user;
    private final String password;

    private EtcdCluster(Path dir, List<EtcdMember> members, String initialCluster, String token, Tls tls) {
        this(dir, members, initialCluster, token, tls, null, null);
    }

    private EtcdCluster(Path dir, List<EtcdMember> members, String initialCluster, String token, Tls tls,
            String user, String password) {
        this.dir = dir;
        this.members = List.copyOf(members);
        this.initialCluster = initialCluster;
        this.token = token;
        this.tls = tls;
        this.user = user;
        this.password = password;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One member on 127.0.0.21. */
    public static EtcdCluster startSingle() {
        return builder().members(1).start();
    }

    /** Three members on 127.0.0.21, .22 and .23. */
    public static EtcdCluster startThree() {
        return builder().members(3).start();
    }

    public List<EtcdMember> members() {
        return members;
    }

    public EtcdMember member(int index) {
        return members.get(index);
    }

    /** Every member's client URL, e.g. {@code [http://127.0.0.21:41233, ...]}. */
    public List<String> clientUrls() {
        return members.stream().map(EtcdMember::clientUrl).toList();
    }

    public Path dir() {
        return dir;
    }

    /** Null unless built with {@link Builder#tls(Tls)}. */
    public Tls tls() {
        return tls;
    }

    /**
     * The same cluster, with etcdctl calls authenticating as {@code user} (after the test enabled auth).
     */
    public EtcdCluster withCredentials(String user, String password) {
        return new EtcdCluster(dir, members, initialCluster, token, tls, user, password);
    }

    /** Starts a stopped or killed member again on its ports and data, and waits until it is healthy. */
    public void restart(EtcdMember m) {
        try {
            m.launch(initialCluster, token);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + m, e);
        }
        awaitHealthy(List.of(m), START_TIMEOUT);
    }

    /** Waits until every running member answers a health check (it has a leader). */
    public void awaitHealthy() {
        awaitHealthy(members.stream().filter(EtcdMember::isRunning).toList(), START_TIMEOUT);
    }

    private void awaitHealthy(List<EtcdMember> which, Duration timeout) {
        try {
            await("etcd members " + which + " healthy").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        for (EtcdMember m : which) {
                            if (!m.isRunning()) {
                                throw new AssertionError(m + " exited while starting:\n" + m.logTail(30));
                            }
                            if (run(List.of("--endpoints", m.clientUrl(), "--command-timeout", "2s",
                                    "endpoint", "health")).exit != 0) {
                                return false;
                            }
                        }
                        return true;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("etcd did not become healthy within " + timeout + ":\n"
                    + which.stream().map(m -> m + ":\n" + m.logTail(20)).collect(Collectors.joining("\n")), e);
        }
    }

    /** The index of the member that is the raft leader now, as the running members report it. */
    public int leaderIndex() {
        for (int i = 0; i < members.size(); i++) {
            EtcdMember m = members.get(i);
            if (!m.isRunning()) {
                continue;
            }
            Result r = run(List.of("--endpoints", m.clientUrl(), "--command-timeout", "2s", "endpoint", "status",
                    "-w", "json"));
            Matcher id = MEMBER_ID.matcher(r.out);
            Matcher leader = LEADER_ID.matcher(r.out);
            if (r.exit == 0 && id.find() && leader.find()) {
                String leaderId = leader.group(1);
                if (leaderId.equals(id.group(1))) {
                    return i;
                }
                for (int j = 0; j < members.size(); j++) {
                    if (j != i && members.get(j).isRunning()) {
                        Result rj = run(List.of("--endpoints", members.get(j).clientUrl(), "--command-timeout", "2s",
                                "endpoint", "status", "-w", "json"));
                        Matcher idj = MEMBER_ID.matcher(rj.out);
                        if (rj.exit == 0 && idj.find() && idj.group(1).equals(leaderId)) {
                            return j;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no running etcd member reports a leader");
    }

    /** Runs {@code etcdctl} (API v3) against all running members; returns its output or fails with it. */
    public String etcdctl(String... args) {
        List<String> a = new ArrayList<>(List.of("--endpoints",
                members.stream().filter(EtcdMember::isRunning).map(EtcdMember::clientUrl)
                        .collect(Collectors.joining(","))));
        a.addAll(List.of(args));
        Result r = run(a);
        if (r.exit != 0) {
            throw new AssertionError("etcdctl " + String.join(" ", args) + " exited " + r.exit + ": " + r.out);
        }
        return r.out;
    }

    private Result run(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(TestBinaries.onPath("etcdctl", "etcd-client").toString());
        if (tls != null) {
            cmd.addAll(List.of("--cacert", tls.ca().toString(), "--cert", tls.clientCert().toString(), "--key",
                    tls.clientKey().toString()));
        }
        if (user != null) {
            cmd.addAll(List.of("--user", user + ":" + password));
        }
        cmd.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("ETCDCTL_API", "3");
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "etcdctl timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private record Result(int exit, String out) {
    }

    /** Kills every member and removes the directory. */
    @Override
    public void close() {
        members.forEach(EtcdMember::kill);
        if (!Boolean.getBoolean("haagent.keepTestDirs")) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp dir is not worth failing a test for
        }
    }

    /** A free TCP port on {@code host} (bound and released; the caller retries if another process wins it). */
    public static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    /** Certificates for a TLS cluster: a CA, a server certificate for the members' IPs and a client one. */
    public record Tls(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

        /** Generates a CA and certificates with {@code openssl} into {@code dir}; keys are PKCS#8 PEM. */
        public static Tls generate(Path dir, List<String> serverIps) {
            try {
                Files.createDirectories(dir);
                openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                        "-days", "2", "-subj", "/CN=ha-agent test CA");
                String san = serverIps.stream().map(ip -> "IP:" + ip).collect(Collectors.joining(","));
                Files.writeString(dir.resolve("server.ext"), "subjectAltName=" + san
                        + "\nextendedKeyUsage=serverAuth,clientAuth\n");
                Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
                for (String who : List.of("server", "client")) {
                    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr",
                            "-subj", "/CN=" + who);
                    openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                            "-CAcreateserial", "-out", who + ".crt", "-days", "2", "-extfile", who + ".ext");
                }
                return new Tls(dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
                        dir.resolve("client.crt"), dir.resolve("client.key"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void openssl(Path dir, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(TestBinaries.onPath("openssl", "openssl").toString());
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("openssl " + String.join(" ", args) + " failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** How many members, on which addresses, with or without TLS. */
    public static final class Builder {
        private int size = 1;
        private int firstHostOctet = 21;
        private boolean generateTls;
        private boolean enableV2;

        private Builder() {
        }

        /** Serve the etcd v2 API as well (off by default, as in etcd 3.4). */
        public Builder enableV2(boolean v) {
            enableV2 = v;
            return this;
        }

        public Builder members(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("an etcd cluster needs at least one member");
            }
            size = n;
            return this;
        }

        /** Members listen on 127.0.0.{first}, 127.0.0.{first+1}, ... (default 21). */
        public Builder firstHost(int lastOctet) {
            firstHostOctet = lastOctet;
            return this;
        }

        /** Serve clients over TLS with client certificates; certificates are generated in the cluster's dir. */
        public Builder tls() {
            generateTls = true;
            return this;
        }

        public EtcdCluster start() {
            TestBinaries.etcd();
            Path dir;
            try {
                dir = Files.createTempDirectory("etcd-harness-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> hosts = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                hosts.add("127.0.0." + (firstHostOctet + i));
            }
            Tls tls = generateTls ? Tls.generate(dir.resolve("tls"), hosts) : null;
            AssertionError last = null;
            // a port picked as free may be taken before etcd binds it: retry with new ports
            for (int attempt = 1; attempt <= 3; attempt++) {
                List<EtcdMember> members = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    String host = hosts.get(i);
                    EtcdMember m = new EtcdMember("e" + (i + 1), host, freePort(host), freePort(host),
                            dir.resolve("attempt" + attempt).resolve("e" + (i + 1)), tls);
                    m.enableV2 = enableV2;
                    members.add(m);
                }
                String initial = members.stream().map(m -> m.name() + "=" + m.peerUrl())
                        .collect(Collectors.joining(","));
                String token = "t-" + UUID.randomUUID();
                EtcdCluster cluster = new EtcdCluster(dir, members, initial, token, tls);
                try {
                    for (EtcdMember m : members) {
                        m.launch(initial, token);
                    }
                    cluster.awaitHealthy(members, START_TIMEOUT);
                    return cluster;
                } catch (IOException e) {
                    members.forEach(EtcdMember::kill);
                    last = new AssertionError("cannot start etcd", e);
                } catch (AssertionError e) {
                    members.forEach(EtcdMember::kill);
                    last = e;
                }
            }
            deleteTree(dir);
            throw last;
        }
    }
}
