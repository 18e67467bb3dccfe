package io.haagent.pg;

import java.time.Duration;

/**
 * How a stop went.
 *
 * @param wasRunning    false when there was no postmaster to stop (nothing was done)
 * @param requested     the mode asked for
 * @param used          the mode that ended it: a later one when the stop timeout escalated; null when the
 *                      postmaster had to be killed with SIGKILL
 * @param controlData   pg_control after the stop (its checkpoint location is what a leaving primary publishes as
 *                      its last {@code optime}); null when it could not be read
 */
public record StopResult(boolean wasRunning, StopMode requested, StopMode used, Duration duration,
        ControlData controlData) {

    public boolean escalated() {
        return wasRunning && used != requested;
    }
}
