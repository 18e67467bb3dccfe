package io.haagent.cluster;

/**
 * A PostgreSQL WAL position. Patroni stores LSNs as plain integers (byte position, {@code hi * 2^32 + lo});
 * PostgreSQL prints them as {@code hi/lo} in hex. This type converts between the two.
 */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    public Lsn {
        if (value < 0) {
            throw new IllegalArgumentException("LSN cannot be negative: " + value);
        }
    }

    public static Lsn of(long value) {
        return new Lsn(value);
    }

    /** Parses PostgreSQL's text form, e.g. {@code 0/3000060} or {@code 16/B374D848}. */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN text is null");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash <= 0 || slash == t.length() - 1) {
            throw new IllegalArgumentException("not an LSN (expected hi/lo in hex): '" + text + "'");
        }
        try {
            long hi = Long.parseLong(t.substring(0, slash), 16);
            long lo = Long.parseLong(t.substring(slash + 1), 16);
            if (hi > 0xFFFFFFFFL || lo > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("LSN part out of range: '" + text + "'");
            }
            return new Lsn((hi << 32) | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (expected hi/lo in hex): '" + text + "'", e);
        }
    }

    public long minus(Lsn other) {
        return value - other.value;
    }

    public boolean isAfter(Lsn other) {
        return value > other.value;
    }

    public static Lsn max(Lsn a, Lsn b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.value >= b.value ? a : b;
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compare(value, o.value);
    }

    /** PostgreSQL's text form, {@code %X/%X}. */
    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
