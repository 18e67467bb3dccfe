package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The tree `mvn package` leaves in packaging/target/dist: bin/, lib/ of plain jars, systemd/, man/, completion/,
 * examples/, docs/.
 */
class DistLayoutIT {

    @Test
    void launchersAreOneExecutablePosixScriptUnderTwoNames() throws IOException {
        for (String name : List.of("ha-agent", "agentctl")) {
            Path launcher = Dist.launcher(name);
            assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
            assertThat(Files.readString(launcher)).startsWith("#!/bin/sh\n");
        }
        assertThat(Files.readString(Dist.launcher("agentctl"))).isEqualTo(Files.readString(Dist.launcher("ha-agent")));
    }

    @Test
    void libHoldsTheAgentWithJetcdAndGrpcAsPlainJars() throws IOException {
        List<String> jars = jarNames();
        assertThat(jars).anyMatch(n -> n.matches("io\\.haagent\\.agent-.+\\.jar"))
                .anyMatch(n -> n.matches("io\\.haagent\\.core-.+\\.jar"))
                .anyMatch(n -> n.matches("io\\.etcd\\.jetcd-core-.+\\.jar"))
                .anyMatch(n -> n.matches("io\\.grpc\\.grpc-core-.+\\.jar"))
                .anyMatch(n -> n.matches("io\\.grpc\\.grpc-netty-.+\\.jar"))
                .noneMatch(n -> n.matches("(?i).*(shaded|-all|with-dependencies|uber|fat)[-.].*"));
    }

    /**
     * No jar that nothing loads (issue 15): the class-data training run walks the start-up paths of ha-agent and
     * agentctl; every jar of lib/ must serve it at least one class, except those kept for a path it cannot walk
     * here. A new dependency that drags in unused jars fails this; exclude them in src/assembly/dist.xml.
     */
    @Test
    void everyJarInLibServesAClass(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Map<String, String> keptUnused = Map.of(
                "io.netty.netty-handler-proxy-", "gRPC loads it when a proxy is configured for etcd",
                "io.netty.netty-codec-socks-", "the proxy handler's SOCKS codec",
                "io.netty.netty-resolver-", "Netty's Bootstrap falls back to it for an address gRPC did not resolve",
                "com.google.guava.failureaccess-", "the parent class of Guava's AbstractFuture");
        Path loads = tmp.resolve("loads.txt");
        Path jvm = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Cmd.Result r = Cmd.of(jvm, "-Xlog:class+load:file=" + loads, "-cp", Dist.home().resolve("lib") + "/*",
                "io.haagent.agent.ArchiveTraining").timeout(java.time.Duration.ofMinutes(3)).run();
        assertThat(r.exit()).as(r.toString()).isZero();
        Set<String> loaded = Files.readAllLines(loads).stream().map(l -> l.split(" "))
                .filter(f -> f.length > 1).map(f -> f[1]).collect(Collectors.toSet());
        List<String> unused = new ArrayList<>();
        for (String name : jarNames()) {
            if (keptUnused.keySet().stream().anyMatch(name::startsWith)) {
                continue;
            }
            try (ZipFile jar = new ZipFile(Dist.home().resolve("lib").resolve(name).toFile())) {
                boolean serves = jar.stream().map(ZipEntry::getName)
                        .filter(e -> e.endsWith(".class") && !e.startsWith("META-INF/"))
                        .anyMatch(e -> loaded.contains(e.substring(0, e.length() - 6).replace('/', '.')));
                if (!serves) {
                    unused.add(name);
                }
            }
        }
        assertThat(unused).as("jars of lib/ from which the training run loads no class").isEmpty();
        assertThat(jarNames()).as("each jar kept for a path the training cannot walk is still in lib/ (drop the entry"
                + " when its jar goes)").filteredOn(n -> keptUnused.keySet().stream().anyMatch(n::startsWith))
                .hasSize(keptUnused.size());
    }

    @Test
    void ourJarsHoldOnlyOurClasses() throws IOException {
        // A fat jar would carry other projects' classes inside one of ours. (Resources such as a
        // logback.xml may sit anywhere.)
        for (String name : jarNames()) {
            if (!name.startsWith("io.haagent.")) {
                continue;
            }
            try (ZipFile jar = new ZipFile(Dist.home().resolve("lib").resolve(name).toFile())) {
                List<String> foreign = jar.stream().map(ZipEntry::getName)
                        .filter(e -> e.endsWith(".class") && !e.startsWith("io/haagent/")
                                && !e.endsWith("module-info.class") && !e.startsWith("META-INF/versions/"))
                        .collect(Collectors.toList());
                assertThat(foreign).as(name + " holds classes of other projects").isEmpty();
            }
        }
    }

    @Test
    void noClassIsInTwoJars() throws IOException {
        Map<String, List<String>> owners = new HashMap<>();
        for (String name : jarNames()) {
            try (ZipFile jar = new ZipFile(Dist.home().resolve("lib").resolve(name).toFile())) {
                jar.stream().map(ZipEntry::getName)
                        .filter(e -> e.endsWith(".class") && !e.endsWith("module-info.class")
                                && !e.startsWith("META-INF/versions/"))
                        .forEach(e -> owners.computeIfAbsent(e, k -> new ArrayList<>()).add(name));
            }
        }
        Map<String, List<String>> duplicates = new TreeMap<>();
        owners.forEach((cls, in) -> {
            if (in.size() > 1) {
                duplicates.put(cls, in);
            }
        });
        assertThat(duplicates).as("classes present in more than one jar of lib/").isEmpty();
    }

    @Test
    void grpcServiceFilesAreIntactInTheirOwnJars() throws IOException {
        // jetcd-core and grpc-core both declare io.grpc.NameResolverProvider services: merging them into
        // one jar keeps one file and loses the other's resolvers (the reason lib/ is not shaded).
        assertThat(serviceFile("io.etcd.jetcd-core-", "io.grpc.NameResolverProvider")).isNotBlank();
        assertThat(serviceFile("io.grpc.grpc-core-", "io.grpc.NameResolverProvider")).isNotBlank();
        assertThat(serviceFile("io.grpc.grpc-core-", "io.grpc.LoadBalancerProvider")).isNotBlank();
        assertThat(serviceFile("io.grpc.grpc-netty-", "io.grpc.ManagedChannelProvider")).isNotBlank();
    }

    @Test
    void systemdUnitAndEnvironmentFileAreTheRepositorysOwn() throws IOException {
        for (String name : List.of("ha-agent.service", "ha-agent@.service", "ha-agent.default")) {
            assertThat(Dist.home().resolve("systemd").resolve(name))
                    .hasSameBinaryContentAs(Dist.repoRoot().resolve("systemd").resolve(name));
        }
    }

    @Test
    void examplesAreCopiedWhole() throws IOException {
        List<String> shipped = Dist.filesUnder(Dist.home().resolve("examples"));
        List<String> inRepo = Dist.filesUnder(Dist.examples());
        assertThat(inRepo).contains("haproxy.cfg", "prometheus/ha-agent-rules.yml",
                "prometheus/ha-agent-rules.test.yml");
        assertThat(shipped).isEqualTo(inRepo);
        for (String f : inRepo) {
            assertThat(Dist.home().resolve("examples").resolve(f)).hasSameBinaryContentAs(Dist.examples().resolve(f));
        }
    }

    @Test
    void treeHoldsNothingElse() throws IOException {
        Set<String> top;
        try (var list = Files.list(Dist.home())) {
            top = list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        assertThat(top).containsExactlyInAnyOrder("bin", "lib", "systemd", "man", "completion", "examples", "docs");
        assertThat(Dist.filesUnder(Dist.home().resolve("bin"))).containsExactly("agentctl", "ha-agent");
        assertThat(Dist.filesUnder(Dist.home().resolve("man"))).containsExactly("agentctl.1", "ha-agent.1");
        assertThat(Dist.filesUnder(Dist.home().resolve("completion"))).containsExactly("agentctl");
        assertThat(Dist.filesUnder(Dist.home().resolve("docs")))
                .isEqualTo(Dist.filesUnder(Dist.repoRoot().resolve("docs")));
        assertThat(Dist.filesUnder(Dist.home().resolve("lib"))).allMatch(n -> n.endsWith(".jar"));
    }

    private static List<String> jarNames() throws IOException {
        List<String> jars = Dist.filesUnder(Dist.home().resolve("lib"));
        assertThat(jars).isNotEmpty();
        return jars;
    }

    private static String serviceFile(String jarPrefix, String service) throws IOException {
        String jarName = jarNames().stream().filter(n -> n.startsWith(jarPrefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + jarPrefix + "*.jar in lib/"));
        try (ZipFile jar = new ZipFile(Dist.home().resolve("lib").resolve(jarName).toFile())) {
            ZipEntry e = jar.getEntry("META-INF/services/" + service);
            assertThat(e).as(jarName + " has META-INF/services/" + service).isNotNull();
            return new String(jar.getInputStream(e).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
