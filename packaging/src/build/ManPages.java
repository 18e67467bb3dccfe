import io.haagent.agent.Main;
import io.haagent.config.loader.HostEnvironment;
import io.haagent.ctl.AgentCtl;
import io.haagent.ctl.Session;
import io.haagent.ctl.Terminal;
import io.haagent.time.Clock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Build step of the packaging module (a single-file program, run by the JDK's source launcher on the dist tree's
 * lib/): writes the man pages ha-agent(1) and agentctl(1) and agentctl's bash completion from the programs' own
 * picocli command trees, so that options and commands cannot drift from what the programs accept. The prose around
 * them (description, files, environment, exit status) is here. Version and date come from the Debian changelog's
 * newest entry, so a build of the same sources writes the same pages.
 *
 * <p>Usage: {@code java -cp 'dist/lib/*' ManPages.java CHANGELOG OUTDIR} writes OUTDIR/man/ha-agent.1,
 * OUTDIR/man/agentctl.1 and OUTDIR/completion/agentctl.
 */
public final class ManPages {
    private static final Pattern CHANGELOG_HEAD = Pattern.compile("^ha-agent \\(([^)]+)\\)", Pattern.MULTILINE);
    private static final Pattern CHANGELOG_DATE = Pattern.compile("^ -- .*?>  (.+)$", Pattern.MULTILINE);

    private ManPages() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ManPages CHANGELOG OUTDIR");
            System.exit(2);
        }
        String changelog = Files.readString(Path.of(args[0]));
        Matcher v = CHANGELOG_HEAD.matcher(changelog);
        Matcher d = CHANGELOG_DATE.matcher(changelog);
        if (!v.find() || !d.find()) {
            throw new IllegalStateException(args[0] + ": no 'ha-agent (VERSION)' entry with a trailer line");
        }
        String version = v.group(1);
        LocalDate date = ZonedDateTime.parse(d.group(1).strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toLocalDate();
        Path out = Path.of(args[1]);
        Files.createDirectories(out.resolve("man"));
        Files.createDirectories(out.resolve("completion"));

        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        HostEnvironment host = HostEnvironment.current();
        CommandLine agent = Main.commandLine(host, quiet, quiet);
        CommandLine ctl = AgentCtl.commandLine(new Session(host, Terminal.NONE, quiet, quiet, Clock.SYSTEM));

        Files.writeString(out.resolve("man/ha-agent.1"), haAgent(agent.getCommandSpec(), version, date));
        Files.writeString(out.resolve("man/agentctl.1"), agentctl(ctl.getCommandSpec(), version, date));
        String completion = AutoComplete.bash("agentctl", ctl);
        // a completion file is sourced, not run: no #! line (lintian: bash-completion-with-hashbang)
        completion = completion.replaceFirst("\\A#![^\n]*\n", "");
        Files.writeString(out.resolve("completion/agentctl"), completion);
    }

    // ------------------------------------------------------------------------------------------------- ha-agent

    static String haAgent(CommandSpec spec, String version, LocalDate date) {
        Roff r = new Roff();
        r.header("HA-AGENT", version, date);
        r.section("NAME");
        r.line("ha-agent \\- PostgreSQL high-availability agent, compatible with Patroni");
        r.section("SYNOPSIS");
        r.synopsis(spec, "ha-agent");
        r.section("DESCRIPTION");
        r.para("ha-agent runs beside PostgreSQL on each node of a cluster. It holds or renews a leader key with a"
                + " time to live in etcd, starts, stops, promotes and demotes the node's PostgreSQL (initdb, pg_ctl,"
                + " pg_basebackup and pg_rewind run as child processes), keeps replication slots and"
                + " synchronous_standby_names right, and serves Patroni's REST API (GET /primary, /replica, /health,"
                + " /patroni, /cluster, /metrics and the write endpoints) that HAProxy, Prometheus, agentctl and"
                + " patronictl use.");
        r.para("The configuration is Patroni's YAML (patroni.yml), with Patroni's PATRONI_* environment variables"
                + " applied on top. The etcd keys, their JSON and the REST answers are Patroni's, so a cluster can mix"
                + " Patroni and ha-agent nodes while it moves from one to the other.");
        r.para("Run it as the operating system user that owns the data directory (postgres): PostgreSQL refuses"
                + " to run as root. The package's systemd units do so; see ha-agent.service and ha-agent@.service"
                + " below.");
        r.section("OPTIONS");
        r.options(spec);
        r.section("CONFIGURATION");
        r.para("Without CONFIG, ha-agent reads /etc/patroni/config.yml (the path of Debian's Patroni package), else"
                + " /etc/patroni/patroni.yml; when neither exists, PATRONI_CONFIGURATION (the whole configuration as"
                + " YAML) or the PATRONI_* variables alone make the configuration. A directory is read as its *.yml"
                + " and *.yaml files, merged in name order. Documents larger than 1 MB and aliases that would expand"
                + " a document by more than 10000 values are refused.");
        r.para("ha-agent \\-\\-validate-config prints one line per problem, in the order of the file:");
        r.example("<file>:<line>: <error|warning>: <key.path>: <what is wrong>: <what to do>");
        r.para("Errors make the exit status 1; warnings keep it 0. Passwords are never printed.");
        r.section("SIGNALS");
        r.tagged("SIGTERM", "Stop: a primary shuts PostgreSQL down cleanly and releases the leader key, so that a"
                + " replica takes over at once instead of after the key's time to live.");
        r.tagged("SIGHUP", "Read the configuration again, as POST /reload does.");
        r.section("FILES");
        r.tagged("/etc/patroni/config.yml", "The node's configuration (else /etc/patroni/patroni.yml).");
        r.tagged("/etc/default/ha-agent", "Environment of ha-agent.service: HA_AGENT_CONFIG, HA_AGENT_JAVA_OPTS,"
                + " JAVA_HOME and PATRONI_* variables (mode 0600: it may hold passwords).");
        r.tagged("/lib/systemd/system/ha-agent.service", "The unit for one cluster per host; it checks the"
                + " configuration (ha-agent \\-\\-validate-config \\-\\-ignore-listen-port) before each start and"
                + " conflicts with patroni.service.");
        r.tagged("/lib/systemd/system/ha-agent@.service", "One unit per cluster: ha-agent@NAME reads"
                + " /etc/patroni/NAME.yml, as Debian's patroni@.service does.");
        r.tagged("/var/cache/ha-agent", "Class-data archive that shortens the start of ha-agent and agentctl; safe"
                + " to delete.");
        r.tagged("/usr/share/doc/ha-agent/examples", "A commented three-node configuration, HAProxy, Prometheus"
                + " and Grafana files, a Python client.");
        r.section("ENVIRONMENT");
        r.tagged("PATRONI_CONFIGURATION, PATRONI_*", "Patroni's variables: the whole configuration, or single"
                + " settings applied on top of the file (PATRONI_NAME, PATRONI_REPLICATION_PASSWORD, ...).");
        r.tagged("HA_AGENT_JAVA_OPTS", "JVM options instead of the launcher's defaults.");
        r.tagged("JAVA_HOME", "The Java 17 or newer runtime to use instead of java on PATH.");
        r.tagged("HA_AGENT_CDS", "off: do not use a class-data archive.");
        r.section("EXIT STATUS");
        r.tagged("0", "Stopped on request; \\-\\-validate-config: the configuration is usable.");
        r.tagged("1", "The node could not start or stopped on an error; \\-\\-validate-config: errors.");
        r.tagged("2", "Usage error (an unknown option, no configuration at all).");
        r.tagged("127", "No usable Java 17 runtime, or an incomplete installation.");
        r.section("SEE ALSO");
        r.line(".BR agentctl (1),");
        r.line(".BR systemctl (1),");
        r.line(".BR pg_ctl (1).");
        r.para("The operator's guide: /usr/share/doc/ha-agent and docs/ in the source repository.");
        return r.text();
    }

    // ------------------------------------------------------------------------------------------------- agentctl

    static String agentctl(CommandSpec spec, String version, LocalDate date) {
        Roff r = new Roff();
        r.header("AGENTCTL", version, date);
        r.section("NAME");
        r.line("agentctl \\- operate a Patroni-compatible PostgreSQL cluster");
        r.section("SYNOPSIS");
        r.line(".B agentctl");
        r.line("[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fICOMMAND-OPTIONS\\fR] [\\fIARGUMENTS\\fR]");
        r.br();
        r.line(".B agentctl");
        r.line("\\fICOMMAND\\fR \\-\\-help");
        r.section("DESCRIPTION");
        r.para("agentctl is patronictl's command set for clusters of ha-agent or Patroni nodes: it reads the cluster"
                + " from etcd directly and acts through the nodes' REST API. switchover and failover wait for the"
                + " outcome and print how long writes were unavailable.");
        r.para("The cluster's etcd, namespace and scope come from a node's configuration (\\-c) or from"
                + " \\-\\-dcs-url; the REST API's credentials and certificates from its ctl and restapi sections.");
        r.para("Without a terminal nothing is asked: give the answers as options (\\-\\-force, \\-\\-candidate,"
                + " ...).");
        r.section("OPTIONS");
        r.options(spec);
        r.section("COMMANDS");
        for (Map.Entry<String, CommandLine> e : spec.subcommands().entrySet()) {
            CommandSpec sub = e.getValue().getCommandSpec();
            if (sub.usageMessage().hidden() || !e.getKey().equals(sub.name())) {
                continue; // aliases appear once, under the command's name
            }
            r.subsection("agentctl " + sub.name());
            r.synopsis(sub, "agentctl " + sub.name());
            for (String line : sub.usageMessage().description()) {
                r.para(line);
            }
            r.options(sub);
        }
        r.section("FILES");
        r.tagged("~/.config/patroni/patronictl.yaml", "Read when no \\-c is given, as by patronictl;"
                + " else /etc/patroni/config.yml, else /etc/patroni/patroni.yml.");
        r.tagged("/usr/share/bash-completion/completions/agentctl", "Completion of commands and options in bash.");
        r.section("ENVIRONMENT");
        r.tagged("PATRONICTL_CONFIG_FILE", "The configuration file when \\-c is not given.");
        r.tagged("DCS_URL", "The etcd to use when \\-\\-dcs-url is not given.");
        r.tagged("EDITOR", "The editor of edit-config (else editor, vi).");
        r.tagged("LOGLEVEL", "DEBUG prints the stack trace of an unexpected error.");
        r.section("EXIT STATUS");
        r.tagged("0", "Done.");
        r.tagged("1", "Refused or failed; the reason is on standard error.");
        r.tagged("2", "Usage error, including a question that needs a terminal when there is none.");
        r.section("EXAMPLES");
        r.example("agentctl \\-c /etc/patroni/config.yml list \\-W");
        r.example("agentctl \\-c /etc/patroni/config.yml switchover \\-\\-candidate pg2 \\-\\-force");
        r.example("agentctl \\-c /etc/patroni/config.yml pause \\-\\-wait");
        r.section("SEE ALSO");
        r.line(".BR ha-agent (1),");
        r.line(".BR patronictl (1).");
        return r.text();
    }

    // ----------------------------------------------------------------------------------------------------- roff

    /** A man(7) page, escaped so that groff has nothing to warn about. */
    static final class Roff {
        private final StringBuilder b = new StringBuilder();

        void header(String name, String version, LocalDate date) {
            b.append(".\\\" Generated by packaging/src/build/ManPages.java from the program's command line.\n");
            b.append(".TH ").append(name).append(" 1 \"").append(date).append("\" \"ha-agent ")
                    .append(version).append("\" \"ha-agent manual\"\n");
        }

        void section(String title) {
            b.append(".SH ").append(title).append('\n');
        }

        void subsection(String title) {
            b.append(".SS \"").append(escape(title)).append("\"\n");
        }

        void line(String raw) {
            b.append(raw).append('\n');
        }

        void br() {
            b.append(".br\n");
        }

        /** A paragraph of text; backslash sequences already in it are kept ({@code \-}). */
        void para(String text) {
            b.append(".PP\n").append(guard(text)).append('\n');
        }

        void example(String text) {
            b.append(".PP\n.RS\n.nf\n").append(guard(text)).append("\n.fi\n.RE\n");
        }

        void tagged(String tag, String text) {
            b.append(".TP\n.B ").append(tag.replace("-", "\\-")).append('\n').append(guard(text)).append('\n');
        }

        void synopsis(CommandSpec spec, String command) {
            b.append(".B ").append(command).append('\n');
            List<String> parts = new ArrayList<>();
            for (OptionSpec o : spec.options()) {
                if (o.hidden()) {
                    continue;
                }
                String name = o.longestName().replace("-", "\\-");
                String label = o.arity().max() > 0 ? "=\\fI" + escape(o.paramLabel()) + "\\fR" : "";
                parts.add("[\\fB" + name + "\\fR" + label + "]");
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (p.hidden()) {
                    continue;
                }
                String label = "\\fI" + escape(p.paramLabel()) + "\\fR" + (p.arity().max() > 1 ? "..." : "");
                parts.add(p.arity().min() == 0 ? "[" + label + "]" : label);
            }
            b.append(String.join(" ", parts)).append('\n');
        }

        void options(CommandSpec spec) {
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (!p.hidden()) {
                    b.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n")
                            .append(guard(describe(p))).append('\n');
                }
            }
            for (OptionSpec o : spec.options()) {
                if (o.hidden()) {
                    continue;
                }
                List<String> names = new ArrayList<>();
                for (String n : o.names()) {
                    names.add("\\fB" + n.replace("-", "\\-") + "\\fR");
                }
                String label = o.arity().max() > 0 ? "=\\fI" + escape(o.paramLabel()) + "\\fR" : "";
                b.append(".TP\n").append(String.join(", ", names)).append(label).append('\n')
                        .append(guard(describe(o))).append('\n');
            }
        }

        private static String describe(ArgSpec a) {
            String text = String.join(" ", a.description()).strip();
            return minus(escape(text.isEmpty() ? "(no description)" : text));
        }

        /** The dashes of an option named in running text are minus signs ({@code \-\-force}), hyphens stay. */
        static String minus(String s) {
            Matcher m = Pattern.compile("(?<![\\w\\\\])(-{1,2})(?=[A-Za-z])").matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group(1).replace("-", "\\-")));
            }
            m.appendTail(out);
            return out.toString();
        }

        /** Backslashes as \e; a line may not start with a control character. */
        static String escape(String s) {
            return s.replace("\\", "\\e");
        }

        private static String guard(String s) {
            StringBuilder out = new StringBuilder();
            for (String line : s.split("\n", -1)) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                if (line.startsWith(".") || line.startsWith("'")) {
                    out.append("\\&");
                }
                out.append(line);
            }
            return out.toString();
        }

        String text() {
            return b.toString();
        }
    }

    static {
        Locale.setDefault(Locale.ROOT);
    }
}
