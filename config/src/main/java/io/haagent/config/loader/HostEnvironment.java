package io.haagent.config.loader;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the configuration depends on outside its files: the environment variables ({@code PATRONI_*},
 * {@code PATH}, {@code HOME}), this host's name (the default member name), the OS user (the superuser default)
 * and the network checks. {@link #current()} is the real one; tests pass their own.
 */
public record HostEnvironment(Map<String, String> env, String hostName, String osUser, NetworkProbe network) {

    public HostEnvironment {
        env = Map.copyOf(env);
    }

    public static HostEnvironment current() {
        return new HostEnvironment(System.getenv(), localHostName(), System.getProperty("user.name"),
                new SocketNetworkProbe(1000));
    }

    public HostEnvironment withEnv(Map<String, String> newEnv) {
        return new HostEnvironment(newEnv, hostName, osUser, network);
    }

    public String home() {
        String h = env.get("HOME");
        return h == null || h.isBlank() ? System.getProperty("user.home") : h;
    }

    public String path() {
        return env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    }

    /** The kernel's host name (no DNS lookup), else what the JVM reports; null when neither is known. */
    static String localHostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the JVM
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }
}
