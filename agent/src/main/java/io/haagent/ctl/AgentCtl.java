package io.haagent.ctl;

import io.haagent.agent.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agentctl -c CONFIG <command>}: the operator's CLI, patronictl's command set. */
@Command(name = "agentctl", mixinStandardHelpOptions = true,
        versionProvider = AgentCtl.VersionProvider.class,
        description = "Operate a Patroni-compatible PostgreSQL cluster.")
public final class AgentCtl implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new AgentCtl()).execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"agentctl " + Version.AGENT};
        }
    }
}
