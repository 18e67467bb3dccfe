package io.haagent.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scheduled time in a restart or switchover request (§2.6), checked as Patroni checks it: it must parse
 * (422), carry a time zone (400), and not lie in the past (422). Accepted: ISO 8601 date and time with
 * {@code T} or a space, optional seconds and fraction, and a zone {@code Z}, {@code UTC}, {@code +HH:MM},
 * {@code +HHMM} or {@code +HH}. The REST API answers {@link Invalid} with its status and message; agentctl
 * checks {@code --scheduled} with the same rule before it asks a node.
 */
public final class ScheduledTime {
    private static final Pattern TIMESTAMP = Pattern.compile(
            "^(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[T ](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?"
                    + "\\s*(Z|z|UTC|GMT|[+-]\\d{2}(?::?\\d{2})?)?$");

    private ScheduledTime() {
    }

    /** Why a scheduled time was refused, with the HTTP status Patroni answers it with. */
    public enum Problem {
        NOT_A_TIME(422), NO_TIME_ZONE(400), IN_THE_PAST(422);

        private final int status;

        Problem(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** A refused time; the message is Patroni's, naming the field. */
    public static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final Problem problem;

        Invalid(Problem problem, String message) {
            super(message, null, false, false);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    /**
     * @param field  the request field, named in messages ({@code schedule} or {@code scheduled_at})
     * @param action {@code restart}, {@code switchover} or {@code failover}, as in Patroni's messages
     * @throws Invalid when the text is not a time, has no zone, or lies before {@code now}
     */
    public static OffsetDateTime parse(String text, String field, String action, Instant now) {
        Matcher m = TIMESTAMP.matcher(text.trim());
        if (!m.matches()) {
            throw notATime(field, "'" + text + "'");
        }
        LocalDateTime local;
        try {
            int nanos = 0;
            if (m.group(7) != null) {
                nanos = Integer.parseInt((m.group(7) + "000000000").substring(0, 9));
            }
            local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                    m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), nanos);
        } catch (DateTimeException e) {
            throw notATime(field, "'" + text + "' (" + e.getMessage() + ")");
        }
        String zone = m.group(8);
        if (zone == null) {
            throw new Invalid(Problem.NO_TIME_ZONE, "Timezone information is mandatory for the scheduled " + action
                    + " (field '" + field + "': '" + text + "')");
        }
        ZoneOffset offset;
        try {
            offset = offset(zone);
        } catch (DateTimeException e) {
            throw notATime(field, "'" + text + "' (" + e.getMessage() + ")");
        }
        OffsetDateTime at = OffsetDateTime.of(local, offset);
        if (at.toInstant().isBefore(now)) {
            throw new Invalid(Problem.IN_THE_PAST, "Cannot schedule " + action + " in the past (field '" + field
                    + "': '" + text + "')");
        }
        return at;
    }

    /** The refusal of a value that is not a time at all; {@code got} describes it (quoted text, or its type). */
    public static Invalid notATime(String field, String got) {
        return new Invalid(Problem.NOT_A_TIME, "Unable to parse scheduled timestamp. It should be in an unambiguous"
                + " format, e.g. ISO 8601 (field '" + field + "': " + got + ")");
    }

    private static ZoneOffset offset(String zone) {
        switch (zone) {
            case "Z", "z", "UTC", "GMT":
                return ZoneOffset.UTC;
            default:
                String digits = zone.substring(1).replace(":", "");
                int hours = Integer.parseInt(digits.substring(0, 2));
                int minutes = digits.length() > 2 ? Integer.parseInt(digits.substring(2)) : 0;
                int sign = zone.startsWith("-") ? -1 : 1;
                return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
        }
    }
}
