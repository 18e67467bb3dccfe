package io.haagent.pg.process;

import java.util.concurrent.CompletableFuture;

/** A tool started in the background (callbacks): its result arrives when it exits or is killed. */
public final class RunningTool {
    private final ToolCommand command;
    private final Process process;
    private final CompletableFuture<ToolResult> result;
    private volatile boolean killed;

    RunningTool(ToolCommand command, Process process, CompletableFuture<ToolResult> result) {
        this.command = command;
        this.process = process;
        this.result = result;
    }

    public ToolCommand command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public CompletableFuture<ToolResult> result() {
        return result;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL the tool and everything it started. */
    public void kill() {
        killed = true;
        ProcessTrees.killTree(process.toHandle());
    }

    public boolean wasKilled() {
        return killed;
    }
}
