package io.haagent.config.loader;

import io.haagent.config.AgentConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads and validates a node's configuration in three steps: <b>read</b> (YAML files and {@code PATRONI_*}
 * variables into a tree that remembers where each value came from), <b>build</b> (the typed
 * {@link AgentConfig}, leniently, with Patroni's defaults) and <b>validate</b> (the schema, rules across keys,
 * and with {@link #validate} also this machine: binaries, data directory, ports, etcd).
 *
 * <p>At start and on reload the agent calls {@link #load}: it refuses to start only on problems that
 * {@link Problem#blocksStart() block the start} and logs the others once. {@code ha-agent --validate-config}
 * calls {@link #validate} and prints every problem.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * @param config   the configuration built, or null when the files could not be read
     * @param problems sorted as the user reads the configuration: file by file, line by line
     * @param label    the configuration's name in messages (its path, PATRONI_CONFIGURATION or environment)
     */
    public record Loaded(AgentConfig config, List<Problem> problems, String label) {
        public Loaded {
            problems = List.copyOf(problems);
        }

        /**
         * True when the agent can start with this configuration: nothing blocks it, and what a node cannot run
         * without is there (warnings and other errors are logged, as Patroni starts with what it can use).
         */
        public boolean canStart() {
            if (config == null || problems.stream().anyMatch(Problem::blocksStart)) {
                return false;
            }
            var pg = config.postgresql();
            return config.name() != null && config.scope() != null && config.etcd() != null
                    && !config.etcd().endpoints().isEmpty() && config.restapi().listen() != null
                    && pg.listen() != null && pg.connectAddress() != null && pg.dataDir() != null
                    && pg.superuser() != null;
        }

        public boolean hasErrors() {
            return problems.stream().anyMatch(Problem::isError);
        }

        public List<Problem> errors() {
            return problems.stream().filter(Problem::isError).toList();
        }

        public List<Problem> warnings() {
            return problems.stream().filter(p -> !p.isError()).toList();
        }

        /**
         * What {@code --validate-config} prints: one line per problem on {@code out}, the summary on {@code err}.
         * Returns the exit status: 1 with errors, else 0.
         */
        public int printValidation(PrintStream out, PrintStream err) {
            for (Problem p : problems) {
                out.println(p.format());
            }
            long errors = errors().size();
            long warnings = warnings().size();
            err.println(label + ": " + (errors > 0 ? "not valid: " + count(errors, "error") + ", "
                    + count(warnings, "warning") : warnings > 0 ? "valid, " + count(warnings, "warning") : "valid"));
            return errors > 0 ? 1 : 0;
        }

        /**
         * What the run path prints when it {@link #canStart() cannot start}: the errors and what to do; with no
         * configuration at all, where it looked and the usage. The exit status: 2 for no configuration (a usage
         * error), else 1.
         */
        public int printStartRefusal(PrintStream err) {
            if (config == null && problems.stream().anyMatch(p -> p.message().equals(ConfigReader.NO_CONFIGURATION))) {
                err.println("ha-agent: " + ConfigReader.NO_CONFIGURATION);
                err.println("Usage: ha-agent [--validate-config [--ignore-listen-port]] [CONFIG]   (ha-agent --help"
                        + " for more)");
                return 2;
            }
            for (Problem p : problems) {
                if (p.isError()) {
                    err.println(p.format());
                }
            }
            // the same configuration for the check: its path, or (environment, PATRONI_CONFIGURATION) no argument
            boolean fromEnvironment = label.equals("environment") || label.equals(PatroniEnvironment.CONFIGURATION);
            err.println("ha-agent: cannot start with " + label + ": fix the errors above (ha-agent"
                    + " --validate-config" + (fromEnvironment ? "" : " " + label) + " checks everything)");
            return 1;
        }

        private static String count(long n, String what) {
            return n + " " + what + (n == 1 ? "" : "s");
        }
    }

    /** Read, check against the schema and build: no look at the machine beyond reading the files. */
    public static Loaded load(Path configPath, HostEnvironment host) {
        return run(configPath, host, false);
    }

    /** Everything {@code --validate-config} checks, including binaries, data directory, ports and etcd. */
    public static Loaded validate(Path configPath, HostEnvironment host) {
        return run(configPath, host, true, false);
    }

    /**
     * As {@link #validate(Path, HostEnvironment)}; with {@code ignoreListenPort} (Patroni 4's
     * {@code --ignore-listen-port}) a listen address whose port is in use is not a problem, as for the unit's
     * check before a start, when the node's own PostgreSQL may still run.
     */
    public static Loaded validate(Path configPath, HostEnvironment host, boolean ignoreListenPort) {
        return run(configPath, host, true, ignoreListenPort);
    }

    private static Loaded run(Path configPath, HostEnvironment host, boolean environment) {
        return run(configPath, host, environment, false);
    }

    private static Loaded run(Path configPath, HostEnvironment host, boolean environment, boolean ignoreListenPort) {
        ConfigReader.Result read = ConfigReader.read(configPath, host.env());
        List<Problem> problems = new ArrayList<>(read.problems());
        if (read.tree() == null) {
            return new Loaded(null, sorted(problems), read.label());
        }
        ConfigTree tree = new ConfigTree(read.tree());
        List<Problem> schema = new ArrayList<>(SchemaCheck.check(read.tree(), ConfigSchema.PATRONI));
        if (ConfigTree.at(read.tree(), "bootstrap.dcs") instanceof ConfigNode.Mapping dcs) {
            // the cluster-wide configuration this node writes at bootstrap: the same rules as the config key
            schema.addAll(DynamicProblems.check(dcs, "bootstrap.dcs"));
        }
        problems.addAll(schema);
        Set<String> errored = new LinkedHashSet<>();
        schema.stream().filter(Problem::isError).forEach(p -> errored.add(p.path()));
        ConfigBuilder.Result built = ConfigBuilder.build(tree, host, read.files(), errored);
        problems.addAll(built.problems());
        problems.addAll(ConfigRules.check(tree, built.config()));
        if (environment) {
            problems.addAll(EnvironmentChecks.check(tree, built.config(), host, ignoreListenPort));
        }
        return new Loaded(built.config(), sorted(problems), read.label());
    }

    /** Stable sort in reading order; the same line twice is shown once. */
    static List<Problem> sorted(List<Problem> problems) {
        List<Problem> copy = new ArrayList<>(problems);
        copy.sort(Problem.READING_ORDER);
        Set<String> seen = new LinkedHashSet<>();
        List<Problem> out = new ArrayList<>();
        for (Problem p : copy) {
            if (seen.add(p.format())) {
                out.add(p);
            }
        }
        return out;
    }
}
