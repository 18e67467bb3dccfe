package io.haagent.pg;

import java.nio.file.Path;

/**
 * What is in the data directory, checked before anything runs against it.
 *
 * @param majorVersion the {@code PG_VERSION} found, when there is one
 * @param detail       a sentence for messages (owner, permission problem, what was found)
 */
public record DataDirectoryState(Kind kind, Path path, Integer majorVersion, String detail) {

    public enum Kind {
        /** The directory does not exist: bootstrap or clone may create it. */
        ABSENT,
        /** Exists and holds nothing: bootstrap or clone may fill it. */
        EMPTY,
        /** A data directory of the server's major version. */
        VALID,
        /** A data directory of another major version: needs pg_upgrade or another bin_dir. */
        FOREIGN_VERSION,
        /** Holds files but no {@code PG_VERSION}: not a data directory; nothing will overwrite it. */
        NOT_A_DATA_DIRECTORY,
        /** Owned by another OS user: PostgreSQL refuses to run on it. */
        WRONG_OWNER,
        /** Cannot be read or listed by this user. */
        NOT_ACCESSIBLE
    }

    /** Absent or empty: bootstrap or clone may proceed. */
    public boolean isEmpty() {
        return kind == Kind.ABSENT || kind == Kind.EMPTY;
    }

    public boolean isValid() {
        return kind == Kind.VALID;
    }

    /** What to do about this state, for error messages. */
    public String whatToDo() {
        switch (kind) {
            case FOREIGN_VERSION:
                return "it was created by PostgreSQL " + majorVersion + ": upgrade it with pg_upgrade, point"
                        + " postgresql.bin_dir at PostgreSQL " + majorVersion + " binaries, or move it away so the"
                        + " node can be re-created";
            case NOT_A_DATA_DIRECTORY:
                return "it is not empty but holds no PG_VERSION: move its content away or set postgresql.data_dir"
                        + " to another directory";
            case WRONG_OWNER:
                return "chown -R it to the user the agent runs as, or run the agent as its owner";
            case NOT_ACCESSIBLE:
                return "give the agent's user read, write and search permission on it (PostgreSQL wants mode 0700"
                        + " or 0750, owned by that user)";
            case ABSENT:
            case EMPTY:
                return "bootstrap the cluster or clone a replica into it";
            default:
                return "nothing";
        }
    }

    @Override
    public String toString() {
        return "data directory " + path + ": " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + (detail == null ? "" : " (" + detail + ")");
    }
}
