package io.haagent.pg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads a golden file produced from real PostgreSQL 15 output (see golden/README.md). */
final class GoldenFiles {
    private GoldenFiles() {
    }

    static String read(String name) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("golden/" + name)) {
            if (in == null) {
                throw new AssertionError("golden file missing: io/haagent/pg/golden/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
