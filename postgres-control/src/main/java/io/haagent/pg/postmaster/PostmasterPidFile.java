package io.haagent.pg.postmaster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code postmaster.pid}: the postmaster's lock file. Line 1 pid, 2 data directory, 3 start time (epoch s),
 * 4 port, 5 first socket directory, 6 first listen address, 7 shared memory key, 8 status (PG10+:
 * {@code starting}, {@code stopping}, {@code ready}, {@code standby}). The file may be half-written while
 * the postmaster starts; missing lines are null.
 */
public record PostmasterPidFile(long pid, String dataDirectory, Instant startTime, Integer port, String socketDirectory,
        String listenAddress, String status) {

    public static final String READY = "ready";
    public static final String STANDBY = "standby";
    public static final String STARTING = "starting";
    public static final String STOPPING = "stopping";

    /** @return empty when the text does not start with a pid */
    public static Optional<PostmasterPidFile> parse(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length == 0) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines[0].trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (pid <= 0) {
            return Optional.empty();
        }
        Instant start = null;
        if (lines.length > 2) {
            try {
                start = Instant.ofEpochSecond(Long.parseLong(lines[2].trim()));
            } catch (NumberFormatException e) {
                start = null;
            }
        }
        Integer port = null;
        if (lines.length > 3) {
            try {
                port = Integer.parseInt(lines[3].trim());
            } catch (NumberFormatException e) {
                port = null;
            }
        }
        return Optional.of(new PostmasterPidFile(pid, line(lines, 1), start, port, line(lines, 4), line(lines, 5),
                line(lines, 7)));
    }

    public static Optional<PostmasterPidFile> read(Path dataDir) {
        try {
            return parse(Files.readString(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The postmaster accepts connections (as primary or hot standby). */
    public boolean acceptingConnections() {
        return READY.equals(status) || STANDBY.equals(status);
    }

    private static String line(String[] lines, int i) {
        if (lines.length <= i) {
            return null;
        }
        String s = lines[i].trim();
        return s.isEmpty() ? null : s;
    }
}
