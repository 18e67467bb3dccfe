package io.haagent.config.loader;

import java.util.Comparator;

/**
 * One finding about the configuration, printed as one line:
 * <pre>{@code <file>:<line>: <error|warning>: <key.path>: <what is wrong>[: <what to do>]}</pre>
 * A value from an environment variable cites the variable instead of {@code <file>:<line>}; a problem with
 * the file as a whole uses the key path {@code (file)} or {@code (yaml)}. Messages never quote a password.
 *
 * @param path        dotted key path, list items as {@code [i]}: {@code etcd3.hosts[1]}
 * @param blocksStart the agent cannot start with this problem (not just "Patroni's validator would object")
 */
public record Problem(Severity severity, Origin origin, String path, String message, boolean blocksStart) {

    /** File order, then line, in the order found within a line. Use with a stable sort. */
    public static final Comparator<Problem> READING_ORDER = Comparator
            .comparingInt((Problem p) -> p.origin().rank())
            .thenComparing(p -> p.origin().rank() == Origin.ENVIRONMENT_RANK ? p.origin().source() : "")
            .thenComparingInt(p -> p.origin().line());

    public static Problem error(Origin origin, String path, String message) {
        return new Problem(Severity.ERROR, origin, path, message, false);
    }

    public static Problem error(Origin origin, String path, String message, boolean blocksStart) {
        return new Problem(Severity.ERROR, origin, path, message, blocksStart);
    }

    public static Problem warning(Origin origin, String path, String message) {
        return new Problem(Severity.WARNING, origin, path, message, false);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** The line printed by {@code ha-agent --validate-config} and logged at start. */
    public String format() {
        return origin + ": " + severity.label() + ": " + path + ": " + message;
    }

    @Override
    public String toString() {
        return format();
    }
}
