package io.haagent.pg.process;

import io.haagent.pg.ToolReport;

/**
 * A finished tool run: its report, and its whole stdout when the command asked to capture it.
 */
public record ToolResult(ToolReport report, String stdout) {
    public boolean succeeded() {
        return report.succeeded();
    }

    public Integer exitCode() {
        return report.exitCode();
    }
}
