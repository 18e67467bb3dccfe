package io.haagent.faults;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Which node a connection to a shared proxy comes from. All nodes share the loopback interface, so the source
 * address does not tell (the kernel picks 127.0.0.1 for any 127/8 destination); the owner of the client's socket
 * does: the proxy looks the connection's client port up in {@code /proc/net/tcp}, finds the process holding that
 * socket among the nodes' processes (agents and postmasters, and their children: walreceivers, pg_rewind,
 * pg_basebackup), and names the node whose agent or postmaster that process descends from. Everything runs as the
 * same OS user, so {@code /proc/<pid>/fd} is readable.
 */
final class PeerAttribution implements Function<Socket, String> {
    /** Node name → the pids its processes descend from (agent, postmaster). */
    private final Supplier<Map<String, List<Long>>> roots;

    PeerAttribution(Supplier<Map<String, List<Long>>> roots) {
        this.roots = roots;
    }

    @Override
    public String apply(Socket accepted) {
        InetSocketAddress remote = (InetSocketAddress) accepted.getRemoteSocketAddress();
        // the client socket's inode: the line whose local address is the accepted socket's remote address
        for (int attempt = 0; attempt < 3; attempt++) {
            OptionalLong inode = inodeOf(remote);
            if (inode.isPresent()) {
                Optional<String> node = ownerNode(inode.getAsLong());
                if (node.isPresent()) {
                    return node.get();
                }
            }
        }
        return "?";
    }

    static OptionalLong inodeOf(InetSocketAddress local) {
        if (!(local.getAddress() instanceof Inet4Address a)) {
            return OptionalLong.empty();
        }
        byte[] b = a.getAddress();
        // /proc/net/tcp prints the address as a little-endian 32-bit hex number
        String want = String.format("%02X%02X%02X%02X:%04X", b[3], b[2], b[1], b[0], local.getPort());
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].equals(want)) {
                    return OptionalLong.of(Long.parseLong(f[9]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not found
        }
        return OptionalLong.empty();
    }

    private Optional<String> ownerNode(long inode) {
        String link = "socket:[" + inode + "]";
        Map<String, List<Long>> r = roots.get();
        for (var e : r.entrySet()) {
            for (long root : e.getValue()) {
                Optional<ProcessHandle> h = ProcessHandle.of(root);
                if (h.isEmpty()) {
                    continue;
                }
                if (holds(root, link) || h.get().descendants().anyMatch(d -> holds(d.pid(), link))) {
                    return Optional.of(e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean holds(long pid, String link) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(link)) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // gone or not ours
        }
        return false;
    }
}
