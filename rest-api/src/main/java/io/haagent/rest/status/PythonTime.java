package io.haagent.rest.status;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps as Patroni's documents print them, so clients that parse them keep working: {@code str(datetime)}
 * ({@code 2023-08-18 11:03:37.966359+00:00}) for postgres times, {@code isoformat()}
 * ({@code 2023-08-18T11:03:37+00:00}) for schedules. Microseconds appear only when non-zero, as in Python.
 */
public final class PythonTime {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'X'HH:mm:ss");
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'X'HH:mm:ss.SSSSSS");

    private PythonTime() {
    }

    /** {@code str(datetime)}: date and time separated by a space. */
    public static String str(OffsetDateTime t) {
        return format(t, " ");
    }

    /** {@code datetime.isoformat()}: date and time separated by {@code T}. */
    public static String iso(OffsetDateTime t) {
        return format(t, "T");
    }

    public static String iso(Instant t) {
        return iso(t.atOffset(ZoneOffset.UTC));
    }

    /** Seconds since the epoch with microseconds, as Patroni's metrics print them. */
    public static double epochSeconds(OffsetDateTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() + (i.getNano() / 1000) / 1e6;
    }

    private static String format(OffsetDateTime t, String sep) {
        boolean micros = t.getNano() / 1000 != 0;
        String base = (micros ? MICROS : SECONDS).format(t).replace("X", sep);
        ZoneOffset off = t.getOffset();
        int total = off.getTotalSeconds();
        String sign = total < 0 ? "-" : "+";
        int abs = Math.abs(total);
        return base + sign + String.format("%02d:%02d", abs / 3600, (abs / 60) % 60);
    }
}
