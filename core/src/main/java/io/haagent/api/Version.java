package io.haagent.api;

/**
 * The version we publish. Patroni peers parse {@code version} in the member key as dotted integers and
 * make compatibility decisions on it (§0.7), so we advertise the Patroni behaviour we implement (3.3.1);
 * our own release is {@link #AGENT}.
 */
public final class Version {
    /** Written to {@code members/<name>.version} and {@code /patroni}. */
    public static final String PATRONI_COMPATIBLE = "3.3.1";
    public static final String AGENT = "0.1.0";

    private Version() {
    }
}
