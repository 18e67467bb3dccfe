package io.haagent.dist;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Runs a program to completion. Output goes to files, so no pipe can fill up and stall the child. */
final class Cmd {
    /** What a run produced. {@code toString} is the whole story, for assertion messages. */
    record Result(List<String> argv, long pid, int exit, String out, String err, List<String> holdingOutput) {
        Result(List<String> argv, long pid, int exit, String out, String err) {
            this(argv, pid, exit, out, err, List.of());
        }

        @Override
        public String toString() {
            return String.join(" ", argv) + "\n  exit " + exit + "\n  --- stdout\n" + out + "\n  --- stderr\n" + err;
        }
    }

    private final List<String> argv;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Set<String> unset = new HashSet<>();
    private Path dir;
    private Duration timeout = Duration.ofSeconds(120);

    private Cmd(List<String> argv) {
        this.argv = List.copyOf(argv);
    }

    static Cmd of(Object... argv) {
        List<String> words = new ArrayList<>();
        for (Object a : argv) {
            words.add(a.toString());
        }
        return new Cmd(words);
    }

    Cmd env(String name, String value) {
        env.put(name, value);
        unset.remove(name);
        return this;
    }

    Cmd unset(String name) {
        unset.add(name);
        env.remove(name);
        return this;
    }

    Cmd in(Path workingDir) {
        this.dir = workingDir;
        return this;
    }

    private boolean findHolders;

    /**
     * After the command exits, look for processes that still hold its stdout or stderr open (a background process
     * that was not detached: a reader of the command's output through a pipe would wait for it); in
     * {@link Result#holdingOutput()}, as "pid command line".
     */
    Cmd findOutputHolders() {
        this.findHolders = true;
        return this;
    }

    private static List<String> holdersOf(File... files) {
        java.util.Set<String> targets = new java.util.HashSet<>();
        for (File f : files) {
            targets.add(f.getAbsolutePath());
        }
        List<String> out = new java.util.ArrayList<>();
        File[] procs = new File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
        for (File proc : procs == null ? new File[0] : procs) {
            for (String fd : List.of("0", "1", "2")) {
                try {
                    String link = Files.readSymbolicLink(proc.toPath().resolve("fd").resolve(fd)).toString();
                    if (targets.contains(link)) {
                        String cmd = Files.readString(proc.toPath().resolve("cmdline")).replace('\0', ' ').strip();
                        out.add(proc.getName() + " " + cmd);
                        break;
                    }
                } catch (IOException | RuntimeException e) {
                    // gone, or not ours to read
                }
            }
        }
        return out;
    }

    Cmd timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    Result run() throws IOException, InterruptedException {
        File out = File.createTempFile("cmd", ".out");
        File err = File.createTempFile("cmd", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out).redirectError(err);
            pb.environment().keySet().removeAll(unset);
            pb.environment().putAll(env);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", argv) + " did not finish within " + timeout + ":\n"
                        + Files.readString(out.toPath()) + Files.readString(err.toPath()));
            }
            return new Result(argv, p.pid(), p.exitValue(),
                    Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8),
                    findHolders ? holdersOf(out, err) : List.of());
        } finally {
            Files.deleteIfExists(out.toPath());
            Files.deleteIfExists(err.toPath());
        }
    }
}
