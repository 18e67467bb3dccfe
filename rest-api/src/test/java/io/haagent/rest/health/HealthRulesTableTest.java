package io.haagent.rest.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.cluster.Tags;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Named cases of §2.3, one per row, including the ones Patroni's own acceptance tests check. Columns: path and
 * query, role, state, lock belief, paused, cluster view fresh, standby cluster, tags, expected code.
 * The leader published optime 3 MiB; this node replayed up to 1 MiB (replicas) unless said otherwise.
 */
class HealthRulesTableTest {

    @ParameterizedTest(name = "[{index}] {0} role={1} state={2} lock={3} pause={4} fresh={5} standby={6} tags={7} -> {8}")
    @CsvSource(delimiter = '|', value = {
        // /primary (and its aliases) follows the lock belief (safety rule 1), and, stricter than Patroni (issue 17),
        // only while postgres is the primary: not on a new leader still being promoted; a primary restarting after a
        // crash keeps it (writes go nowhere else)
        "/                        | master        | running | true  | false | true  | false | -            | 200",
        "/primary                 | master        | running | true  | false | true  | false | -            | 200",
        "/master                  | master        | running | true  | false | true  | false | -            | 200",
        "/read-write              | master        | running | true  | false | true  | false | -            | 200",
        "/primary                 | master        | running | false | false | true  | false | -            | 503",
        "/primary                 | master        | stopped | true  | false | true  | false | -            | 200",
        "/primary                 | master        | crashed | true  | false | false | false | -            | 200",
        "/primary                 | replica       | running | true  | false | true  | false | -            | 503",
        "/leader                  | replica       | running | true  | false | true  | false | -            | 200",
        "/primary                 | master        | running | true  | false | true  | true  | -            | 503",
        "/primary?tag_zone=nope   | master        | running | true  | false | true  | false | zone=a       | 200",
        // paused with a stale view of etcd: the role postgres reports decides
        "/primary                 | master        | running | false | true  | false | false | -            | 200",
        "/primary                 | replica       | running | true  | true  | false | false | -            | 503",
        "/leader                  | standby_leader| running | false | true  | false | true  | -            | 200",
        "/standby-leader          | standby_leader| running | false | true  | false | true  | -            | 200",
        "/primary                 | master        | running | false | true  | true  | false | -            | 503",
        // leader / standby leader
        "/leader                  | master        | stopped | true  | false | true  | false | -            | 200",
        "/leader                  | replica       | running | false | false | true  | false | -            | 503",
        "/standby-leader          | standby_leader| running | true  | false | true  | true  | -            | 200",
        "/standby_leader          | replica       | running | true  | false | true  | true  | -            | 200",
        "/standby-leader          | master        | running | true  | false | true  | true  | -            | 503",
        "/standby-leader          | master        | running | true  | false | true  | false | -            | 503",
        "/leader                  | standby_leader| running | true  | false | true  | true  | -            | 200",
        // replicas
        "/replica                 | replica       | running | false | false | true  | false | -            | 200",
        "/replica                 | replica       | stopped | false | false | true  | false | -            | 503",
        "/replica                 | replica       | starting| false | false | true  | false | -            | 503",
        "/replica                 | master        | running | true  | false | true  | false | -            | 503",
        "/replica                 | replica       | running | false | false | true  | false | noloadbalance=true | 503",
        "/replica                 | replica       | running | true  | false | true  | true  | -            | 503",
        "/replica?lag=1MB         | replica       | running | false | false | true  | false | -            | 503",
        "/replica?lag=2MB         | replica       | running | false | false | true  | false | -            | 200",
        "/replica?lag=1048575     | replica       | running | false | false | true  | false | -            | 503",
        "/replica?lag=2097152     | replica       | running | false | false | true  | false | -            | 200",
        "/replica?lag=1MB         | replica       | running | false | false | false | false | -            | 200",
        "/replica?lag=oops        | replica       | running | false | false | true  | false | -            | 200",
        "/replica?tag_zone=a      | replica       | running | false | false | true  | false | zone=a       | 200",
        "/replica?tag_zone=b      | replica       | running | false | false | true  | false | zone=a       | 503",
        "/replica?tag_zone=a      | replica       | running | false | false | true  | false | -            | 503",
        "/replica?tag_nosync=true | replica       | running | false | false | true  | false | nosync=true  | 200",
        "/replica?tag_weight=1.5  | replica       | running | false | false | true  | false | weight=1.5   | 200",
        // read-only
        "/read-only               | master        | running | true  | false | true  | false | -            | 200",
        "/read-only               | replica       | running | false | false | true  | false | -            | 200",
        "/read-only               | replica       | stopped | false | false | true  | false | -            | 503",
        "/read-only               | standby_leader| running | true  | false | true  | true  | -            | 200",
        "/read-only?tag_zone=b    | master        | running | true  | false | true  | false | zone=a       | 503",
        // health: postgres running, any role
        "/health                  | master        | running | false | false | false | false | -            | 200",
        "/health                  | replica       | running | false | false | true  | false | -            | 200",
        "/health                  | replica       | stopped | false | false | true  | false | -            | 503",
        "/health                  | uninitialized | starting| false | false | true  | false | -            | 503",
        // sync / async need a fresh view
        "/sync                    | replica       | running | false | false | true  | false | sync         | 200",
        "/synchronous             | replica       | running | false | false | true  | false | sync         | 200",
        "/sync                    | replica       | running | false | false | true  | false | -            | 503",
        "/sync                    | replica       | running | false | false | false | false | sync         | 503",
        "/async                   | replica       | running | false | false | true  | false | -            | 200",
        "/asynchronous            | replica       | running | false | false | true  | false | sync         | 503",
        "/async                   | replica       | running | false | false | false | false | -            | 503",
        "/read-only-sync          | master        | running | true  | false | true  | false | -            | 200",
        "/read-only-sync          | replica       | running | false | false | true  | false | sync         | 200",
        "/read-only-sync          | replica       | running | false | false | true  | false | -            | 503",
        "/read-only-synchronous   | master        | running | true  | false | false | false | -            | 503",
        // anything else is a health check that never passes
        "/foo                     | master        | running | true  | false | true  | false | -            | 503",
        "/patroni/x               | master        | running | true  | false | true  | false | -            | 503",
        "/uninitialized           | uninitialized | stopped | false | false | true  | false | -            | 503",
    })
    void answersAsPatroni(String pathAndQuery, String role, String state, boolean lock, boolean paused,
            boolean fresh, boolean standby, String tags, int expected) {
        String path = pathAndQuery;
        Map<String, List<String>> query = new LinkedHashMap<>();
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            path = pathAndQuery.substring(0, q);
            for (String kv : pathAndQuery.substring(q + 1).split("&")) {
                String[] p = kv.split("=", 2);
                query.put(p[0], List.of(p.length > 1 ? p[1] : ""));
            }
        }
        Map<String, Object> tagMap = new LinkedHashMap<>();
        boolean sync = false;
        if (!"-".equals(tags)) {
            if ("sync".equals(tags)) {
                sync = true;
            } else {
                String[] kv = tags.split("=", 2);
                Object v = switch (kv[1]) {
                    case "true" -> Boolean.TRUE;
                    case "1.5" -> 1.5;
                    default -> kv[1];
                };
                tagMap.put(kv[0], v);
            }
        }
        long optime = fresh ? 3L << 20 : 0;
        long replayed = "replica".equals(role) ? 1L << 20 : 0;
        boolean writable = "master".equals(role);
        HealthFacts f = new HealthFacts(role, state, replayed, new Tags(tagMap), fresh, optime, lock, standby, paused,
                sync, writable);
        assertThat(HealthRules.status(path, query, f)).isEqualTo(expected);
    }
}
