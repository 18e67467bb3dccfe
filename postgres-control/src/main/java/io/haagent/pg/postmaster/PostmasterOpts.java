package io.haagent.pg.postmaster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code postmaster.opts}: the command line the running postmaster was started with, each argument
 * double-quoted. Used to tell which command-line settings a restart would change.
 */
public final class PostmasterOpts {
    private PostmasterOpts() {
    }

    /** The arguments after the executable. */
    public static List<String> arguments(String content) {
        List<String> out = new ArrayList<>();
        String s = content.strip();
        int i = 0;
        boolean first = true;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            StringBuilder sb = new StringBuilder();
            if (c == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    sb.append(s.charAt(i++));
                }
                i++;
            } else {
                while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
                    sb.append(s.charAt(i++));
                }
            }
            if (first) {
                first = false; // the executable
            } else {
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** {@code --name=value} and {@code -c name=value} settings, by name. */
    public static Map<String, String> settings(String content) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> args = arguments(content);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String kv = null;
            if (a.startsWith("--") && a.contains("=")) {
                kv = a.substring(2);
            } else if (a.equals("-c") && i + 1 < args.size()) {
                kv = args.get(++i);
            }
            if (kv != null) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(kv.substring(0, eq).replace('-', '_'), kv.substring(eq + 1));
                }
            }
        }
        return out;
    }
}
