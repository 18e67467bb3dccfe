package io.haagent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What Patroni itself wrote and answered, recorded by {@code PatroniSamplesRecorder} (cluster-tests) from Patroni
 * 3.0.2 (Debian's package) and Patroni 4.1.4 (its source tree) into {@code samples/<version>/}: member, status and
 * config keys as stored in etcd, {@code /patroni}, {@code /cluster} and {@code /metrics} of a primary and a replica,
 * and each version's {@code patronictl list -f json}. They pin the encodings in CI, where Patroni 4 is not installed.
 */
public final class Samples {
    public static final String PATRONI_3 = "patroni-3.0.2";
    public static final String PATRONI_4 = "patroni-4.1.4";

    private Samples() {
    }

    /** {@code samples/<version>/<file>}; a missing sample fails the test that reads it. */
    public static String read(String version, String file) {
        String path = "/samples/" + version + "/" + file;
        try (InputStream in = Samples.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no sample " + path + " (core/src/test/resources" + path + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
