package io.haagent.dcs.etcd;

/** What etcd says of one lease: seconds granted, seconds left ({@code -1} once it expired or was revoked). */
public record LeaseTtl(long id, long grantedSeconds, long remainingSeconds) {
    public boolean alive() {
        return remainingSeconds >= 0;
    }

    /** Seconds since the lease was last kept alive (granted minus left), or -1 when it is gone. */
    public long secondsSinceRenewal() {
        return alive() ? Math.max(0, grantedSeconds - remainingSeconds) : -1;
    }
}
