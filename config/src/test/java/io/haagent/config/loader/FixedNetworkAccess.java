package io.haagent.config.loader;

import java.util.Map;

/** Test hosts for tests outside this package (the fixed network is package-private). */
public final class FixedNetworkAccess {
    private FixedNetworkAccess() {
    }

    /** Host "pgtest", OS user postgres, the real PATH, HOME /home/pgtest, plus {@code extra}; nothing answers. */
    public static HostEnvironment host(Map<String, String> extra) {
        return TestHost.withEnv(extra);
    }
}
