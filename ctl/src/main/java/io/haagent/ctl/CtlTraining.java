package io.haagent.ctl;

import io.haagent.config.loader.HostEnvironment;
import io.haagent.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * agentctl's part of the class-data training run (the daemon's {@code io.haagent.agent.ArchiveTraining} calls it by
 * name, because the daemon does not depend on agentctl): the command tree, its help screens, and commands against an
 * etcd that does not answer. Output is discarded.
 */
public final class CtlTraining {
    private CtlTraining() {
    }

    /**
     * @param config a node configuration whose etcd does not answer
     * @param etcdUrl an {@code etcd3://} address nobody listens on
     */
    public static void train(String config, String etcdUrl) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        HostEnvironment host = HostEnvironment.current();
        for (String[] argv : List.of(new String[] {"--help"}, new String[] {"--version"},
                new String[] {"list", "--help"}, new String[] {"switchover", "--help"},
                new String[] {"-c", config, "--dcs-timeout", "1", "list"},
                new String[] {"--dcs-url", etcdUrl, "--dcs-timeout", "1", "list", "-f", "json", "training"},
                new String[] {"-c", config, "--dcs-timeout", "1", "version"},
                new String[] {"no-such-command"})) {
            AgentCtl.run(new Session(host, Terminal.NONE, quiet, quiet, Clock.SYSTEM), argv);
        }
    }
}
