package io.haagent.sim;

import java.util.Random;

/** The cluster's settings for one run, drawn from the seed. */
record Variant(String syncMode, boolean strict, long maxLag, boolean watchdog) {
    static Variant of(Random r) {
        String mode = new String[] {"off", "off", "on", "quorum"}[r.nextInt(4)];
        return new Variant(mode, !mode.equals("off") && r.nextBoolean(),
                new long[] {16384, 65536, 1 << 20}[r.nextInt(3)], r.nextBoolean());
    }

    String yaml() {
        return "    maximum_lag_on_failover: " + maxLag + "\n"
                + "    synchronous_mode: " + (syncMode.equals("off") ? "false" : syncMode.equals("on") ? "true"
                        : "quorum") + "\n"
                + "    synchronous_mode_strict: " + strict + "\n"
                + "    postgresql:\n      use_pg_rewind: true\n";
    }

    @Override
    public String toString() {
        return "synchronous_mode " + syncMode + (strict ? " strict" : "") + ", maximum_lag_on_failover " + maxLag
                + (watchdog ? ", watchdog" : ", no watchdog");
    }
}
