package io.haagent.config.loader;

/** An error makes {@code --validate-config} exit 1; a warning keeps exit 0. */
public enum Severity {
    ERROR, WARNING;

    public String label() {
        return this == ERROR ? "error" : "warning";
    }
}
