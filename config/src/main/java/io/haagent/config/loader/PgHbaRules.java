package io.haagent.config.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Just enough of {@code pg_hba.conf} to answer two questions validation asks: does some line let a user
 * connect for replication over TCP (replicas on other hosts), and does some line let it connect over the
 * local socket without a password.
 */
final class PgHbaRules {
    private static final Set<String> HOST_TYPES = Set.of("host", "hostssl", "hostnossl", "hostgssenc",
            "hostnogssenc");
    private static final Set<String> PASSWORDLESS = Set.of("trust", "peer", "ident");

    /** initdb's default rules (PostgreSQL 15, with its default trust method): what runs when no pg_hba is set. */
    static final List<String> INITDB_DEFAULT = List.of(
            "local all all trust",
            "host all all 127.0.0.1/32 trust",
            "host all all ::1/128 trust",
            "local replication all trust",
            "host replication all 127.0.0.1/32 trust",
            "host replication all ::1/128 trust");

    private PgHbaRules() {
    }

    record Rule(String type, List<String> databases, List<String> users, String address, String method) {
    }

    static List<Rule> parse(List<String> lines) {
        List<Rule> out = new ArrayList<>();
        for (String line : lines) {
            List<String> tokens = tokens(line);
            if (tokens.size() < 4) {
                continue;
            }
            String type = tokens.get(0).toLowerCase(Locale.ROOT);
            boolean local = type.equals("local");
            int methodIndex = local ? 3 : 4;
            if (!local && tokens.size() > 5 && tokens.get(4).matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
                methodIndex = 5; // address followed by a separate netmask
            }
            if (tokens.size() <= methodIndex) {
                continue;
            }
            out.add(new Rule(type, List.of(tokens.get(1).split(",")), List.of(tokens.get(2).split(",")),
                    local ? null : tokens.get(3), tokens.get(methodIndex).toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    /** A TCP line for the {@code replication} pseudo-database that may match {@code user}. */
    static boolean allowsRemoteReplication(List<Rule> rules, String user) {
        for (Rule r : rules) {
            if (HOST_TYPES.contains(r.type()) && r.databases().stream().anyMatch(d -> d.equals("replication"))
                    && matchesUser(r.users(), user) && !r.method().equals("reject")) {
                return true;
            }
        }
        return false;
    }

    /** A local-socket line that lets {@code user} into {@code database} without a password. */
    static boolean allowsLocalWithoutPassword(List<Rule> rules, String user, String database) {
        for (Rule r : rules) {
            if (!r.type().equals("local") || !matchesUser(r.users(), user)) {
                continue;
            }
            boolean db = r.databases().stream().anyMatch(d -> d.equals("all") || d.equals(database)
                    || d.equals("sameuser") && database.equals(user) || d.startsWith("@"));
            if (db) {
                // The first matching line decides in pg_hba: a password method here means no password-less login.
                return PASSWORDLESS.contains(r.method());
            }
        }
        return false;
    }

    private static boolean matchesUser(List<String> users, String user) {
        // +group and @file may include the user: give them the benefit of the doubt.
        return users.stream().anyMatch(u -> u.equals("all") || u.equals(user) || u.equals("\"" + user + "\"")
                || u.startsWith("+") || u.startsWith("@"));
    }

    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '#' && !quoted) {
                break;
            }
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (Character.isWhitespace(c) && !quoted) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
