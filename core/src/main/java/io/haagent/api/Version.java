package io.haagent.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version we publish. Patroni peers parse {@code version} in the member key as dotted integers and
 * make compatibility decisions on it (§0.7), so we advertise the Patroni behaviour we implement (3.3.1);
 * our own release is {@link #AGENT}.
 */
public final class Version {
    /** Written to {@code members/<name>.version} and {@code /patroni}. */
    public static final String PATRONI_COMPATIBLE = "3.3.1";
    /**
     * This release as the Debian package names it, which is what {@code --version} prints: the build's Maven
     * version ({@code io/haagent/version.properties}, filled in by the build) with a pre-release suffix turned into
     * Debian's {@code ~} form, so that it sorts before the release: {@code 0.1.0-SNAPSHOT} is {@code 0.1.0~snapshot}.
     */
    public static final String AGENT = debian(mavenVersion());

    private Version() {
    }

    static String mavenVersion() {
        try (InputStream in = Version.class.getResourceAsStream("/io/haagent/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "");
            return v.isBlank() || v.contains("${") ? "0.0.0~unknown" : v.strip();
        } catch (IOException e) {
            return "0.0.0~unknown";
        }
    }

    /** {@code 0.1.0-SNAPSHOT -> 0.1.0~snapshot}, {@code 0.2.0-rc1 -> 0.2.0~rc1}, {@code 0.1.0 -> 0.1.0}. */
    public static String debian(String maven) {
        return maven.replace("-SNAPSHOT", "~snapshot").replace('-', '~');
    }
}
