package io.haagent.config.loader;

/**
 * Where a configuration value came from, so every problem can cite it: a file and a 1-based line, or an
 * environment variable (line 0, shown without a line).
 *
 * @param source a file path, an environment variable name, or {@code PATRONI_CONFIGURATION}
 * @param line   1-based line, or 0 when the source has no lines (a single environment variable)
 * @param rank   order of the source among those read (files in merge order, then the environment), for
 *               sorting problems the way the user reads the configuration
 */
public record Origin(String source, int line, int rank) {
    /** Rank of values that come from {@code PATRONI_*} variables: after every file. */
    public static final int ENVIRONMENT_RANK = 1_000_000;

    public static Origin env(String variable) {
        return new Origin(variable, 0, ENVIRONMENT_RANK);
    }

    public Origin atLine(int newLine) {
        return new Origin(source, newLine, rank);
    }

    @Override
    public String toString() {
        return line > 0 ? source + ":" + line : source;
    }
}
