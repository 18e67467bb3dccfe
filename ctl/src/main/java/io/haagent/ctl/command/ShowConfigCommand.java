package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.ctl.output.YamlText;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code show-config [CLUSTER]}: the cluster-wide configuration as YAML (keys sorted, as patronictl prints it). */
@Command(name = "show-config", description = "Print the cluster-wide configuration.")
public final class ShowConfigCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Override
    int execute() {
        ClusterView v = session.store(session.clusterName(cluster)).readExisting();
        session.out().print(YamlText.dump(v.config() == null ? Map.of() : v.config().data()));
        return 0;
    }
}
