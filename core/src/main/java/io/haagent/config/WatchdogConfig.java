package io.haagent.config;

/** {@code watchdog} (§7.1): mode off|automatic|required, device, safety margin in seconds. */
public record WatchdogConfig(String mode, String device, int safetyMargin) {
    public static final WatchdogConfig DEFAULT = new WatchdogConfig("automatic", "/dev/watchdog", 5);
}
