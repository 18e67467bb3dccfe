package io.haagent.sim;

import io.haagent.config.AgentConfig;
import io.haagent.config.loader.ConfigLoader;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.config.loader.NetworkProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated agents' configurations, loaded once per member and variant through the real {@link ConfigLoader}
 * (a patroni.yml as a user writes it) and shared by every run that needs the same one. Members pg1..pg7 on
 * 10.0.0.11.. (nothing listens there: the simulator's network is its own).
 */
final class SimConfigs {
    private static final Map<String, AgentConfig> CACHE = new ConcurrentHashMap<>();
    private static final Path DIR = tempDir();

    private SimConfigs() {
    }

    static AgentConfig load(String name, int agents, String dynamic) {
        return CACHE.computeIfAbsent(name + "\n" + dynamic, k -> read(name, dynamic));
    }

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("ha-agent-sim");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(d)));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path d) {
        try (var walk = Files.walk(d)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    private static AgentConfig read(String name, String dynamic) {
        String host = "10.0.0." + (10 + Integer.parseInt(name.substring(2)));
        try {
            Path data = DIR.resolve(name);
            Files.createDirectories(data);
            Path f = Files.createTempFile(DIR, name, ".yml", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, io.haagent.testing.LoopNodeYaml.of("sim", name, host, dynamic, data, ""));
            HostEnvironment env = new HostEnvironment(Map.of("PATH", "/usr/bin:/bin", "HOME", "/nonexistent"),
                    "sim", "postgres", new NetworkProbe() {
                        @Override
                        public String cannotListen(String h, int p) {
                            return null;
                        }

                        @Override
                        public String cannotReach(String h, int p) {
                            return "connection refused";
                        }
                    });
            ConfigLoader.Loaded l = ConfigLoader.load(f, env);
            Files.delete(f);
            if (!l.errors().isEmpty()) {
                throw new IllegalStateException("configuration of " + name + ": " + l.errors());
            }
            return l.config();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
