package io.haagent.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.config.loader.HostEnvironment;
import io.haagent.config.loader.SocketNetworkProbe;
import io.haagent.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself: exit codes, help, version, completion, and errors that need no cluster. */
class AgentCtlTest {
    @TempDir
    Path home;

    record Run(int exit, String out, String err) {
    }

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        HostEnvironment host = new HostEnvironment(Map.of("HOME", home.toString()), "h", "postgres",
                new SocketNetworkProbe(100));
        int exit = AgentCtl.run(new Session(host, Terminal.NONE, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.SYSTEM), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsPatronictlsCommands() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        for (String c : new String[] {"list", "topology", "switchover", "failover", "restart", "reinit", "reload",
            "pause", "resume", "edit-config", "show-config", "history", "flush", "dsn", "query", "remove", "version",
            "generate-completion"}) {
            assertThat(r.out()).contains("  " + c + " ");
        }
    }

    /** Issue 16: every subcommand failed "Unknown option: '--help'" and suggested the command that just failed. */
    @Test
    void everySubcommandAnswersHelpAndH() {
        Run top = run("--help");
        java.util.List<String> commands = new java.util.ArrayList<>();
        boolean inCommands = false;
        for (String line : top.out().split("\n")) {
            if (line.equals("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.matches("  [a-z][a-z-]* .*")) {
                commands.add(line.strip().split(" ")[0]);
            } else if (inCommands && line.isBlank()) {
                break;
            }
        }
        assertThat(commands).contains("list", "switchover", "edit-config", "help").hasSizeGreaterThan(18);
        for (String c : commands) {
            for (String flag : new String[] {"--help", "-h"}) {
                Run r = run(c, flag);
                assertThat(r.exit()).as(c + " " + flag + ": " + r.err()).isZero();
                assertThat(r.err()).as(c + " " + flag).isEmpty();
                assertThat(r.out()).as(c + " " + flag).contains("Usage: agentctl " + c + " ")
                        .contains("-h, --help");
                assertThat(r.out().startsWith("Usage: agentctl " + c) || c.equals("help")).as(c).isTrue();
            }
            Run help = run("help", c);
            assertThat(help.exit()).as("help " + c).isZero();
            assertThat(help.out()).as("help " + c).isEqualTo(run(c, "--help").out());
        }
        Run list = run("list", "--help");
        assertThat(list.out()).contains("-W").contains("--format");
        Run unknown = run("help", "lsit");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("lsit");
    }

    @Test
    void versionWithoutACluster() {
        Run r = run("version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("agentctl version ").contains("patronictl 3.3.1 compatible");
        assertThat(run("--version").out()).startsWith("agentctl ");
    }

    @Test
    void usageErrorsExit2WithOneLineAndAHint() {
        Run unknown = run("list", "--bogus");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Error: Unknown option: '--bogus'").contains("agentctl list --help");
        Run format = run("list", "-f", "xml");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("'xml' is not an output format: use pretty, tsv, json or yaml");
        Run typo = run("lsit");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).startsWith("Error: Unmatched argument at index 0: 'lsit'");
        Run flush = run("--dcs-url", "etcd3://127.0.0.1:1", "flush", "batman", "everything");
        assertThat(flush.exit()).isEqualTo(2);
        assertThat(flush.err()).contains("flush cancels 'restart' or 'switchover', not 'everything'");
    }

    @Test
    void failuresExit1WithTheReasonOnStderr() {
        Run r = run("-c", home.resolve("missing.yml").toString(), "list");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).isEqualTo("Error: the configuration file " + home.resolve("missing.yml")
                + " does not exist or cannot be read by this user; check -c/--config-file");
        Run noName = run("--dcs-url", "etcd3://127.0.0.1:1", "list");
        assertThat(noName.exit()).isEqualTo(2);
        assertThat(noName.err()).contains("no cluster name");
    }

    /** Issue 16: agentctl -c with an alias bomb died with OutOfMemoryError and a stack trace. */
    @Test
    void anAliasBombConfigurationIsOneLine() throws java.io.IOException {
        Path f = home.resolve("bomb.yml");
        java.nio.file.Files.writeString(f, io.haagent.config.loader.ConfigReaderTest.aliasBomb());
        Run r = run("-c", f.toString(), "list");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("Error: cannot read the configuration " + f + ": " + f + ":")
                .contains("aliases (*name) expand this document by more than 10000 values"));
    }

    @Test
    void bashCompletionComesFromPicocli() {
        Run r = run("generate-completion");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("complete -F").contains("edit-config");
    }
    /** Only the named subcommand is built (issue 15); the top command's options and their values are skipped. */
    @Test
    void theSubcommandIsFoundAfterTheTopOptions() {
        assertThat(AgentCtl.subcommandOf("-c", "list", "version")).isEqualTo("version");
        assertThat(AgentCtl.subcommandOf("--config-file", "x.yml", "-k", "list", "-e")).isEqualTo("list");
        assertThat(AgentCtl.subcommandOf("--config-file=x.yml", "--dcs-timeout", "3", "switchover")).isEqualTo("switchover");
        assertThat(AgentCtl.subcommandOf("-kc", "version", "list")).isEqualTo("list");
        assertThat(AgentCtl.subcommandOf("help", "list")).isNull();
        assertThat(AgentCtl.subcommandOf("lsit")).isNull();
        assertThat(AgentCtl.subcommandOf("--help")).isNull();
        assertThat(AgentCtl.commandLine(null, "-c", "f", "version").getSubcommands()).containsOnlyKeys("version");
        assertThat(AgentCtl.commandLine(null, "lsit").getSubcommands()).containsKeys("list", "help", "version");
        Run typo = run("lsit");
        assertThat(typo.exit()).isEqualTo(AgentCtl.USAGE);
        assertThat(typo.err()).contains("Did you mean");
        assertThat(AgentCtl.commandLine(null, "generate-completion").getSubcommands()).containsKeys("list", "help");
    }
}
