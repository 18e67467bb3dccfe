package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.cluster.TimelineHistory;
import io.haagent.ctl.output.Format;
import io.haagent.ctl.output.Rows;
import io.haagent.ctl.output.Table;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code history [CLUSTER]}: the timeline switches (failovers, switchovers) from the history key. */
@Command(name = "history", description = "Show the history of failovers and switchovers.")
public final class HistoryCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = {"-f", "--format"}, defaultValue = "pretty", converter = Format.Converter.class,
            paramLabel = "FORMAT", description = "pretty, tsv, json or yaml (default: pretty)")
    Format format;

    @Override
    int execute() {
        ClusterView v = session.store(session.clusterName(cluster)).readExisting();
        session.out().println(table(v.history()).render(format, "\t", null));
        return 0;
    }

    static Rows table(TimelineHistory h) {
        Rows rows = new Rows(List.of("TL", "LSN", "Reason", "Timestamp", "New Leader"))
                .align("TL", Table.Align.RIGHT).align("LSN", Table.Align.RIGHT);
        for (TimelineHistory.Line l : h.lines()) {
            List<Object> r = new ArrayList<>();
            r.add(l.parentTimeline());
            r.add(l.switchLsn());
            r.add(l.reason() == null ? "" : l.reason());
            r.add(l.timestamp() == null ? "" : l.timestamp());
            r.add(l.newLeader() == null ? "" : l.newLeader());
            rows.add(r);
        }
        return rows;
    }
}
