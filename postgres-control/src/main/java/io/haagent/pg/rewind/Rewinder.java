package io.haagent.pg.rewind;

import io.haagent.cluster.Lsn;
import io.haagent.pg.ControlData;
import io.haagent.pg.Divergence;
import io.haagent.pg.DivergenceRule;
import io.haagent.pg.PgTimelineHistory;
import io.haagent.pg.process.ProcessRunner;
import io.haagent.pg.process.ToolCommand;
import io.haagent.pg.process.ToolResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The I/O half of divergence handling (§4.7): reading where a stopped primary's shutdown checkpoint record ends
 * (pg_waldump) and running pg_rewind. The decision itself is {@link DivergenceRule}.
 */
public final class Rewinder {
    /**
     * pg_waldump reads the checkpoint record, then fails on the next one: "error in WAL record at X: invalid
     * record length at Y: wanted 24, got 0" (15; "expected at least" from 16). Y is where the checkpoint
     * record ends.
     */
    static final Pattern WALDUMP_END = Pattern.compile(
            "error in WAL record at ([0-9A-Fa-f]+/[0-9A-Fa-f]+): invalid record length at ([0-9A-Fa-f]+/[0-9A-Fa-f]+)");

    private final ProcessRunner runner;
    private final Path pgWaldump;
    private final Path dataDir;

    public Rewinder(ProcessRunner runner, Path pgWaldump, Path dataDir) {
        this.runner = runner;
        this.pgWaldump = pgWaldump;
        this.dataDir = dataDir;
    }

    /** The end of the record at {@code checkpoint} on {@code timeline}, or empty when pg_waldump does not tell. */
    public Optional<Lsn> checkpointEnd(long timeline, Lsn checkpoint) {
        ToolResult r = runner.run(ToolCommand.of("pg_waldump", List.of(pgWaldump.toString(), "-p",
                dataDir.resolve("pg_wal").toString(), "-t", Long.toString(timeline), "-s", checkpoint.toString(),
                "-n", "2"), Duration.ofSeconds(30)).capturingStdout());
        return parseCheckpointEnd(r.report().lastLines(), checkpoint);
    }

    static Optional<Lsn> parseCheckpointEnd(List<String> output, Lsn checkpoint) {
        for (String line : output) {
            Matcher m = WALDUMP_END.matcher(line);
            if (m.find() && Lsn.parse(m.group(1)).equals(checkpoint)) {
                return Optional.of(Lsn.parse(m.group(2)));
            }
        }
        return Optional.empty();
    }

    /** Decides from a position and the primary's timeline and history, asking pg_waldump only when needed. */
    public Divergence decide(ControlData.LocalPosition local, long primaryTimeline, String primaryHistory) {
        List<PgTimelineHistory.Entry> history = primaryHistory == null ? List.of()
                : PgTimelineHistory.parse(primaryHistory);
        return DivergenceRule.decide(local, primaryTimeline, history,
                () -> checkpointEnd(local.timeline(), local.lsn()));
    }
}
