package io.haagent.ctl.command;

import io.haagent.ctl.CtlException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code demote-cluster [CLUSTER] --host --port --restore-command --primary-slot-name [--force]} (Patroni 4.1): make
 * the cluster a standby cluster of the given remote primary, through the config key's {@code standby_cluster}.
 */
@Command(name = "demote-cluster", description = "Demote cluster to a standby cluster")
public final class DemoteClusterCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = "--force", description = "Do not ask for confirmation at any point")
    boolean force;

    @Option(names = "--host", description = "Address of the remote node")
    String host;

    @Option(names = "--port", description = "Port of the remote node")
    Integer port;

    @Option(names = "--restore-command", description = "Command to restore WAL records from the remote primary")
    String restoreCommand;

    @Option(names = "--primary-slot-name", description = "Name of the slot on the remote node to use for replication")
    String primarySlotName;

    @Override
    int execute() {
        if (isEmpty(host) && (port == null || port == 0) && isEmpty(restoreCommand)) {
            throw new CtlException("At least --host, --port or --restore-command should be specified");
        }
        Map<String, Object> standby = new LinkedHashMap<>();
        if (!isEmpty(host)) {
            standby.put("host", host);
        }
        if (port != null && port != 0) {
            standby.put("port", port);
        }
        if (!isEmpty(primarySlotName)) {
            standby.put("primary_slot_name", primarySlotName);
        }
        if (!isEmpty(restoreCommand)) {
            standby.put("restore_command", restoreCommand);
        }
        return ClusterRoleChange.run(session, session.clusterName(cluster), force, standby);
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
