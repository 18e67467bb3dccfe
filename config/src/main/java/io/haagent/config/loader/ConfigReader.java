package io.haagent.config.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The read step (§5.1): a YAML file, or a directory of {@code *.yml}/{@code *.yaml} files merged in name order
 * (later files win, mappings merge deeply), with {@code PATRONI_*} variables applied on top; without a path,
 * {@code PATRONI_CONFIGURATION} (the whole configuration; other variables are then ignored), else the
 * variables alone. Unlike Patroni, a path that does not exist is an error, not a silent fall-back to the
 * environment.
 *
 * <p>Without a path and without {@code PATRONI_CONFIGURATION}, the node's file is the first of
 * {@link #DEFAULT_FILES} that exists ({@link #defaultFile}): Debian's Patroni path {@code /etc/patroni/config.yml},
 * then {@code /etc/patroni/patroni.yml}; only when neither exists do the {@code PATRONI_*} variables alone make
 * the configuration.
 */
public final class ConfigReader {
    /**
     * Where a node's configuration is looked for when no path is given, in this order: Debian's Patroni package
     * ({@code patroni.service}) reads {@code /etc/patroni/config.yml}; {@code /etc/patroni/patroni.yml} is the
     * other common name (and ha-agent's before 0.1.0).
     */
    public static final List<Path> DEFAULT_FILES = List.of(Path.of("/etc/patroni/config.yml"),
            Path.of("/etc/patroni/patroni.yml"));

    private ConfigReader() {
    }

    /**
     * The configuration file a node reads when it is given no path: null when {@code PATRONI_CONFIGURATION} is
     * set (it holds the whole configuration) or none of {@code candidates} exists.
     */
    public static Path defaultFile(Map<String, String> env, List<Path> candidates) {
        String whole = env.get(PatroniEnvironment.CONFIGURATION);
        if (whole != null && !whole.isBlank()) {
            return null;
        }
        return candidates.stream().filter(Files::exists).findFirst().orElse(null);
    }

    /**
     * @param tree  the merged configuration, or null when it could not be read (see problems)
     * @param files the files read, in merge order
     * @param label how to name the configuration in messages: the path, PATRONI_CONFIGURATION or "environment"
     */
    public record Result(ConfigNode.Mapping tree, List<Path> files, String label, List<Problem> problems) {
    }

    /** The message when no path was given and there is neither a default file nor a PATRONI_* variable. */
    public static final String NO_CONFIGURATION = "no configuration: give the configuration file or directory as"
            + " the argument (ha-agent /etc/patroni/config.yml), or set PATRONI_CONFIGURATION or PATRONI_*"
            + " variables; without an argument ha-agent reads " + DEFAULT_FILES.get(0) + ", else "
            + DEFAULT_FILES.get(1) + ", and neither exists";

    public static Result read(Path configPath, Map<String, String> env) {
        List<Problem> problems = new ArrayList<>();
        if (configPath != null) {
            return readPath(configPath, env, problems);
        }
        String whole = env.get(PatroniEnvironment.CONFIGURATION);
        if (whole != null && !whole.isBlank()) {
            YamlTreeReader reader = new YamlTreeReader();
            ConfigNode.Mapping tree = reader.readDocument(whole, PatroniEnvironment.CONFIGURATION, 0, true);
            problems.addAll(reader.problems());
            if (tree != null && !tree.entries().isEmpty()) {
                PatroniEnvironment.Result ignored = PatroniEnvironment.read(env);
                for (String var : ignored.consumed()) {
                    problems.add(Problem.warning(Origin.env(var), "(environment)", "ignored: PATRONI_CONFIGURATION"
                            + " holds the whole configuration; put this setting there"));
                }
                return new Result(ConfigNode.patch(ConfigNode.emptyMapping(tree.origin()), tree), List.of(),
                        PatroniEnvironment.CONFIGURATION, problems);
            }
            if (tree == null) {
                return new Result(null, List.of(), PatroniEnvironment.CONFIGURATION, problems);
            }
        }
        PatroniEnvironment.Result fromEnv = PatroniEnvironment.read(env);
        problems.addAll(fromEnv.problems());
        if (fromEnv.isEmpty()) {
            problems.add(Problem.error(new Origin("ha-agent", 0, 0), "(config)", NO_CONFIGURATION, true));
            return new Result(null, List.of(), "environment", problems);
        }
        return new Result(fromEnv.tree(), List.of(), "environment", problems);
    }

    private static Result readPath(Path configPath, Map<String, String> env, List<Problem> problems) {
        String label = configPath.toString();
        Origin whole = new Origin(label, 0, 0);
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(configPath)) {
            files.add(configPath);
        } else if (Files.isDirectory(configPath)) {
            try (Stream<Path> s = Files.list(configPath)) {
                s.filter(p -> {
                    String n = p.getFileName().toString();
                    return (n.endsWith(".yml") || n.endsWith(".yaml")) && Files.isRegularFile(p);
                }).sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                        .forEach(files::add);
            } catch (IOException e) {
                problems.add(Problem.error(whole, "(file)", "cannot list the directory (" + e.getClass().getSimpleName()
                        + "): check that this user may read it", true));
                return new Result(null, files, label, problems);
            }
            if (files.isEmpty()) {
                problems.add(Problem.error(whole, "(file)", "the directory holds no *.yml or *.yaml file: put the"
                        + " configuration there, or give the file's path", true));
                return new Result(null, files, label, problems);
            }
        } else {
            problems.add(Problem.error(whole, "(file)", Files.exists(configPath)
                    ? "neither a file nor a directory: give a YAML file or a directory of *.yml files"
                    : "no such file or directory: check the path", true));
            return new Result(null, files, label, problems);
        }

        YamlTreeReader reader = new YamlTreeReader();
        ConfigNode.Mapping merged = ConfigNode.emptyMapping(new Origin(files.get(0).toString(), 1, 0));
        boolean failed = false;
        for (int i = 0; i < files.size(); i++) {
            ConfigNode.Mapping one = reader.readFile(files.get(i), i);
            if (one == null) {
                failed = true;
            } else {
                merged = ConfigNode.patch(merged, one);
            }
        }
        problems.addAll(reader.problems());
        if (failed) {
            return new Result(null, files, label, problems);
        }
        PatroniEnvironment.Result fromEnv = PatroniEnvironment.read(env);
        problems.addAll(fromEnv.problems());
        merged = ConfigNode.patch(merged, fromEnv.tree());
        if (merged.entries().isEmpty()) {
            problems.add(Problem.error(merged.origin(), "(file)", "the configuration is empty: start from"
                    + " examples/patroni.yml", true));
            return new Result(null, files, label, problems);
        }
        String whole2 = env.get(PatroniEnvironment.CONFIGURATION);
        if (whole2 != null && !whole2.isBlank()) {
            problems.add(Problem.warning(Origin.env(PatroniEnvironment.CONFIGURATION), "(environment)", "ignored:"
                    + " a configuration path was given, which takes precedence; unset it or drop the path"));
        }
        return new Result(merged, files, label, problems);
    }
}
