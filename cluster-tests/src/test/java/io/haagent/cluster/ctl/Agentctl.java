package io.haagent.cluster.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.haagent.dist.Dist;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real launcher, {@code packaging/target/dist/bin/agentctl}, as an operator would: a separate process with
 * a node's configuration file, no terminal, stdout and stderr captured (to files, so no pipe can stall it).
 */
public final class Agentctl {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A small, quickly started JVM: agentctl is a short-lived client. */
    static final String JAVA_OPTS = "-Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    /** One run: the whole story in {@code toString}, for assertion messages. */
    public record Result(List<String> argv, int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON on stdout:\n" + this, e);
            }
        }

        @Override
        public String toString() {
            return String.join(" ", argv) + "\n  exit " + exit + "\n  --- stdout\n" + out + "\n  --- stderr\n" + err;
        }
    }

    private final Path config;
    private final Map<String, String> env = new LinkedHashMap<>();

    public Agentctl(Path config) {
        this.config = config;
    }

    Agentctl env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** {@code agentctl -c CONFIG args...} */
    public Result run(String... args) {
        List<String> argv = new ArrayList<>(List.of(Dist.launcher("agentctl").toString(), "-c", config.toString()));
        argv.addAll(List.of(args));
        return exec(argv, null, Duration.ofSeconds(120));
    }

    /** {@code agentctl args...} without a configuration file. */
    Result bare(String... args) {
        List<String> argv = new ArrayList<>(List.of(Dist.launcher("agentctl").toString()));
        argv.addAll(List.of(args));
        return exec(argv, null, Duration.ofSeconds(120));
    }

    /** With {@code stdin} as standard input. */
    Result withInput(String stdin, String... args) {
        List<String> argv = new ArrayList<>(List.of(Dist.launcher("agentctl").toString(), "-c", config.toString()));
        argv.addAll(List.of(args));
        return exec(argv, stdin, Duration.ofSeconds(120));
    }

    /** Any program, with {@code stdin} as its input. */
    Result withInputTo(List<String> argv, String stdin) {
        return exec(argv, stdin, Duration.ofSeconds(120));
    }

    /** Any program (patronictl), same conditions. */
    Result program(List<String> argv) {
        return exec(argv, null, Duration.ofSeconds(120));
    }

    /** Starts agentctl and leaves it running (for -W); its stdout goes to {@code out}. */
    Process start(Path out, String... args) {
        List<String> argv = new ArrayList<>(List.of(Dist.launcher("agentctl").toString(), "-c", config.toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = builder(argv).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProcessBuilder builder(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("HA_AGENT_JAVA_OPTS", JAVA_OPTS);
        pb.environment().remove("PATRONICTL_CONFIG_FILE");
        pb.environment().remove("DCS_URL");
        pb.environment().remove("EDITOR");
        pb.environment().putAll(env);
        return pb;
    }

    private Result exec(List<String> argv, String stdin, Duration limit) {
        try {
            File out = File.createTempFile("agentctl", ".out");
            File err = File.createTempFile("agentctl", ".err");
            File in = File.createTempFile("agentctl", ".in");
            try {
                Files.writeString(in.toPath(), stdin == null ? "" : stdin, StandardCharsets.UTF_8);
                Process p = builder(argv).redirectOutput(out).redirectError(err).redirectInput(in).start();
                if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError(String.join(" ", argv) + " did not finish within " + limit + ":\n"
                            + Files.readString(out.toPath()) + Files.readString(err.toPath()));
                }
                return new Result(argv, p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                        Files.readString(err.toPath(), StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out.toPath());
                Files.deleteIfExists(err.toPath());
                Files.deleteIfExists(in.toPath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
