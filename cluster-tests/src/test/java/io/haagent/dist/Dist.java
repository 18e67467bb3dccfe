package io.haagent.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Where the build put the distribution (packaging/target), and the project version it was built for. */
public final class Dist {
    private Dist() {
    }

    /** This module's directory (failsafe runs the tests with it as the working directory). */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().normalize();
    }

    public static Path repoRoot() {
        return moduleDir().getParent();
    }

    public static Path packagingTarget() {
        return repoRoot().resolve("packaging/target");
    }

    /** The unpacked distribution, {@code packaging/target/dist}. */
    public static Path home() {
        Path home = packagingTarget().resolve("dist");
        if (!Files.isRegularFile(home.resolve("bin/ha-agent"))) {
            throw new AssertionError(home + " holds no bin/ha-agent: build it with `mvn package` (in `mvn verify`"
                    + " the packaging module runs before this one)");
        }
        return home;
    }

    public static Path launcher(String name) {
        return home().resolve("bin").resolve(name);
    }

    /**
     * True when the launcher, in this environment, would start ha-agent from a class-data archive (one its training
     * run wrote for this runtime and lib/): asked of the launcher itself, so its directory and key rules stay in one
     * place.
     */
    public static boolean classDataArchiveFits() {
        try {
            ProcessBuilder pb = new ProcessBuilder(launcher("ha-agent").toString(), "--version");
            pb.environment().put("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal");
            pb.environment().remove("HA_AGENT_JAVA_OPTS");
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().anyMatch(l -> l.contains(" SharedArchiveFile ") && l.contains("{command line}"));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Makes sure starts map a class-data archive, as production starts do (the .deb's postinst trains one): runs the
     * launcher's training run when none fits. For benchmarks, which measure those starts, not the one cold start
     * after each build. @return what was done, for the benchmark's output
     */
    public static String ensureClassDataArchive() throws IOException, InterruptedException {
        if (classDataArchiveFits()) {
            return "class-data archive in place";
        }
        Process p = new ProcessBuilder(launcher("ha-agent").toString(), "--write-class-data-archive")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !classDataArchiveFits()) {
            throw new IllegalStateException("the class-data archive's training run failed:\n" + out);
        }
        return "class-data archive written by the training run (not measured)";
    }

    /** The repository's examples/ directory, which the distribution copies. */
    public static Path examples() {
        return repoRoot().resolve("examples");
    }

    /** The version in the parent pom.xml, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String projectVersion() {
        Path pom = repoRoot().resolve("pom.xml");
        try {
            Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
                    .getDocumentElement();
            for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals("version")) {
                    return e.getTextContent().trim();
                }
            }
        } catch (Exception e) {
            throw new AssertionError("cannot read the project version from " + pom, e);
        }
        throw new AssertionError(pom + " has no <version>");
    }

    /** Regular files under {@code dir}, as sorted paths relative to it ("/"-separated). */
    static List<String> filesUnder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            // Python's byte-code caches (ignored by git, left out of the distribution) are nobody's files
            return walk.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .filter(f -> !f.contains("__pycache__/"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }
}
