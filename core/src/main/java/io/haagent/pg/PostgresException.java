package io.haagent.pg;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything that can go wrong when the agent drives the local PostgreSQL, as one closed family: callers can
 * switch over it exhaustively. Each message says what happened (with the tool's own last words where a tool
 * ran) and {@link #whatToDo()} says what an operator can do about it. Messages never contain passwords.
 */
public abstract sealed class PostgresException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String whatHappened;
    private final String whatToDo;

    protected PostgresException(String whatHappened, String whatToDo, Throwable cause) {
        super(whatHappened + (whatToDo == null ? "" : "\n  what to do: " + whatToDo), cause);
        this.whatHappened = whatHappened;
        this.whatToDo = whatToDo;
    }

    public String whatHappened() {
        return whatHappened;
    }

    public String whatToDo() {
        return whatToDo;
    }

    /** A PostgreSQL tool is not installed where the configuration says. */
    public static final class BinaryMissing extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final String tool;

        public BinaryMissing(String tool, String detail) {
            super("PostgreSQL tool " + tool + " cannot be run: " + detail,
                    "install PostgreSQL 15 (apt-get install postgresql-15) or set postgresql.bin_dir (or"
                            + " postgresql.bin_name." + tool + ") to where it is", null);
            this.tool = tool;
        }

        public String tool() {
            return tool;
        }
    }

    /** A tool or hook exited with a non-zero status. */
    public static final class ToolFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final transient ToolReport report;

        public ToolFailed(String what, ToolReport report, String whatToDo) {
            super(what + ": " + report.summary(), whatToDo, null);
            this.report = report;
        }

        public ToolReport report() {
            return report;
        }
    }

    /** A tool did not finish within its timeout; it was killed together with its children. */
    public static final class ToolTimedOut extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final transient ToolReport report;
        private final Duration timeout;

        public ToolTimedOut(String what, ToolReport report, Duration timeout, String whatToDo) {
            super(what + ": " + report.tool() + " did not finish within " + timeout.toSeconds() + " s and was killed; "
                    + report.summary(), whatToDo, null);
            this.report = report;
            this.timeout = timeout;
        }

        public ToolReport report() {
            return report;
        }

        public Duration timeout() {
            return timeout;
        }
    }

    /** A configured option is not accepted (forbidden, or of the wrong shape). */
    public static final class InvalidOption extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final String keyPath;
        private final String option;

        public InvalidOption(String keyPath, String option, String why) {
            super(keyPath + ": option '" + option + "' is not accepted: " + why,
                    "fix " + keyPath + " in the configuration", null);
            this.keyPath = keyPath;
            this.option = option;
        }

        public String keyPath() {
            return keyPath;
        }

        public String option() {
            return option;
        }
    }

    /** The data directory is not in a state the requested action can use. */
    public static final class DataDirectoryProblem extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final transient DataDirectoryState state;

        public DataDirectoryProblem(String action, DataDirectoryState state) {
            super("cannot " + action + ": " + state, state.whatToDo(), null);
            this.state = state;
        }

        public DataDirectoryState state() {
            return state;
        }
    }

    /** Another process listens on the configured address and port. */
    public static final class PortInUse extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final String address;
        private final int port;

        public PortInUse(String address, int port, List<String> logTail) {
            super("postgres could not listen on " + address + ":" + port + ": address already in use"
                            + tail(logTail),
                    "stop whatever else listens there (ss -ltnp 'sport = :" + port + "'), or change"
                            + " postgresql.listen", null);
            this.address = address;
            this.port = port;
        }

        public String address() {
            return address;
        }

        public int port() {
            return port;
        }
    }

    /** A write failed with ENOSPC. */
    public static final class DiskFull extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final Path path;
        private final transient ToolReport report;

        public DiskFull(String what, Path path, ToolReport report) {
            super(what + ": no space left on the file system of " + path + "; " + report.summary(),
                    "free space there (df -h " + path + ") or move postgresql.data_dir to a larger file system;"
                            + " the partial copy was removed", null);
            this.path = path;
            this.report = report;
        }

        public Path path() {
            return path;
        }

        public ToolReport report() {
            return report;
        }
    }

    /** The postmaster exited (or refused to start) before it accepted connections. */
    public static final class StartFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final List<String> logTail;

        public StartFailed(String what, List<String> logTail, String whatToDo) {
            super(what + tail(logTail), whatToDo, null);
            this.logTail = List.copyOf(logTail);
        }

        public List<String> logTail() {
            return logTail;
        }
    }

    /** The postmaster runs but did not accept connections within the start timeout. It is left running. */
    public static final class StartTimedOut extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final long pid;

        public StartTimedOut(long pid, Duration timeout, List<String> logTail) {
            super("postgres (pid " + pid + ") did not accept connections within " + timeout.toSeconds() + " s"
                            + tail(logTail),
                    "it may still be replaying WAL: wait, or stop it; raise the start timeout"
                            + " (primary_start_timeout / pg_ctl_timeout) if recovery takes this long", null);
            this.pid = pid;
        }

        public long pid() {
            return pid;
        }
    }

    /** The postmaster did not go away, even after escalating to SIGKILL. */
    public static final class StopFailed extends PostgresException {
        private static final long serialVersionUID = 1L;

        public StopFailed(String what, String whatToDo) {
            super(what, whatToDo, null);
        }
    }

    /** The action needs a running postgres and there is none. */
    public static final class NotRunning extends PostgresException {
        private static final long serialVersionUID = 1L;

        public NotRunning(String action) {
            super("cannot " + action + ": postgres is not running", "start postgres first", null);
        }
    }

    /** The action needs postgres stopped and it runs. */
    public static final class AlreadyRunning extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final long pid;

        public AlreadyRunning(String action, long pid) {
            super("cannot " + action + ": postgres is running (postmaster pid " + pid + ")", "stop it first", null);
            this.pid = pid;
        }

        public long pid() {
            return pid;
        }
    }

    /** Reading or writing one of the agent's files (configuration, pgpass, data directory) failed. */
    public static final class FileOperationFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final Path path;

        public FileOperationFailed(String what, Path path, Throwable cause) {
            super(what + " " + path + ": " + cause, cause instanceof java.io.IOException io
                    && String.valueOf(io.getMessage()).contains("No space left")
                    ? "free space on the file system of " + path
                    : "check that the agent's user may write there and that the file system is not full or"
                    + " read-only", cause);
            this.path = path;
        }

        public Path path() {
            return path;
        }
    }

    /** A SQL statement or connection failed. */
    public static final class QueryFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final String sqlState;

        public QueryFailed(String what, String sqlState, String serverMessage, Throwable cause) {
            super(what + ": " + serverMessage + (sqlState == null ? "" : " (SQLSTATE " + sqlState + ")"),
                    hint(sqlState), cause);
            this.sqlState = sqlState;
        }

        public String sqlState() {
            return sqlState;
        }

        private static String hint(String sqlState) {
            if (sqlState == null) {
                return "check that postgres runs and accepts connections on the configured address";
            }
            if (sqlState.startsWith("28")) {
                return "check postgresql.authentication and pg_hba.conf";
            }
            if (sqlState.startsWith("08")) {
                return "check that postgres runs and listens on the configured address";
            }
            if (sqlState.equals("57014")) {
                return "the statement timed out; the server may be overloaded";
            }
            return "see the PostgreSQL server log";
        }
    }

    /** A hook script ({@code pre_promote}, {@code post_bootstrap}) refused. */
    public static final class HookFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final transient ToolReport report;

        public HookFailed(String hook, ToolReport report, String consequence) {
            super(hook + " failed, " + consequence + ": " + report.summary(),
                    "fix the " + hook + " script or its configuration", null);
            this.report = report;
        }

        public ToolReport report() {
            return report;
        }
    }

    /** {@code pg_ctl promote} failed or the server did not leave recovery in time. */
    public static final class PromoteFailed extends PostgresException {
        private static final long serialVersionUID = 1L;

        public PromoteFailed(String what, String whatToDo) {
            super(what, whatToDo, null);
        }
    }

    /** pg_rewind failed. When the configuration allows it the data directory was emptied for a re-clone. */
    public static final class RewindFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final boolean dataDirectoryRemoved;

        public RewindFailed(String what, boolean dataDirectoryRemoved, Throwable cause) {
            super(what + (dataDirectoryRemoved ? "; the data directory was removed"
                            + " (remove_data_directory_on_rewind_failure)" : ""),
                    dataDirectoryRemoved ? "the node has to be re-created from the primary (clone a replica)"
                            : "re-create the replica (agentctl reinit), or set"
                            + " postgresql.remove_data_directory_on_rewind_failure to let the agent do it",
                    cause);
            this.dataDirectoryRemoved = dataDirectoryRemoved;
        }

        public boolean dataDirectoryRemoved() {
            return dataDirectoryRemoved;
        }
    }

    /** Every replica creation method failed; the data directory was left empty. */
    public static final class ReplicaCreationFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final transient List<ToolReport> attempts;

        public ReplicaCreationFailed(String what, List<ToolReport> attempts) {
            super(what + attemptsText(attempts),
                    "check that the source member runs and that its pg_hba.conf allows replication connections from"
                            + " this node with the postgresql.authentication.replication user; the data directory"
                            + " was left empty", null);
            this.attempts = List.copyOf(attempts);
        }

        public List<ToolReport> attempts() {
            return attempts;
        }

        private static String attemptsText(List<ToolReport> attempts) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < attempts.size(); i++) {
                sb.append("\n  attempt ").append(i + 1).append(": ").append(attempts.get(i).summary());
            }
            return sb.toString();
        }
    }

    /** Bootstrap failed after initdb; the half-made data directory was moved aside. */
    public static final class BootstrapFailed extends PostgresException {
        private static final long serialVersionUID = 1L;
        private final Path movedTo;

        public BootstrapFailed(String what, Path movedTo, Throwable cause) {
            super(what + (movedTo == null ? "" : "; the half-made data directory was moved to " + movedTo),
                    "fix the cause above; the next bootstrap starts from an empty data directory", cause);
            this.movedTo = movedTo;
        }

        public Path movedTo() {
            return movedTo;
        }
    }

    static String tail(List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("; postgres said:");
        for (String l : lines) {
            sb.append("\n    ").append(l);
        }
        return sb.toString();
    }
}
