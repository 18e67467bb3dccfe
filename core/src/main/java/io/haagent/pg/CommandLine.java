package io.haagent.pg;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a configured command ({@code callbacks.*}, {@code pre_promote}, a replica method's {@code command})
 * into an argument list the way a POSIX shell would split words (Python's {@code shlex.split}, which Patroni
 * uses): whitespace separates, single quotes keep everything, double quotes keep everything but {@code \"},
 * {@code \\}, {@code \$} and {@code \`}, a backslash outside quotes escapes the next character. Nothing is
 * expanded and no shell runs.
 */
public final class CommandLine {
    private CommandLine() {
    }

    /** @throws IllegalArgumentException for an unclosed quote or a trailing backslash */
    public static List<String> split(String command) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = command.length();
        while (i < n) {
            char c = command.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed single quote in command: " + command);
                }
                cur.append(command, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = command.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) {
                        cur.append(command.charAt(i + 1));
                        i += 2;
                    } else {
                        cur.append(d);
                        i++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unclosed double quote in command: " + command);
                }
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("trailing backslash in command: " + command);
                }
                cur.append(command.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                cur.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }
}
