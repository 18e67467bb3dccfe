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
        assertThat(unit.value("Service", "Environment")).isEqualTo("HA_AGENT_CONFIG=/etc/patroni/patroni.yml");
        assertThat(unit.value("Service", "ExecStart")).isEqualTo("/usr/bin/ha-agent ${HA_AGENT_CONFIG}");
        assertThat(Long.parseLong(unit.value("Service", "LimitNOFILE"))).isGreaterThanOrEqualTo(65536);

        assertThat(unit.value("Install", "WantedBy")).isEqualTo("multi-user.target");
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
        Unit unit = Unit.parse(Dist.home().resolve("systemd/ha-agent.service"));
        assertThat(text).contains("#" + unit.value("Service", "Environment"));

        Matcher m = Pattern.compile("(?m)^default_java_opts='([^']*)'$")
                .matcher(Files.readString(Dist.launcher("ha-agent")));
        assertThat(m.find()).as("the launcher's default_java_opts").isTrue();
        assertThat(text).contains("#HA_AGENT_JAVA_OPTS=\"" + m.group(1) + "\"");
    }

    @Test
    void systemdAnalyzeVerifyHasNothingToSay() throws Exception {
        Path analyze = TestBinaries.onPath("systemd-analyze", "systemd");
        // /usr/bin/ha-agent exists only once the .deb is installed; verify a copy whose ExecStart names
        // the dist tree's launcher (the one difference), so systemd checks that it is executable.
        String unit = Files.readString(Dist.home().resolve("systemd/ha-agent.service"));
        String copy = unit.replace("ExecStart=/usr/bin/ha-agent ", "ExecStart=" + Dist.launcher("ha-agent") + " ");
        assertThat(copy).isNotEqualTo(unit);
        Path service = Files.writeString(tmp.resolve("ha-agent.service"), copy);

        Cmd.Result r = Cmd.of(analyze, "verify", service).run();
        assertThat(r.exit()).as(r.toString()).isZero();
        // systemd-analyze exits 0 on unknown keys and bad values too; it only warns. No warning at all:
        assertThat(r.out() + r.err()).as(r.toString()).isEmpty();
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
