package io.haagent.config.loader;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML into a {@link ConfigNode} tree that keeps the line of every key and list item. Uses SnakeYAML's
 * node API (composition only: no object is constructed from tags), which reads YAML 1.1 as Patroni's PyYAML
 * does: {@code on}/{@code yes} are booleans, {@code 0755} is octal. Merge keys ({@code <<}) are resolved;
 * a duplicate key keeps the later value, as PyYAML does, and is reported.
 *
 * <p>Syntax errors are reported with the line and SnakeYAML's one-line problem text only, never with its
 * snippet of the offending line, which could hold a password.
 *
 * <p>Bounds, each refused with one line that names it (never an {@link OutOfMemoryError} or a stack trace): a
 * document of more than {@link #MAX_DOCUMENT_BYTES} (a Patroni configuration is a few kilobytes), and aliases
 * ({@code *name}) that would expand the document by more than {@link #MAX_ALIAS_EXPANSION} values (a "billion
 * laughs" document of a few hundred bytes expands to billions). A file that is not UTF-8 text is said to be so.
 */
public final class YamlTreeReader {
    /** The largest configuration document read: 1 MiB. */
    public static final int MAX_DOCUMENT_BYTES = 1 << 20;
    /** How many values aliases may add to a document, beyond the values written in it. */
    public static final int MAX_ALIAS_EXPANSION = 10_000;

    private final List<Problem> problems = new ArrayList<>();
    /** Values the conversion may still produce before the alias bound is hit (see {@link #MAX_ALIAS_EXPANSION}). */
    private long budget;

    /** The problems found while reading (syntax errors, duplicate keys, a root that is not a mapping). */
    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    /**
     * A configuration file. An empty file is an empty mapping; a file that is not YAML, or whose top level is
     * not a mapping, gives null and an error.
     */
    public ConfigNode.Mapping readFile(Path file, int rank) {
        Origin whole = new Origin(file.toString(), 0, rank);
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_DOCUMENT_BYTES) {
                problems.add(tooLarge(whole, size));
                return null;
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            problems.add(Problem.error(whole, "(file)", "no such file: check the path", true));
            return null;
        } catch (AccessDeniedException e) {
            problems.add(Problem.error(whole, "(file)", "permission denied: user " + System.getProperty("user.name")
                    + " may not read it; make that user its owner (chown postgres: FILE; chmod 600 FILE)", true));
            return null;
        } catch (IOException e) {
            problems.add(Problem.error(whole, "(file)", "cannot read the file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage())) + ")", true));
            return null;
        }
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            problems.add(tooLarge(whole, bytes.length));
            return null;
        }
        String text = text(bytes, whole);
        return text == null ? null : readDocument(text, file.toString(), rank, true);
    }

    private static Problem tooLarge(Origin whole, long size) {
        return Problem.error(whole, "(file)", String.format(java.util.Locale.ROOT, "the file is %.1f MB; ha-agent"
                + " reads configuration documents of up to %d KB (a Patroni configuration is a few KB): give the"
                + " configuration file itself", size / 1e6, MAX_DOCUMENT_BYTES / 1024), true);
    }

    /** The file's text, or null (and the problem) when it is not UTF-8 text: a NUL byte or an invalid sequence. */
    private String text(byte[] bytes, Origin whole) {
        int line = 1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                problems.add(notText(whole.atLine(line), "a NUL byte at offset " + i));
                return null;
            }
            if (bytes[i] == '\n') {
                line++;
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int offset = in.position();
            int badLine = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    badLine++;
                }
            }
            problems.add(notText(whole.atLine(badLine), "byte 0x" + String.format("%02x", bytes[offset] & 0xff)
                    + " at offset " + offset + " is not UTF-8"));
            return null;
        }
        decoder.flush(out);
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    private static Problem notText(Origin where, String what) {
        return Problem.error(where, "(file)", "not a text file (" + what + "): a configuration is YAML text in"
                + " UTF-8; is this a binary file, or the wrong path?", true);
    }

    /**
     * A YAML document held in a string: {@code PATRONI_CONFIGURATION} (with lines), or one variable's value
     * ({@code withLines=false}: every node cites the variable name).
     */
    public ConfigNode readValue(String text, String source, int rank, boolean withLines) {
        Node node = compose(text, source, rank, withLines);
        if (node == null) {
            return null;
        }
        return bounded(node, new Origin(source, withLines ? 1 : 0, rank), withLines);
    }

    ConfigNode.Mapping readDocument(String text, String source, int rank, boolean withLines) {
        Origin top = new Origin(source, withLines ? 1 : 0, rank);
        int before = problems.size();
        Node node = compose(text, source, rank, withLines);
        if (node == null) {
            return problems.size() > before ? null : ConfigNode.emptyMapping(top);
        }
        ConfigNode tree = bounded(node, top, withLines);
        if (tree == null) {
            return null;
        }
        if (tree instanceof ConfigNode.Scalar s && s.isNull()) {
            return ConfigNode.emptyMapping(top);
        }
        if (!(tree instanceof ConfigNode.Mapping m)) {
            problems.add(Problem.error(top, "(file)", "the top level is " + tree.describe()
                    + ", not a mapping of settings: start with keys such as 'scope:' and 'name:'", true));
            return null;
        }
        return new ConfigNode.Mapping(m.entries(), top);
    }

    /** Thrown by {@link #convert} when aliases expand the document beyond the bound. */
    private static final class AliasBomb extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;

        AliasBomb(int line) {
            super(null, null, false, false);
            this.line = line;
        }
    }

    /** The tree of a composed document, or null (and the problem) when aliases expand it beyond the bound. */
    private ConfigNode bounded(Node node, Origin top, boolean withLines) {
        budget = distinctNodes(node) + MAX_ALIAS_EXPANSION;
        try {
            return convert(node, top, withLines, "");
        } catch (AliasBomb e) {
            problems.add(Problem.error(withLines ? top.atLine(e.line) : top, "(yaml)", "aliases (*name) expand this"
                    + " document by more than " + MAX_ALIAS_EXPANSION + " values, which ha-agent refuses (an alias"
                    + " bomb?): write the values out, or use fewer nested aliases", true));
            return null;
        }
    }

    /** The values written in the document: each composed node once, however many aliases refer to it. */
    private static long distinctNodes(Node root) {
        IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();
        java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (seen.put(n, Boolean.TRUE) != null) {
                continue;
            }
            if (n instanceof SequenceNode seq) {
                seq.getValue().forEach(todo::push);
            } else if (n instanceof MappingNode map) {
                for (NodeTuple t : map.getValue()) {
                    todo.push(t.getKeyNode());
                    todo.push(t.getValueNode());
                }
            }
        }
        return seen.size();
    }

    private Node compose(String text, String source, int rank, boolean withLines) {
        if (text.length() > MAX_DOCUMENT_BYTES) {
            problems.add(Problem.error(new Origin(source, 0, rank), "(yaml)", "the document holds " + text.length()
                    + " characters; ha-agent reads configuration documents of up to " + MAX_DOCUMENT_BYTES / 1024
                    + " KB (a Patroni configuration is a few KB)", true));
            return null;
        }
        LoaderOptions options = new LoaderOptions();
        // our own bound (above) comes first; SnakeYAML's 3 MB default would be reported as a syntax error
        options.setCodePointLimit(MAX_DOCUMENT_BYTES * 2);
        options.setAllowDuplicateKeys(true);
        options.setMergeOnCompose(true);
        options.setMaxAliasesForCollections(100);
        options.setNestingDepthLimit(100);
        options.setProcessComments(false);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(options);
        try (Reader r = new StringReader(text)) {
            return yaml.compose(r);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? 1 : mark.getLine() + 1;
            String column = mark == null ? "" : " (column " + (mark.getColumn() + 1) + ")";
            // SnakeYAML's context and problem are fixed phrases ("while scanning a quoted scalar", "found unexpected
            // end of stream"); its snippet of the line, which could hold a password, is never used.
            String what = (e.getContext() == null ? "" : oneLine(e.getContext()) + ", ")
                    + (e.getProblem() == null ? "not valid YAML" : oneLine(e.getProblem()));
            problems.add(Problem.error(new Origin(source, withLines ? line : 0, rank), "(yaml)",
                    what + column + ": fix the YAML syntax (indent with spaces, quote values holding ': ' or '#')",
                    true));
            return null;
        } catch (YAMLException | IOException e) {
            problems.add(Problem.error(new Origin(source, withLines ? 1 : 0, rank), "(yaml)",
                    "not valid YAML (" + e.getClass().getSimpleName() + "): fix the YAML syntax", true));
            return null;
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    private ConfigNode convert(Node node, Origin base, boolean withLines, String path) {
        if (--budget < 0) {
            throw new AliasBomb(node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1);
        }
        Origin here = withLines ? base.atLine(node.getStartMark().getLine() + 1) : base;
        if (node instanceof ScalarNode s) {
            return new ConfigNode.Scalar(scalarValue(s), s.getValue(), here);
        }
        if (node instanceof SequenceNode seq) {
            List<ConfigNode> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                items.add(convert(item, base, withLines, path + "[" + items.size() + "]"));
            }
            return new ConfigNode.Sequence(items, here);
        }
        MappingNode map = (MappingNode) node;
        Map<String, ConfigNode> entries = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            Node keyNode = t.getKeyNode();
            Origin keyOrigin = withLines ? base.atLine(keyNode.getStartMark().getLine() + 1) : base;
            String key = keyNode instanceof ScalarNode ks ? ks.getValue() : keyNode.toString();
            String keyPath = path.isEmpty() ? key : path + "." + key;
            ConfigNode value = convert(t.getValueNode(), base, withLines, keyPath).withOrigin(keyOrigin);
            ConfigNode previous = entries.remove(key);
            if (previous != null) {
                problems.add(Problem.warning(keyOrigin, keyPath, "duplicate key: this later value replaces the one on "
                        + (previous.origin().line() > 0 ? "line " + previous.origin().line() : previous.origin())
                        + "; keep only one"));
            }
            entries.put(key, value);
        }
        return new ConfigNode.Mapping(entries, here);
    }

    /** YAML 1.1 scalar typing, as PyYAML's SafeLoader resolves plain scalars. */
    static Object scalarValue(ScalarNode s) {
        Tag tag = s.getTag();
        String v = s.getValue();
        if (Tag.NULL.equals(tag)) {
            return null;
        }
        if (Tag.BOOL.equals(tag)) {
            String l = v.toLowerCase(Locale.ROOT);
            return l.equals("yes") || l.equals("true") || l.equals("on");
        }
        if (Tag.INT.equals(tag)) {
            Object n = yamlInt(v);
            return n == null ? v : n;
        }
        if (Tag.FLOAT.equals(tag)) {
            Double d = yamlFloat(v);
            return d == null ? v : d;
        }
        return v;
    }

    static Object yamlInt(String raw) {
        String v = raw.replace("_", "");
        int sign = 1;
        if (v.startsWith("-")) {
            sign = -1;
            v = v.substring(1);
        } else if (v.startsWith("+")) {
            v = v.substring(1);
        }
        try {
            BigInteger n;
            if (v.equals("0")) {
                n = BigInteger.ZERO;
            } else if (v.startsWith("0b")) {
                n = new BigInteger(v.substring(2), 2);
            } else if (v.startsWith("0x")) {
                n = new BigInteger(v.substring(2), 16);
            } else if (v.startsWith("0o")) {
                n = new BigInteger(v.substring(2), 8);
            } else if (v.startsWith("0")) {
                n = new BigInteger(v.substring(1), 8);
            } else if (v.contains(":")) {
                n = BigInteger.ZERO;
                for (String part : v.split(":")) {
                    n = n.multiply(BigInteger.valueOf(60)).add(new BigInteger(part));
                }
            } else {
                n = new BigInteger(v);
            }
            n = sign < 0 ? n.negate() : n;
            if (n.bitLength() < 32) {
                return n.intValue();
            }
            if (n.bitLength() < 64) {
                return n.longValue();
            }
            return n;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Double yamlFloat(String raw) {
        String v = raw.replace("_", "").toLowerCase(Locale.ROOT);
        switch (v) {
            case ".inf": case "+.inf":
                return Double.POSITIVE_INFINITY;
            case "-.inf":
                return Double.NEGATIVE_INFINITY;
            case ".nan":
                return Double.NaN;
            default:
                break;
        }
        try {
            if (v.contains(":")) {
                double sign = v.startsWith("-") ? -1 : 1;
                String body = v.replaceFirst("^[-+]", "");
                double d = 0;
                for (String part : body.split(":")) {
                    d = d * 60 + Double.parseDouble(part);
                }
                return sign * d;
            }
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
