package io.haagent.ha;

/** What the data directory holds, as far as the decision needs to know. */
public enum DataDirState {
    /** Missing or empty: a new node (bootstrap or clone). */
    EMPTY,
    /** A PostgreSQL data directory of the expected major version. */
    VALID,
    /** Cannot be read (permissions, I/O error). */
    INACCESSIBLE
}
