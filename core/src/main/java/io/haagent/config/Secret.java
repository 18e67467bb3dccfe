package io.haagent.config;

import java.util.Objects;

/**
 * A password or key passphrase. {@link #toString()} never shows the value, so a secret cannot reach a log
 * line, an error message or a record's {@code toString()} by accident; {@link #reveal()} is explicit.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** A secret, or null for a null or empty value (an empty YAML {@code password:} means none). */
    public static Secret of(Object value) {
        if (value == null) {
            return null;
        }
        String s = value.toString();
        return s.isEmpty() ? null : new Secret(s);
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "******";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Objects.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }
}
