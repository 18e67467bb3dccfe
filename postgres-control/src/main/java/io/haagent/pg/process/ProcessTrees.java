package io.haagent.pg.process;

import java.util.List;

/** Killing a process together with everything it started. */
public final class ProcessTrees {
    private ProcessTrees() {
    }

    /**
     * SIGKILL {@code root} and all its descendants. The descendants are listed first: once the root is gone its
     * children are re-parented and could no longer be found through it.
     */
    public static void killTree(ProcessHandle root) {
        List<ProcessHandle> descendants = root.descendants().toList();
        root.destroyForcibly();
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
    }
}
