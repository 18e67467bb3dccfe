package io.haagent.pg.control;

import io.haagent.pg.DataDirectoryState;
import io.haagent.pg.PostgresException;
import io.haagent.pg.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Iterator;

/** Inspecting, emptying and setting aside data directories. */
public final class DataDirectories {
    private DataDirectories() {
    }

    /**
     * What {@code dir} holds, checked in the order an operator would: existence, owner, readability, content,
     * version. Never throws.
     *
     * @param serverMajor the major version of the configured binaries
     */
    public static DataDirectoryState inspect(Path dir, int serverMajor) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.exists(dir)) {
            return new DataDirectoryState(DataDirectoryState.Kind.ABSENT, dir, null, null);
        }
        if (!Files.isDirectory(dir)) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_A_DATA_DIRECTORY, dir, null,
                    "it is a file, not a directory");
        }
        try {
            UserPrincipal owner = Files.getOwner(dir);
            String me = System.getProperty("user.name");
            if (me != null && !owner.getName().equals(me)) {
                return new DataDirectoryState(DataDirectoryState.Kind.WRONG_OWNER, dir, null,
                        "owned by " + owner.getName() + ", the agent runs as " + me);
            }
        } catch (IOException e) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_ACCESSIBLE, dir, null,
                    "cannot read its owner: " + e.getMessage());
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir) || !Files.isWritable(dir)) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_ACCESSIBLE, dir, null,
                    "the agent's user lacks read, write or search permission (mode " + mode(dir) + ")");
        }
        boolean empty;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            empty = !ds.iterator().hasNext();
        } catch (AccessDeniedException e) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_ACCESSIBLE, dir, null,
                    "cannot list it: permission denied");
        } catch (IOException e) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_ACCESSIBLE, dir, null,
                    "cannot list it: " + e.getMessage());
        }
        if (empty) {
            return new DataDirectoryState(DataDirectoryState.Kind.EMPTY, dir, null, null);
        }
        Path pgVersion = dir.resolve("PG_VERSION");
        if (!Files.exists(pgVersion)) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_A_DATA_DIRECTORY, dir, null,
                    "it holds files but no PG_VERSION");
        }
        int major;
        try {
            major = Integer.parseInt(Files.readString(pgVersion, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_A_DATA_DIRECTORY, dir, null,
                    "PG_VERSION is unreadable: " + e.getMessage());
        }
        if (major != serverMajor) {
            return new DataDirectoryState(DataDirectoryState.Kind.FOREIGN_VERSION, dir, major,
                    "PG_VERSION says " + major + ", the binaries are PostgreSQL " + serverMajor);
        }
        if (!Files.exists(dir.resolve("global/pg_control"))) {
            return new DataDirectoryState(DataDirectoryState.Kind.NOT_A_DATA_DIRECTORY, dir, major,
                    "PG_VERSION exists but global/pg_control is missing (a half-made directory?)");
        }
        return new DataDirectoryState(DataDirectoryState.Kind.VALID, dir, major, null);
    }

    private static String mode(Path dir) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    /**
     * Deletes everything inside {@code dir} (symbolic links are removed, not followed) and makes sure it exists
     * with mode 0700, as PostgreSQL requires.
     */
    public static void empty(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    Iterator<Path> it = ds.iterator();
                    while (it.hasNext()) {
                        deleteTree(it.next());
                    }
                }
            } else {
                Files.createDirectories(dir);
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            AtomicFiles.fsyncDirectory(dir);
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot empty the data directory", dir, e);
        }
    }

    /**
     * Removes {@code dir} itself when it is an empty directory, so that a tool that creates it (a restore that copies
     * a directory tree, as Patroni's own scenarios do) can. A directory that cannot be removed (its parent is not
     * writable, it is a mount point) stays, empty.
     */
    public static void removeIfEmpty(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (ds.iterator().hasNext()) {
                return;
            }
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return;
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot read the data directory", dir, e);
        }
        try {
            Files.delete(dir);
        } catch (IOException e) {
            // a mount point, or a parent the agent may not write: the command has to cope with an empty directory
        }
    }

    /** Deletes everything inside {@code dir}, then {@code dir} itself when it can ({@link #removeIfEmpty}). */
    public static void remove(Path dir) {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            empty(dir);
        }
        removeIfEmpty(dir);
    }

    /** Deletes a file or directory tree without following symbolic links. */
    public static void deleteTree(Path p) throws IOException {
        if (Files.isSymbolicLink(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Moves a failed data directory to {@code <dir>.failed} (replacing an older one) and leaves an empty
     * {@code dir}, so nothing half-made is ever taken for a valid cluster while the evidence is kept.
     *
     * @return where it went
     */
    public static Path setAside(Path dir) {
        Path failed = dir.resolveSibling(dir.getFileName() + ".failed");
        try {
            if (Files.exists(failed)) {
                deleteTree(failed);
            }
            Files.move(dir, failed, StandardCopyOption.ATOMIC_MOVE);
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return failed;
        } catch (IOException e) {
            // the parent may not be writable (or dir is a mount point): empty it instead
            empty(dir);
            return null;
        }
    }
}
