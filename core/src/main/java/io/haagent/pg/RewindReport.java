package io.haagent.pg;

import java.time.Duration;

/**
 * A successful pg_rewind.
 *
 * @param crashRecoveryRan single-user crash recovery ran first because the last shutdown was not clean
 * @param tool             pg_rewind's own report
 */
public record RewindReport(Upstream source, boolean crashRecoveryRan, Duration duration, ToolReport tool) {
}
