package io.haagent.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's {@code Type=notify} (Patroni 4.1): {@code READY=1} once the node runs (its REST API listens and the HA
 * loop has started), {@code RELOADING=1} then {@code READY=1} around a SIGHUP reload, {@code STOPPING=1} when the
 * shutdown begins, each to {@code $NOTIFY_SOCKET}. The socket is a unix datagram socket, which Java 17 cannot
 * write to without native code, so the message goes through {@code systemd-notify --pid=<this process>} (systemd
 * 246 and later wait until the manager has read it, so the short-lived sender is no race; the unit says
 * {@code NotifyAccess=all}). Without {@code NOTIFY_SOCKET} (not started by systemd, or {@code Type=simple}) nothing
 * is sent; a failed send is a warning, never a reason to stop.
 */
final class SystemdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);
    static final String SOCKET_VARIABLE = "NOTIFY_SOCKET";

    private final String socket;
    private final Path tool;
    private final long pid;

    SystemdNotify(String socket, Path tool, long pid) {
        this.socket = socket;
        this.tool = tool;
        this.pid = pid;
    }

    /** From the environment: the socket systemd gave, and systemd-notify from the PATH (or /usr/bin, /bin). */
    static SystemdNotify from(Map<String, String> env) {
        String socket = env.get(SOCKET_VARIABLE);
        Path tool = null;
        List<String> dirs = new ArrayList<>(List.of(env.getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "systemd-notify"))) {
                tool = Path.of(d, "systemd-notify");
                break;
            }
        }
        return new SystemdNotify(socket == null || socket.isEmpty() ? null : socket, tool,
                ProcessHandle.current().pid());
    }

    boolean enabled() {
        return socket != null;
    }

    void ready() {
        send("READY=1");
    }

    void reloading() {
        // CLOCK_MONOTONIC in microseconds, which System.nanoTime() reads on Linux
        send("RELOADING=1", "MONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    void stopping() {
        send("STOPPING=1");
    }

    private void send(String... assignments) {
        if (socket == null) {
            return;
        }
        if (tool == null) {
            LOG.warn("{} is set but systemd-notify is not installed: systemd is not told {}", SOCKET_VARIABLE,
                    String.join(" ", assignments));
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(tool.toString(), "--pid=" + pid));
        cmd.addAll(List.of(assignments));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                LOG.warn("systemd-notify {} did not finish within 10 s", String.join(" ", assignments));
            } else if (p.exitValue() != 0) {
                LOG.warn("systemd-notify {} failed (exit {})", String.join(" ", assignments), p.exitValue());
            } else {
                LOG.debug("told systemd {}", String.join(" ", assignments));
            }
        } catch (java.io.IOException e) {
            LOG.warn("systemd-notify {} could not run: {}", String.join(" ", assignments), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
