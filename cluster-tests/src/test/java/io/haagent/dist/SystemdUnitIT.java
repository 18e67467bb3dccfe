package io.haagent.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.testing.TestBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** systemd/ha-agent.service and the environment file as shipped in the dist tree. */
class SystemdUnitIT {
    @TempDir
    Path tmp;

    @Test
    void serviceSettings() throws IOException {
        Unit unit = Unit.parse(Dist.home().resolve("systemd/ha-agent.service"));

        assertThat(unit.values("Unit", "After")).contains("network-online.target");
        assertThat(unit.values("Unit", "Wants")).contains("network-online.target");

        assertThat(unit.value("Service", "User")).isEqualTo("postgres");
        assertThat(unit.value("Service", "Group")).isEqualTo("postgres");
        // Stopping the agent never kills PostgreSQL: only the main process (the JVM) is signalled.
        assertThat(unit.value("Service", "KillMode")).isEqualTo("process");
        assertThat(unit.value("Service", "Restart")).isEqualTo("on-failure");
        // the agent first on a busy host; its postmaster goes back to the default priority (PostmasterLauncher)
        assertThat(unit.value("Service", "Nice")).isEqualTo("-5");
        assertThat(seconds(unit.value("Service", "TimeoutStopSec"))).as("time for a graceful handover")
                .isGreaterThanOrEqualTo(60);
        assertThat(unit.value("Service", "ExecReload")).isEqualTo("/bin/kill -HUP $MAINPID");
        assertThat(unit.value("Service", "EnvironmentFile")).isEqualTo("-/etc/default/ha-agent");
        // unset, $HA_AGENT_CONFIG is no argument at all and ha-agent reads /etc/patroni/config.yml, else patroni.yml
        assertThat(unit.settings().get("Service")).doesNotContainKey("Environment");
        assertThat(unit.value("Service", "ExecStart")).isEqualTo("/usr/bin/ha-agent $HA_AGENT_CONFIG");
        // issue 16: a bad configuration restart-looped every 5 s forever; it is now checked before each start
        // (without the listen ports: PostgreSQL may still run), and the restarts stop after 5 failures in 5 minutes
        assertThat(unit.value("Service", "ExecStartPre"))
                .isEqualTo("/usr/bin/ha-agent --validate-config --ignore-listen-port $HA_AGENT_CONFIG");
        assertThat(unit.value("Unit", "StartLimitBurst")).isEqualTo("5");
        assertThat(seconds(unit.value("Unit", "StartLimitIntervalSec"))).isEqualTo(300);
        assertThat(unit.values("Unit", "Conflicts")).containsExactly("patroni.service");
        assertThat(unit.values("Unit", "Documentation")).contains("man:ha-agent(1)");
        assertThat(Long.parseLong(unit.value("Service", "LimitNOFILE"))).isGreaterThanOrEqualTo(65536);

        assertThat(unit.value("Install", "WantedBy")).isEqualTo("multi-user.target");
    }

    /** ha-agent@NAME: one agent per cluster on a host, as Debian's patroni@.service (/etc/patroni/NAME.yml). */
    @Test
    void templateUnitRunsOneClusterPerInstance() throws IOException {
        Unit single = Unit.parse(Dist.home().resolve("systemd/ha-agent.service"));
        Unit template = Unit.parse(Dist.home().resolve("systemd/ha-agent@.service"));
        assertThat(template.value("Service", "ExecStart")).isEqualTo("/usr/bin/ha-agent /etc/patroni/%i.yml");
        assertThat(template.value("Service", "ExecStartPre"))
                .isEqualTo("/usr/bin/ha-agent --validate-config --ignore-listen-port /etc/patroni/%i.yml");
        assertThat(template.value("Service", "EnvironmentFile")).isEqualTo("-/etc/default/ha-agent-%i");
        assertThat(template.value("Service", "SyslogIdentifier")).isEqualTo("ha-agent@%i");
        assertThat(template.values("Unit", "Conflicts")).containsExactly("patroni@%i.service");
        // everything else as the single unit
        for (String section : List.of("Unit", "Service", "Install")) {
            Map<String, List<String>> a = new LinkedHashMap<>(single.settings().get(section));
            Map<String, List<String>> b = new LinkedHashMap<>(template.settings().get(section));
            for (String k : List.of("Description", "Conflicts", "EnvironmentFile", "ExecStartPre", "ExecStart",
                    "SyslogIdentifier")) {
                a.remove(k);
                b.remove(k);
            }
            assertThat(b).as("[" + section + "] of ha-agent@.service").isEqualTo(a);
        }
    }

    @Test
    void environmentFileDocumentsTheDefaultsInForce() throws IOException {
        Path envFile = Dist.home().resolve("systemd/ha-agent.default");
        List<String> lines = Files.readAllLines(envFile);
        // Every line is a comment, blank, or KEY=VALUE as systemd's EnvironmentFile reads it.
        for (String line : lines) {
            assertThat(line).as(envFile + ": " + line).matches("|#.*|[A-Z_][A-Z0-9_]*=.*");
        }
        String text = Files.readString(envFile);
        assertThat(text).contains("#HA_AGENT_CONFIG=/etc/patroni/config.yml");

        String launcher = Files.readString(Dist.launcher("ha-agent"));
        Matcher m = Pattern.compile("(?m)^default_java_opts='([^']*)'$").matcher(launcher);
        assertThat(m.find()).as("the launcher's default_java_opts").isTrue();
        Matcher agent = Pattern.compile("(?m)^agent_java_opts='([^']*)'$").matcher(launcher);
        assertThat(agent.find()).as("the launcher's agent_java_opts").isTrue();
        // ha-agent's defaults: the shared ones, then its own
        assertThat(text).contains("#HA_AGENT_JAVA_OPTS=\"" + m.group(1) + " " + agent.group(1) + "\"");
    }

    @Test
    void systemdAnalyzeVerifyHasNothingToSay() throws Exception {
        Path analyze = TestBinaries.onPath("systemd-analyze", "systemd");
        // /usr/bin/ha-agent exists only once the .deb is installed; verify copies whose commands name the dist
        // tree's launcher (the one difference), so systemd checks that it is executable. The template as an instance.
        for (String[] u : new String[][] {{"ha-agent.service", "ha-agent.service"},
            {"ha-agent@.service", "ha-agent@15-main.service"}}) {
            String unit = Files.readString(Dist.home().resolve("systemd/" + u[0]));
            String copy = unit.replace("=/usr/bin/ha-agent ", "=" + Dist.launcher("ha-agent") + " ");
            assertThat(copy).isNotEqualTo(unit).doesNotContain("/usr/bin/ha-agent");
            Path service = Files.writeString(tmp.resolve(u[1]), copy);

            // --man=no: Documentation=man:ha-agent(1) is only installed with the package
            Cmd.Result r = Cmd.of(analyze, "verify", "--man=no", service).run();
            assertThat(r.exit()).as(r.toString()).isZero();
            // systemd-analyze exits 0 on unknown keys and bad values too; it only warns. No warning at all:
            assertThat(r.out() + r.err()).as(r.toString()).isEmpty();
        }
    }

    private static long seconds(String timeSpan) {
        Matcher m = Pattern.compile("(\\d+)\\s*(s|sec|min|m)?").matcher(timeSpan.trim());
        assertThat(m.matches()).as("time span " + timeSpan).isTrue();
        long n = Long.parseLong(m.group(1));
        return m.group(2) != null && m.group(2).startsWith("m") ? n * 60 : n;
    }

    /** A systemd unit file: sections of keys, each key with all its values in order. */
    record Unit(Map<String, Map<String, List<String>>> settings) {
        static Unit parse(Path file) throws IOException {
            Map<String, Map<String, List<String>>> settings = new LinkedHashMap<>();
            String section = null;
            int n = 0;
            for (String raw : Files.readAllLines(file)) {
                n++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                    continue;
                }
                if (line.startsWith("[") && line.endsWith("]")) {
                    section = line.substring(1, line.length() - 1);
                    settings.putIfAbsent(section, new LinkedHashMap<>());
                    continue;
                }
                int eq = line.indexOf('=');
                if (section == null || eq < 1) {
                    throw new AssertionError(file + ":" + n + ": not a unit file line: " + raw);
                }
                settings.get(section).computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(line.substring(eq + 1).strip());
            }
            return new Unit(settings);
        }

        /** The single value of a key; fails if it is missing or set more than once. */
        String value(String section, String key) {
            List<String> all = settings.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
            assertThat(all).as("[" + section + "] " + key).hasSize(1);
            return all.get(0);
        }

        /** All words of all settings of a key (After=a b, After=c gives a, b, c). */
        List<String> values(String section, String key) {
            List<String> words = new ArrayList<>();
            for (String v : settings.getOrDefault(section, Map.of()).getOrDefault(key, List.of())) {
                words.addAll(List.of(v.split("\\s+")));
            }
            return words;
        }
    }
}
