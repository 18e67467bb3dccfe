package io.haagent.pg.files;

import io.haagent.pg.PostgresException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over the target
 * and fsync the directory. A crash at any point leaves either the old file or the new one, never half of one
 * (a half-written postgresql.conf would stop postgres from starting; a half-written pgpass would lock
 * replicas out).
 */
public final class AtomicFiles {
    /** 0600: configuration and password files are readable by their owner only. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFiles() {
    }

    public static void write(Path target, String content) {
        write(target, content.getBytes(StandardCharsets.UTF_8), OWNER_ONLY);
    }

    public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(
                ThreadLocalRandom.current().nextLong()));
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(permissions));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically within " + dir, e);
            }
            fsyncDirectory(dir);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the temporary file is named so nothing reads it; best effort
            }
            throw new PostgresException.FileOperationFailed("cannot write", target, e);
        }
    }

    /** Makes a rename or delete in {@code dir} durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes a file if it exists, durably. */
    public static boolean delete(Path file) {
        try {
            boolean deleted = Files.deleteIfExists(file);
            if (deleted) {
                fsyncDirectory(file.toAbsolutePath().getParent());
            }
            return deleted;
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot delete", file, e);
        }
    }
}
