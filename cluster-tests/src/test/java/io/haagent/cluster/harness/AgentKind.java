package io.haagent.cluster.harness;

import io.haagent.dist.Dist;
import io.haagent.testing.TestBinaries;
import java.nio.file.Path;
import java.util.List;

/**
 * Which HA agent runs a node: ours, from {@code packaging/target/dist}, or Patroni 3.0.2 from Debian's package
 * (benchmarks compare the two on the same configuration file: that is the compatibility promise).
 */
public enum AgentKind {
    HA_AGENT {
        @Override
        List<String> command(Path config) {
            return List.of(Dist.launcher("ha-agent").toString(), config.toString());
        }
    },
    PATRONI {
        @Override
        List<String> command(Path config) {
            return List.of(TestBinaries.onPath("patroni", "patroni").toString(), config.toString());
        }
    };

    abstract List<String> command(Path config);
}
