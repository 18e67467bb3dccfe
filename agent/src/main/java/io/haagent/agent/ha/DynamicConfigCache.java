package io.haagent.agent.ha;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code patroni.dynamic.json} in the data directory (§4.2): the last dynamic configuration seen, so a node that
 * starts while etcd is unreachable runs with the cluster's settings rather than its bootstrap defaults.
 * Written atomically (temp file + rename): a crash never leaves half a file.
 */
public final class DynamicConfigCache {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicConfigCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String FILE = "patroni.dynamic.json";

    private DynamicConfigCache() {
    }

    public static void save(Path dataDir, Map<String, Object> dynamic) {
        if (!Files.isDirectory(dataDir) || !Files.exists(dataDir.resolve("PG_VERSION"))) {
            return;
        }
        Path target = dataDir.resolve(FILE);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, JSON.writeValueAsString(dynamic));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("could not save {}: {}", target, e.getMessage());
        }
    }

    /** The cached configuration, or null when there is none or it cannot be read. */
    public static Map<String, Object> load(Path dataDir) {
        Path f = dataDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return JSON.readValue(Files.readString(f), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            LOG.warn("ignoring unreadable {}: {}", f, e.getMessage());
            return null;
        }
    }
}
