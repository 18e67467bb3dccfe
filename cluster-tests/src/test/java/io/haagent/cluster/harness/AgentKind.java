package io.haagent.cluster.harness;

import io.haagent.dist.Dist;
import io.haagent.testing.TestBinaries;
import java.nio.file.Path;
import java.util.List;

/**
 * Which HA agent runs a node: ours, from {@code packaging/target/dist}, or Patroni 3.0.2 from Debian's package
 * (benchmarks compare the two on the same configuration file: that is the compatibility promise), or Patroni 4.1.4
 * from its source tree on Debian's python3 (not in CI: it cannot be fetched there; the recorder of the pinned
 * samples uses it, see Patroni4Samples).
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
    },
    PATRONI4 {
        @Override
        List<String> command(Path config) {
            return List.of("/usr/bin/python3", patroni4Home().resolve("patroni.py").toString(), config.toString());
        }
    };

    /** Patroni 4.1.4's source tree: {@code -Dpatroni4.home}, else /work/scratch/patroni-4.1.4. */
    public static Path patroni4Home() {
        Path home = Path.of(System.getProperty("patroni4.home", "/work/scratch/patroni-4.1.4"));
        if (!java.nio.file.Files.isRegularFile(home.resolve("patroni.py"))) {
            throw new IllegalStateException("no Patroni 4.1.4 source tree at " + home + ": check out tag v4.1.4 of"
                    + " patroni/patroni there, or pass -Dpatroni4.home=DIR");
        }
        return home;
    }

    abstract List<String> command(Path config);
}
