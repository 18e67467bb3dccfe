package io.haagent.ctl.command;

import io.haagent.cluster.ClusterView;
import io.haagent.ctl.CtlException;
import io.haagent.ctl.UsageException;
import io.haagent.ctl.edit.ConfigEdits;
import io.haagent.ctl.edit.EditCheck;
import io.haagent.ctl.output.Colours;
import io.haagent.ctl.output.UnifiedDiff;
import io.haagent.ctl.output.YamlText;
import io.haagent.ctl.remote.ClusterStore;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edit-config [CLUSTER]}: change the cluster-wide configuration (the {@code config} key) in $EDITOR or with
 * {@code -s}, {@code -p}, {@code --apply}, {@code --replace}; show the diff; check the result (nothing invalid is
 * written, and the key path of each problem is named); write it only if nobody changed it meanwhile (CAS on its
 * revision).
 */
@Command(name = "edit-config", description = "Change the cluster-wide configuration (shows the diff, then writes it).")
public final class EditConfigCommand extends CtlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CLUSTER", description = "Cluster name (default: scope)")
    String cluster;

    @Option(names = {"-q", "--quiet"}, description = "Do not show the changes")
    boolean quiet;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY.PATH=VALUE",
            description = "Set a value (YAML; empty or null removes the key). Repeatable")
    List<String> set = new ArrayList<>();

    @Option(names = {"-p", "--pg"}, paramLabel = "GUC=VALUE",
            description = "Set a PostgreSQL parameter (postgresql.parameters.GUC). Repeatable")
    List<String> pg = new ArrayList<>();

    @Option(names = "--apply", paramLabel = "FILE", description = "Merge a YAML file into the configuration (- = stdin)")
    String apply;

    @Option(names = "--replace", paramLabel = "FILE", description = "Replace the configuration with a YAML file (- = stdin)")
    String replace;

    @Option(names = "--force", description = "Ask nothing")
    boolean force;

    @Override
    int execute() throws IOException, InterruptedException {
        if ("-".equals(apply) && "-".equals(replace)) {
            throw new UsageException("--apply - and --replace - cannot both read stdin");
        }
        String name = session.clusterName(cluster);
        ClusterStore store = session.store(name);
        ClusterView v = store.readExisting();
        Map<String, Object> before = v.config() == null ? new LinkedHashMap<>() : ConfigEdits.deepCopy(v.config().data());
        // 0 = "only if the key still does not exist" when there is none yet
        long revision = v.config() == null ? 0 : v.config().modRevision();
        String beforeText = YamlText.dump(before);

        Map<String, Object> after = null;
        try {
            if (replace != null) {
                after = ConfigEdits.mapping(read(replace), source(replace));
            }
            if (apply != null) {
                after = ConfigEdits.apply(after != null ? after : before, ConfigEdits.mapping(read(apply), source(apply)));
            }
            if (!set.isEmpty() || !pg.isEmpty()) {
                List<String> pairs = new ArrayList<>(set);
                pg.forEach(p -> pairs.add("postgresql.parameters." + p.strip()));
                after = ConfigEdits.set(after != null ? after : before, pairs);
            }
            if (after == null) {
                after = ConfigEdits.mapping(edit(name, beforeText), "the edited configuration");
            }
        } catch (IllegalArgumentException e) {
            throw new CtlException(e.getMessage() + "; nothing was written");
        }

        if (ConfigEdits.same(before, after)) {
            if (!quiet) {
                session.out().println("Not changed");
            }
            return 0;
        }
        EditCheck.Result check = EditCheck.check(before, after);
        if (!check.ok()) {
            StringBuilder b = new StringBuilder("the edited configuration is not valid; nothing was written:");
            check.errors().forEach(l -> b.append("\n  ").append(l));
            throw new CtlException(check.errors().size() == 1
                    ? "the edited configuration is not valid: " + check.errors().get(0) + "; nothing was written"
                    : b.toString());
        }
        for (String w : check.warnings()) {
            session.err().println("Warning: " + w);
        }
        if (!quiet) {
            Colours c = session.colours();
            for (String line : UnifiedDiff.diff(beforeText, YamlText.dump(after), "", "")) {
                session.out().println(line.startsWith("+") ? c.green(line) : line.startsWith("-") ? c.red(line)
                        : line.startsWith("@@") ? c.cyan(line) : line);
            }
        }
        if (("-".equals(apply) || "-".equals(replace)) && !force) {
            throw new UsageException("changes read from stdin are written only with --force (stdin cannot also"
                    + " answer the confirmation)");
        }
        if (!force) {
            session.prompts().confirm("Apply these changes?", "--force", "Aborted: nothing was written");
        }
        if (!store.writeConfig(after, revision)) {
            throw new CtlException("Config modification aborted due to concurrent changes: the configuration of "
                    + name + " changed in etcd since it was read (revision " + revision + "); nothing was written,"
                    + " run edit-config again");
        }
        session.out().println("Configuration changed");
        return 0;
    }

    private String read(String file) throws IOException {
        if ("-".equals(file)) {
            InputStream in = System.in;
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            throw new CtlException(file + " does not exist or cannot be read; nothing was written");
        }
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static String source(String file) {
        return "-".equals(file) ? "stdin" : file;
    }

    /** $EDITOR (else editor or vi from PATH) on a private temporary copy; its exit status must be 0. */
    private String edit(String name, String text) throws IOException, InterruptedException {
        String editor = session.host().env().get("EDITOR");
        if (editor == null || editor.isBlank()) {
            if (!session.terminal().interactive()) {
                throw new UsageException("there is no terminal to run an editor in: change the configuration with"
                        + " -s, -p, --apply or --replace (or set EDITOR)");
            }
            editor = onPath("editor");
            if (editor == null) {
                editor = onPath("vi");
            }
            if (editor == null) {
                throw new CtlException("EDITOR is not set and neither editor nor vi is on PATH");
            }
        }
        Path tmp = Files.createTempFile(name + "-config-", ".yaml",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            List<String> cmd = new ArrayList<>(List.of(editor.strip().split("\\s+")));
            cmd.add(tmp.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            if (!session.terminal().interactive()) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            int rc = pb.start().waitFor();
            if (rc != 0) {
                throw new CtlException("the editor (" + editor + ") exited with status " + rc + "; nothing was written");
            }
            return Files.readString(tmp, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private String onPath(String tool) {
        for (String dir : session.host().path().split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
