package io.haagent.pg.files;

import java.util.List;

/** Renders {@code pg_hba.conf} / {@code pg_ident.conf} from the configured lists (§4.2). Pure. */
public final class HbaFile {
    private HbaFile() {
    }

    public static String render(List<String> lines) {
        StringBuilder sb = new StringBuilder(PostgresqlConfFile.HEADER);
        for (String l : lines) {
            if (l.indexOf('\n') >= 0 || l.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("an entry may not span lines: '" + l.replace("\n", "\\n") + "'");
            }
            sb.append(l).append('\n');
        }
        return sb.toString();
    }
}
