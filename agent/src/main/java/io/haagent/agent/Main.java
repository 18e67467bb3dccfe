package io.haagent.agent;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-agent CONFIG} runs a node; {@code ha-agent --validate-config CONFIG} checks a configuration and
 * exits 0 (usable, maybe with warnings) or 1 (errors).
 */
@Command(name = "ha-agent", mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "PostgreSQL high-availability agent, compatible with Patroni.")
public final class Main implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "Patroni YAML file or directory of *.yml files (else PATRONI_CONFIGURATION or PATRONI_* variables)")
    String config;

    @Option(names = "--validate-config", description = "Check the configuration and exit: 0 when usable, 1 on errors")
    boolean validateConfig;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public Integer call() {
        System.err.println("ha-agent: not implemented yet");
        return 1;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ha-agent " + Version.AGENT + " (Patroni " + Version.PATRONI_COMPATIBLE + " compatible)"};
        }
    }
}
