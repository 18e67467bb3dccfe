package io.haagent.dcs.codec;

import io.haagent.text.SafeText;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a value that cannot be parsed once per key and revision: the HA loop reads the cluster every cycle,
 * and one bad value must neither stop it nor flood the log. The value itself is not logged (the {@code config}
 * key may hold connection settings); its length and the parser's complaint are.
 */
public final class GarbageLog {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageLog.class);
    private static final int REMEMBERED = 512;

    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * @return true when this call logged (the first time for this key and revision)
     */
    public synchronized boolean report(String key, long modRevision, String value, String problem) {
        if (seen.putIfAbsent(key + "@" + modRevision, Boolean.TRUE) != null) {
            return false;
        }
        // the key's name and the parser's complaint (which may quote the value) come from etcd: escaped
        LOG.warn("ignoring the value of {} (mod_revision {}, {} characters): {}; treating it as empty",
                SafeText.of(key), modRevision, value == null ? 0 : value.length(), SafeText.of(problem));
        return true;
    }
}
