package io.haagent.api;

import java.time.OffsetDateTime;

/**
 * A restart asked for through {@code POST /restart} (§2.6), immediate ({@code schedule == null}) or scheduled,
 * with Patroni's filters. Null filters do not restrict.
 *
 * @param role            only restart when the node has this role ({@code master}/{@code primary} or
 *                        {@code replica})
 * @param postgresVersion only restart when the running server is older than this ({@code X.Y} or {@code X.Y.Z})
 * @param restartPending  only restart when a restart is pending
 * @param timeoutSeconds  how long the restarted postgres may take to start before the agent may fail over
 */
public record RestartRequest(
        OffsetDateTime schedule,
        String role,
        String postgresVersion,
        boolean restartPending,
        Integer timeoutSeconds) {

    public static final RestartRequest IMMEDIATE = new RestartRequest(null, null, null, false, null);

    public boolean scheduled() {
        return schedule != null;
    }

    /**
     * {@code 15.4 -> 150004}, {@code 9.6.24 -> 90624}. Versions 10 and later have two parts, older ones three.
     *
     * @throws IllegalArgumentException with Patroni's message when the text is not such a version
     */
    public static int postgresVersionToInt(String version) {
        String[] parts = version == null ? new String[0] : version.split("\\.", -1);
        int[] c = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                c[i] = Integer.parseInt(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid PostgreSQL version: " + version);
        }
        if (c.length < 2 || (c.length == 2 && c[0] < 10) || c.length > 3) {
            throw new IllegalArgumentException(
                    "Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: " + version);
        }
        if (c.length == 2) {
            return c[0] * 10000 + c[1];
        }
        return c[0] * 10000 + c[1] * 100 + c[2];
    }
}
