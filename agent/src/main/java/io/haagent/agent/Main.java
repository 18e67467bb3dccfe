package io.haagent.agent;

import io.haagent.agent.logging.LogSetup;
import io.haagent.api.Version;
import io.haagent.config.loader.ConfigLoader;
import io.haagent.config.loader.ConfigReader;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.config.loader.Problem;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ha-agent CONFIG} runs a node; {@code ha-agent --validate-config CONFIG} checks a configuration and
 * exits 0 (usable, maybe with warnings) or 1 (errors). Without CONFIG the node's file is the first of
 * {@link ConfigReader#DEFAULT_FILES} that exists, unless {@code PATRONI_CONFIGURATION} holds the configuration;
 * with neither, the {@code PATRONI_*} variables alone.
 */
@Command(name = "ha-agent", mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "PostgreSQL high-availability agent, compatible with Patroni.",
        footer = {"",
            "--validate-config prints one line per problem on stdout, in the order of the configuration:",
            "  <file>:<line>: <error|warning>: <key.path>: <what is wrong>: <what to do>",
            "A value set by an environment variable cites the variable instead of <file>:<line>. Errors make the",
            "exit status 1, warnings keep it 0. A summary line goes to stderr. Passwords are never printed."})
public final class Main implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
            description = "Patroni YAML file or directory of *.yml files (default: /etc/patroni/config.yml, else"
                    + " /etc/patroni/patroni.yml; PATRONI_CONFIGURATION or PATRONI_* variables when neither exists)")
    String config;

    @Option(names = "--validate-config", description = "Check the configuration and exit: 0 when usable, 1 on errors")
    boolean validateConfig;

    @Option(names = {"-i", "--ignore-listen-port"}, description = "With --validate-config: a listen port already in"
            + " use is no error (as Patroni 4's option; the unit's check before a start uses it)")
    boolean ignoreListenPort;

    @Option(names = {"-p", "--print"}, description = "With --validate-config: print the local configuration (with the"
            + " PATRONI_* environment overrides; passwords hidden) when it is valid")
    boolean print;

    @Option(names = "--generate-sample-config", description = "Write a sample configuration to CONFIG (or stdout)"
            + " and exit, as Patroni 4 does")
    boolean generateSampleConfig;

    @Option(names = "--generate-config", description = "Write a configuration for the PostgreSQL running here to"
            + " CONFIG (or stdout) and exit, as Patroni 4 does (superuser connection: --dsn, PG* variables)")
    boolean generateConfig;

    @Option(names = "--dsn", paramLabel = "DSN", description = "With --generate-config: the running instance to read"
            + " (libpq key=value form; superuser)")
    String dsn;

    private final HostEnvironment host;
    private final PrintStream out;
    private final PrintStream err;
    /** Where the configuration is looked for without an argument ({@link ConfigReader#DEFAULT_FILES}). */
    private final List<Path> defaultFiles;

    private Main(HostEnvironment host, PrintStream out, PrintStream err, List<Path> defaultFiles) {
        this.host = host;
        this.out = out;
        this.err = err;
        this.defaultFiles = defaultFiles;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(HostEnvironment.current(), System.out, System.err, args);
    }

    /** As {@link #run(String...)} with the environment and output streams given (tests). */
    public static int run(HostEnvironment host, PrintStream out, PrintStream err, String... args) {
        return run(host, ConfigReader.DEFAULT_FILES, out, err, args);
    }

    /** As above, looking for the configuration in {@code defaultFiles} when no argument names it (tests). */
    static int run(HostEnvironment host, List<Path> defaultFiles, PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new Main(host, out, err, defaultFiles));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The command line (also what the man page is generated from). */
    public static CommandLine commandLine(HostEnvironment host, PrintStream out, PrintStream err) {
        return new CommandLine(new Main(host, out, err, ConfigReader.DEFAULT_FILES));
    }

    @Override
    public Integer call() {
        if ((validateConfig ? 1 : 0) + (generateConfig ? 1 : 0) + (generateSampleConfig ? 1 : 0) > 1) {
            return usage("--validate-config, --generate-config and --generate-sample-config exclude each other");
        }
        if ((ignoreListenPort || print) && !validateConfig) {
            return usage((ignoreListenPort ? "--ignore-listen-port" : "--print") + " applies to --validate-config only");
        }
        if (dsn != null && !generateConfig) {
            return usage("--dsn applies to --generate-config only");
        }
        if (generateSampleConfig) {
            String[] address = SampleConfig.address();
            return GeneratedConfig.write(SampleConfig.text(address[0], address[1],
                    SampleConfig.pgMajor(host.env().get("PATH"))), config, out, err);
        }
        if (generateConfig) {
            return RunningConfig.generate(host, dsn, config, out, err);
        }
        Path path = config != null ? Path.of(config) : ConfigReader.defaultFile(host.env(), defaultFiles);
        if (validateConfig) {
            int status = validate(path);
            if (print && status == 0) {
                String yaml = io.haagent.config.loader.LocalConfigPrinter.yaml(path, host.env());
                if (yaml != null) {
                    out.print(yaml);
                }
            }
            return status;
        }
        return runNode(path);
    }

    private int usage(String message) {
        err.println("ha-agent: " + message);
        err.println("Try 'ha-agent --help' for more.");
        return 2;
    }

    private int validate(Path path) {
        return ConfigLoader.validate(path, host, ignoreListenPort).printValidation(out, err);
    }

    /** Load the configuration, set up logging; the HA loop is wired here by the agent's run path (not yet). */
    private int runNode(Path path) {
        ConfigLoader.Loaded loaded = ConfigLoader.load(path, host);
        if (!loaded.canStart()) {
            return loaded.printStartRefusal(err);
        }
        LogSetup.configure(loaded.config().log());
        Logger log = LoggerFactory.getLogger(Main.class);
        for (Problem p : loaded.problems()) {
            if (p.isError()) {
                log.error("{}", p.format());
            } else {
                log.warn("{}", p.format());
            }
        }
        int status = Agent.run(path, host, loaded.config());
        LogSetup.stop();
        return status;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ha-agent " + Version.AGENT + " (Patroni " + Version.PATRONI_COMPATIBLE + " compatible)"};
        }
    }
}
