package io.haagent.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every citation in the repository resolves to a heading, a numbered item or a row of {@code docs/}, so that a
 * newcomer who clones the project can follow each one (docs/README.md):
 * <ul>
 * <li>{@code §x.y} (also {@code §x} and {@code §x.y.z}): a heading of {@code docs/patroni-compat.md}, or item z of
 * the numbered list under heading {@code x.y};</li>
 * <li>{@code DESIGN §n} (or {@code DESIGN.md §n}), optionally followed by {@code rule k}: a heading of
 * {@code docs/DESIGN.md}, and item k of its numbered list; {@code safety rule k} is item k of DESIGN §4;</li>
 * <li>{@code STYLE n} (or {@code STYLE.md n}): row n of the table in {@code docs/STYLE.md}.</li>
 * </ul>
 * Files scanned: every text file of the repository outside {@code .git} and build output.
 */
class DocCitationsTest {
    private static final char SECTION = '\u00a7';
    private static final Pattern DESIGN = Pattern.compile("DESIGN(?:\\.md)? " + SECTION
            + "(\\d+(?:\\.\\d+)*)(?: rule (\\d+))?");
    private static final Pattern SAFETY_RULE = Pattern.compile("(?i)safety rule (\\d+)");
    private static final Pattern STYLE = Pattern.compile("STYLE(?:\\.md)? #?(\\d+)\\b");
    private static final Pattern REFERENCE = Pattern.compile(SECTION + "(\\d+(?:\\.\\d+)*)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (\\d+(?:\\.\\d+)*)\\.? .*");
    private static final Pattern ITEM = Pattern.compile("^(\\d+)\\. .*");
    private static final Pattern STYLE_ROW = Pattern.compile("^\\| (\\d+) \\|.*");
    private static final Set<String> TEXT = Set.of("java", "md", "xml", "sh", "yml", "yaml", "cfg", "py", "txt",
            "properties", "service", "default", "conf", "feature", "rules", "json");
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".mvn");

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** The anchors of one document: headings ("2.4") and numbered items under them ("1.7.8"). */
    static Set<String> anchors(List<String> lines) {
        Set<String> out = new LinkedHashSet<>();
        String current = null;
        boolean inCode = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (inCode) {
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                current = h.group(1);
                out.add(current);
                continue;
            }
            Matcher i = ITEM.matcher(line);
            if (current != null && i.matches()) {
                out.add(current + "." + i.group(1));
            }
        }
        return out;
    }

    static Set<String> styleRows(List<String> lines) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : lines) {
            Matcher m = STYLE_ROW.matcher(line);
            if (m.matches()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The citations of one text that do not resolve, as "line: citation". */
    static List<String> unresolved(String text, Set<String> reference, Set<String> design, Set<String> style) {
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            boolean[] taken = new boolean[line.length()];
            Matcher d = DESIGN.matcher(line);
            while (d.find()) {
                String anchor = d.group(2) == null ? d.group(1) : d.group(1) + "." + d.group(2);
                if (!design.contains(anchor)) {
                    out.add((n + 1) + ": " + d.group());
                }
                for (int i = d.start(); i < d.end(); i++) {
                    taken[i] = true;
                }
            }
            Matcher r = SAFETY_RULE.matcher(line);
            while (r.find()) {
                if (!design.contains("4." + r.group(1))) {
                    out.add((n + 1) + ": " + r.group() + " (DESIGN " + SECTION + "4)");
                }
            }
            Matcher s = STYLE.matcher(line);
            while (s.find()) {
                if (!style.contains(s.group(1))) {
                    out.add((n + 1) + ": " + s.group());
                }
            }
            Matcher p = REFERENCE.matcher(line);
            while (p.find()) {
                if (!taken[p.start()] && !reference.contains(p.group(1))) {
                    out.add((n + 1) + ": " + p.group());
                }
            }
        }
        return out;
    }

    private static List<String> lines(String doc) throws IOException {
        Path p = ROOT.resolve("docs").resolve(doc);
        assertThat(p).as("the repository carries " + p).isRegularFile();
        return Files.readAllLines(p, StandardCharsets.UTF_8);
    }

    @Test
    void everyCitationInTheRepositoryResolvesInDocs() throws IOException {
        Set<String> reference = anchors(lines("patroni-compat.md"));
        Set<String> design = anchors(lines("DESIGN.md"));
        Set<String> style = styleRows(lines("STYLE.md"));
        List<String> bad = new ArrayList<>();
        int[] files = {0};
        try (Stream<Path> all = Files.walk(ROOT)) {
            all.filter(f -> Files.isRegularFile(f) && isText(f) && !skipped(f)).forEach(f -> {
                files[0]++;
                String text;
                try {
                    text = Files.readString(f, StandardCharsets.UTF_8);
                } catch (MalformedInputException e) {
                    return;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (String u : unresolved(text, reference, design, style)) {
                    bad.add(ROOT.relativize(f) + ":" + u);
                }
            });
        }
        assertThat(files[0]).as("files scanned under " + ROOT).isGreaterThan(100);
        assertThat(bad).as("citations that resolve to nothing in docs/ (fix the citation or the docs)").isEmpty();
    }

    @Test
    void theCheckerFindsWhatDoesNotResolve() {
        List<String> ref = List.of("## 1. DCS", "### 1.7 Bootstrap", "1. first", "8. eighth", "```", "9. in code",
                "```", "#### 1.3.1 Effective tags");
        List<String> design = List.of("## 4. Safety rules", "1. When in doubt", "5. Every decision");
        Set<String> r = anchors(ref);
        Set<String> d = anchors(design);
        Set<String> s = styleRows(List.of("| # | Example |", "|---|---|", "| 3 | Read once |"));
        assertThat(r).containsExactly("1", "1.7", "1.7.1", "1.7.8", "1.3.1");
        String ok = "see " + SECTION + "1.7, " + SECTION + "1.7.8, " + SECTION + "1.3.1 and " + SECTION + "1; DESIGN "
                + SECTION + "4 rule 5, DESIGN.md " + SECTION + "4, safety rule 1, STYLE 3.";
        assertThat(unresolved(ok, r, d, s)).isEmpty();
        // spelled in pieces, so that this file's own text has no unresolved citation
        String safety9 = String.join(" ", "Safety", "rule", "9");
        String style13 = String.join(" ", "STYLE", "13");
        String bad = "x\n" + SECTION + "1.9 and " + SECTION + "1.7.9 and " + SECTION + "1.7.9.1; DESIGN " + SECTION
                + "4 rule 2, DESIGN " + SECTION + "7, " + safety9 + ", " + style13;
        assertThat(unresolved(bad, r, d, s)).containsExactly("2: DESIGN " + SECTION + "4 rule 2",
                "2: DESIGN " + SECTION + "7", "2: " + safety9 + " (DESIGN " + SECTION + "4)", "2: " + style13,
                "2: " + SECTION + "1.9", "2: " + SECTION + "1.7.9", "2: " + SECTION + "1.7.9.1");
    }

    private static boolean isText(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && TEXT.contains(name.substring(dot + 1));
    }

    private static boolean skipped(Path f) {
        for (Path part : ROOT.relativize(f)) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }
}
