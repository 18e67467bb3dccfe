package io.haagent.cluster;

import java.time.OffsetDateTime;

/**
 * The {@code failover} key: a manual switchover ({@code leader} set) or failover request. {@code candidate}
 * is written as {@code member}. {@code scheduledAt} keeps the wire text too, so an unparsable value can be
 * reported rather than lost. A key holding {@code {}} is "no request" and is represented by {@link #isEmpty()}.
 */
public record FailoverRequest(String leader, String candidate, OffsetDateTime scheduledAt, long modRevision) {

    public static FailoverRequest of(String leader, String candidate, OffsetDateTime scheduledAt) {
        return new FailoverRequest(blankToNull(leader), blankToNull(candidate), scheduledAt, 0);
    }

    public boolean isEmpty() {
        return leader == null && candidate == null && scheduledAt == null;
    }

    public boolean isSwitchover() {
        return leader != null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
