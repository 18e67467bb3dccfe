package io.haagent.pg.golden;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The renderers against files real PostgreSQL 15 parsed: the rendered text is unchanged, and what PostgreSQL's
 * own parser read back ({@code postgres -C}, {@code pg_hba_file_rules}) is what we meant to write.
 */
class RenderedFilesGoldenTest {
    /** Settings PostgreSQL shows in its own units (e.g. 16MB as 2048 x 8kB): compared in the text file only. */
    private static final Set<String> NORMALISED = Set.of("shared_buffers", "max_wal_size", "wal_keep_size",
            "work_mem");

    @Test
    void theReplicaConfigurationRendersAsItDidWhenPostgresReadIt() {
        assertThat(GoldenInputs.replicaConf()).isEqualTo(Golden.read("replica-postgresql.conf"));
    }

    @Test
    void postgresReadEveryValueBackAsWritten() {
        Map<String, String> written = unquote(GoldenInputs.replicaConf());
        Map<String, String> read = new LinkedHashMap<>();
        for (String line : Golden.read("replica-postgresql.conf.postgres-C.tsv").split("\n")) {
            int tab = line.indexOf('\t');
            read.put(line.substring(0, tab), line.substring(tab + 1));
        }
        assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(written.keySet());
        written.forEach((name, value) -> {
            if (!NORMALISED.contains(name)) {
                assertThat(read.get(name)).as(name).isEqualTo(value);
            }
        });
        // the escaping that matters: quotes, backslashes and spaces survive both our layers of quoting
        assertThat(read.get("log_line_prefix")).isEqualTo("%m [%p] it's a \\ test ");
        assertThat(read.get("primary_conninfo")).contains("user=repl\\ user").contains("sslrootcert=/etc/ssl/ca\\'s.pem");
        assertThat(read.get("restore_command")).isEqualTo("cp '/mnt/arch/%f' \"%p\"");
        assertThat(read.get("recovery_target_timeline")).as("recovery_conf cannot override it").isEqualTo("latest");
        assertThat(read.get("max_connections")).as("dynamic, not the local 999").isEqualTo("150");
        assertThat(read.get("wal_keep_size")).as("4 wal_keep_segments x 16MB").isEqualTo("64");
    }

    @Test
    void pgHbaRendersAsItDidAndPostgresAcceptedEveryLine() {
        assertThat(GoldenInputs.hba()).isEqualTo(Golden.read("pg_hba.conf"));
        List<String[]> rules = Golden.read("pg_hba_file_rules.tsv").lines().map(l -> l.split("\t", -1)).toList();
        assertThat(rules).hasSize(GoldenInputs.HBA.size());
        assertThat(rules.get(0)).containsSequence("3", "local", "all", "all", "", "peer");
        assertThat(rules.get(2)).containsSequence("5", "host", "replication", "repl user", "10.0.0.0", "scram-sha-256");
        // the only complaint is the one a server without SSL makes about any hostssl line
        assertThat(rules.subList(0, 3)).allSatisfy(r -> assertThat(r[7]).isEmpty());
        assertThat(rules.get(3)[7]).isEqualTo("hostssl record cannot match because SSL is disabled");
    }

    /** Our own reading of the file we render: {@code name = 'value'} with doubled quotes and backslashes. */
    static Map<String, String> unquote(String conf) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : conf.split("\n")) {
            int eq = line.indexOf(" = '");
            if (eq < 0 || line.startsWith("#") || line.startsWith("include")) {
                continue;
            }
            String v = line.substring(eq + 4, line.length() - 1);
            out.put(line.substring(0, eq), v.replace("''", "'").replace("\\\\", "\\"));
        }
        return out;
    }
}
