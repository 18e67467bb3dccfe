package io.haagent.ctl.command;

import io.haagent.ctl.AgentCtl;
import io.haagent.ctl.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/** A subcommand: runs in the session of the top command and returns 0, or throws to report and exit 1 or 2. */
abstract class CtlCommand implements Callable<Integer> {
    @ParentCommand
    AgentCtl top;

    Session session;

    @Override
    public final Integer call() throws Exception {
        session = top.session();
        return execute();
    }

    /** @return the exit status when the command completed (0, or 1 after a partial failure already reported) */
    abstract int execute() throws Exception;
}
