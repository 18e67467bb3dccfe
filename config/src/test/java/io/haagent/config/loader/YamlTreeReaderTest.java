package io.haagent.config.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** YAML as Patroni's PyYAML reads it, with the line of every key and list item. */
class YamlTreeReaderTest {

    private static ConfigNode.Mapping read(String yaml, YamlTreeReader reader) {
        return reader.readDocument(yaml, "f.yml", 0, true);
    }

    private static ConfigNode.Mapping read(String yaml) {
        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping m = read(yaml, reader);
        assertThat(reader.problems()).isEmpty();
        return m;
    }

    @Test
    void keysAndListItemsKeepTheirLines() {
        ConfigNode.Mapping m = read("""
                # comment
                scope: main
                etcd3:
                  hosts:
                  - a:2379

                  - b:2379
                postgresql:
                  parameters:
                    work_mem: 4MB
                """);
        assertThat(ConfigTree.at(m, "scope").origin()).isEqualTo(new Origin("f.yml", 2, 0));
        assertThat(ConfigTree.at(m, "etcd3").origin().line()).isEqualTo(3);
        ConfigNode.Sequence hosts = (ConfigNode.Sequence) ConfigTree.at(m, "etcd3.hosts");
        assertThat(hosts.origin().line()).isEqualTo(4);
        assertThat(hosts.items()).extracting(n -> n.origin().line()).containsExactly(5, 7);
        assertThat(ConfigTree.at(m, "postgresql.parameters.work_mem").origin()).hasToString("f.yml:10");
    }

    @Test
    void scalarsAreTypedAsYaml11ButKeepTheirText() {
        ConfigNode.Mapping m = read("""
                a: on
                b: "on"
                c: 0755
                d: 012345
                e: 1_000
                f: 0x1F
                g: 1.5
                h:
                i: ~
                j: yes
                k: 2024-01-01
                l: 190:20:30
                m: 9999999999
                """);
        Map<String, Object> expected = new java.util.HashMap<>(Map.ofEntries(
                Map.entry("a", true), Map.entry("b", "on"), Map.entry("c", 493), Map.entry("d", 5349),
                Map.entry("e", 1000), Map.entry("f", 31), Map.entry("g", 1.5), Map.entry("j", true),
                Map.entry("k", "2024-01-01"), Map.entry("l", 685230), Map.entry("m", 9999999999L)));
        expected.put("h", null);
        expected.put("i", null);
        assertThat(m.toPlain()).isEqualTo(expected);
        // where a string is expected (a password), the text as written counts, not the octal number
        assertThat(((ConfigNode.Scalar) m.get("d")).text()).isEqualTo("012345");
    }

    @Test
    void mergeKeysAndAnchorsAreResolved() {
        ConfigNode.Mapping m = read("""
                common: &common
                  username: postgres
                  sslmode: require
                superuser:
                  <<: *common
                  sslmode: disable
                """);
        assertThat(m.get("superuser").toPlain()).isEqualTo(Map.of("username", "postgres", "sslmode", "disable"));
    }

    @Test
    void aDuplicateKeyKeepsTheLaterValueAndIsReported() {
        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping m = read("restapi:\n  listen: a:1\n  listen: b:2\n", reader);
        assertThat(ConfigTree.at(m, "restapi.listen").toPlain()).isEqualTo("b:2");
        assertThat(reader.problems()).extracting(Problem::format).containsExactly(
                "f.yml:3: warning: restapi.listen: duplicate key: this later value replaces the one on line 2; keep"
                        + " only one");
    }

    @Test
    void syntaxErrorsCiteTheLineWithoutQuotingTheFile() {
        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping m = read("""
                postgresql:
                  authentication:
                    superuser:
                      password: "hunter2
                """, reader);
        assertThat(m).isNull();
        assertThat(reader.problems()).singleElement().satisfies(p -> {
            assertThat(p.isError()).isTrue();
            assertThat(p.blocksStart()).isTrue();
            assertThat(p.origin().line()).isEqualTo(5);
            assertThat(p.format()).startsWith("f.yml:5: error: (yaml): while scanning a quoted scalar, found unexpected end of stream")
                    .doesNotContain("hunter2");
        });
    }

    @Test
    void tabsAreASyntaxError() {
        YamlTreeReader reader = new YamlTreeReader();
        assertThat(read("scope: main\nrestapi:\n\tlisten: a:1\n", reader)).isNull();
        assertThat(reader.problems()).extracting(p -> p.origin().line()).containsExactly(3);
    }

    @Test
    void moreThanOneDocumentIsAnError() {
        YamlTreeReader reader = new YamlTreeReader();
        assertThat(read("scope: a\n---\nscope: b\n", reader)).isNull();
        assertThat(reader.problems()).singleElement().satisfies(p ->
                assertThat(p.format()).startsWith("f.yml:2: error: (yaml): expected a single document in the stream, but found another document"));
    }

    @Test
    void aTopLevelThatIsNotAMappingIsAnError() {
        YamlTreeReader reader = new YamlTreeReader();
        assertThat(read("- scope: main\n", reader)).isNull();
        assertThat(reader.problems()).extracting(Problem::format).containsExactly("f.yml:1: error: (file): the top"
                + " level is a list, not a mapping of settings: start with keys such as 'scope:' and 'name:'");
    }

    @Test
    void anEmptyDocumentIsAnEmptyMapping() {
        assertThat(read("# only comments\n").entries()).isEmpty();
        assertThat(read("").entries()).isEmpty();
    }

    @Test
    void valuesOfEnvironmentVariablesCiteTheVariable() {
        ConfigNode n = new YamlTreeReader().readValue("[a:1, b:2]", "PATRONI_ETCD3_HOSTS", Origin.ENVIRONMENT_RANK,
                false);
        assertThat(n.toPlain()).isEqualTo(List.of("a:1", "b:2"));
        assertThat(((ConfigNode.Sequence) n).items()).extracting(i -> i.origin().toString())
                .containsExactly("PATRONI_ETCD3_HOSTS", "PATRONI_ETCD3_HOSTS");
    }

    @Test
    void theTreeNeverPrintsValues() {
        ConfigNode.Mapping m = read("postgresql:\n  authentication:\n    superuser:\n      password: hunter2\n");
        assertThat(m.toString()).doesNotContain("hunter2").contains("postgresql");
    }
}
