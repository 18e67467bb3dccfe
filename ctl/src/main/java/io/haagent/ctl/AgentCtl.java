package io.haagent.ctl;

import io.haagent.api.Version;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.ctl.command.DsnCommand;
import io.haagent.ctl.command.EditConfigCommand;
import io.haagent.ctl.command.FailoverCommand;
import io.haagent.ctl.command.FlushCommand;
import io.haagent.ctl.command.HistoryCommand;
import io.haagent.ctl.command.ListCommand;
import io.haagent.ctl.command.DemoteClusterCommand;
import io.haagent.ctl.command.PauseCommand;
import io.haagent.ctl.command.PromoteClusterCommand;
import io.haagent.ctl.command.QueryCommand;
import io.haagent.ctl.command.ReinitCommand;
import io.haagent.ctl.command.ReloadCommand;
import io.haagent.ctl.command.RemoveCommand;
import io.haagent.ctl.command.RestartCommand;
import io.haagent.ctl.command.ResumeCommand;
import io.haagent.ctl.command.ShowConfigCommand;
import io.haagent.ctl.command.SwitchoverCommand;
import io.haagent.ctl.command.TopologyCommand;
import io.haagent.ctl.command.VersionCommand;
import io.haagent.time.Clock;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code agentctl -c CONFIG <command>}: the operator's CLI, patronictl's command set. It reads the cluster from etcd
 * directly and acts through the nodes' REST API, so it works on any cluster with Patroni's layout.
 *
 * <p>Exit status: 0 done; 1 refused or failed (the reason on stderr); 2 usage error (including a question that
 * needs a terminal when there is none: every question has a flag that answers it).
 */
@Command(name = "agentctl", mixinStandardHelpOptions = true,
        versionProvider = AgentCtl.VersionProvider.class,
        description = "Operate a Patroni-compatible PostgreSQL cluster (ha-agent or Patroni nodes).",
        footer = {"", "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 usage error.",
            "Without a terminal nothing is asked: give the answers as options (--force, --candidate, ...)."})
public final class AgentCtl implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    /**
     * The subcommands, in the order the usage lists them, made only when needed: picocli reflects over every
     * option of every command it is given, which was a quarter of a short command's start (issue 15).
     */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("list", ListCommand::new);
        COMMANDS.put("topology", TopologyCommand::new);
        COMMANDS.put("switchover", SwitchoverCommand::new);
        COMMANDS.put("failover", FailoverCommand::new);
        COMMANDS.put("restart", RestartCommand::new);
        COMMANDS.put("reinit", ReinitCommand::new);
        COMMANDS.put("reload", ReloadCommand::new);
        COMMANDS.put("pause", PauseCommand::new);
        COMMANDS.put("resume", ResumeCommand::new);
        COMMANDS.put("edit-config", EditConfigCommand::new);
        COMMANDS.put("show-config", ShowConfigCommand::new);
        COMMANDS.put("history", HistoryCommand::new);
        COMMANDS.put("flush", FlushCommand::new);
        COMMANDS.put("dsn", DsnCommand::new);
        COMMANDS.put("query", QueryCommand::new);
        COMMANDS.put("remove", RemoveCommand::new);
        COMMANDS.put("demote-cluster", DemoteClusterCommand::new);
        COMMANDS.put("promote-cluster", PromoteClusterCommand::new);
        COMMANDS.put("version", VersionCommand::new);
        COMMANDS.put("generate-completion", picocli.AutoComplete.GenerateCompletion::new);
    }

    /** The top command's options that take a value as the next argument. */
    private static final Set<String> VALUE_OPTIONS = Set.of("-c", "--config-file", "-d", "--dcs-url", "--dcs",
            "--dcs-timeout", "--api-timeout");

    @Option(names = {"-c", "--config-file"}, paramLabel = "FILE",
            description = "The node's configuration file (default: $PATRONICTL_CONFIG_FILE,"
                    + " ~/.config/patroni/patronictl.yaml, /etc/patroni/config.yml, /etc/patroni/patroni.yml)")
    String configFile;

    @Option(names = {"-d", "--dcs-url", "--dcs"}, paramLabel = "URL",
            description = "etcd to use instead of the file's: etcd3://host:2379[/namespace] (default: $DCS_URL)")
    String dcsUrl;

    @Option(names = {"-k", "--insecure"}, description = "Do not verify the REST API's TLS certificates")
    boolean insecure;

    @Option(names = "--dcs-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up on an etcd operation after this long (default: ${DEFAULT-VALUE})")
    int dcsTimeout;

    @Option(names = "--api-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Give up on a node's REST API after this long (default: ${DEFAULT-VALUE}; calls that wait"
                    + " for an outcome wait longer)")
    int apiTimeout;

    private final Session session;

    private AgentCtl(Session session) {
        this.session = session;
    }

    public static void main(String[] args) {
        CtlLogging.configure(System.getenv());
        HostEnvironment host = HostEnvironment.current();
        System.exit(run(new Session(host, Terminal.system(host.env()), System.out, System.err, Clock.SYSTEM), args));
    }

    /** Runs one command line in the given session (tests pass their own streams and terminal). */
    public static int run(Session session, String... args) {
        CommandLine cl = commandLine(session, args);
        cl.setOut(new PrintWriter(session.out(), true));
        cl.setErr(new PrintWriter(session.err(), true));
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("Error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> report(session, line, ex));
        try {
            return cl.execute(args);
        } finally {
            session.close();
            session.out().flush();
            session.err().flush();
        }
    }

    /**
     * The command tree: every subcommand answers {@code -h}/{@code --help}, and {@code agentctl help [COMMAND]}
     * prints the same usage. Also what the man page and the bash completion are generated from.
     */
    public static CommandLine commandLine(Session session) {
        return commandLine(session, COMMANDS.keySet());
    }

    /**
     * The command tree for one command line: only its subcommand when it names one (after the top command's
     * options), else the whole tree (usage, {@code help}, a mistyped name that picocli's suggestions need).
     */
    static CommandLine commandLine(Session session, String... args) {
        String named = subcommandOf(args);
        // the completion script describes the whole tree
        return commandLine(session, named == null || named.equals("generate-completion") ? COMMANDS.keySet()
                : Set.of(named));
    }

    private static CommandLine commandLine(Session session, Set<String> names) {
        CommandLine cl = new CommandLine(new AgentCtl(session));
        COMMANDS.forEach((name, make) -> {
            if (names.contains(name)) {
                cl.addSubcommand(name, make.get());
            }
        });
        if (names.size() > 1) {
            cl.addSubcommand("help", new CommandLine.HelpCommand());
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            if (!spec.optionsMap().containsKey("--help")) {
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
        }
        return cl;
    }

    /** The subcommand the arguments name after the top command's options, or null when they name none. */
    static String subcommandOf(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("-")) {
                if (a.equals("--")) {
                    return null;
                }
                if (VALUE_OPTIONS.contains(a) || (!a.startsWith("--") && !a.contains("=")
                        && a.length() > 2 && VALUE_OPTIONS.contains("-" + a.charAt(a.length() - 1))
                        && a.chars().skip(1).allMatch(Character::isLetter))) {
                    i++; // its value ("-kc FILE": clustered short options end with the one that takes it)
                }
                continue;
            }
            return COMMANDS.containsKey(a) ? a : null;
        }
        return null;
    }

    static int report(Session session, CommandLine line, Exception ex) {
        PrintStream err = session.err();
        if (ex instanceof UsageException) {
            err.println("Error: " + ex.getMessage());
            err.println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for more.");
            return USAGE;
        }
        if (ex instanceof CtlException) {
            err.println("Error: " + ex.getMessage());
            return FAILED;
        }
        err.println("Error: unexpected " + ex.getClass().getSimpleName()
                + (ex.getMessage() == null ? "" : ": " + ex.getMessage().replace('\n', ' '))
                + " (set LOGLEVEL=DEBUG for details)");
        if (session.host().env().get("LOGLEVEL") != null) {
            ex.printStackTrace(err);
        }
        return FAILED;
    }

    /** The session with the global options applied; called by each command before it runs. */
    public Session session() {
        if (dcsTimeout < 1 || apiTimeout < 1) {
            throw new UsageException("--dcs-timeout and --api-timeout must be at least 1 second");
        }
        session.options(configFile, dcsUrl, insecure, dcsTimeout, apiTimeout);
        return session;
    }

    @Override
    public void run() {
        CommandLine.usage(this, session.err());
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"agentctl " + Version.AGENT + " (patronictl " + Version.PATRONI_COMPATIBLE
                    + " compatible)"};
        }
    }
}
