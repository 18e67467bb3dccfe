package io.haagent.agent.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.haagent.config.WatchdogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §7.1 on a stand-in device file: what the agent writes, and when it refuses. */
class WatchdogTest {
    @TempDir
    Path dir;

    @Test
    void keepalivesThenMagicCloseAndATtlChangeReArms() throws Exception {
        Path dev = Files.createFile(dir.resolve("watchdog"));
        Watchdog w = new Watchdog(new WatchdogConfig("automatic", dev.toString(), 5));
        assertThat(w.usable()).isTrue();
        assertThat(w.keepAlive(30, 10)).isTrue();
        assertThat(w.keepAlive(30, 10)).isTrue();
        assertThat(w.timeout()).isEqualTo(25);
        w.disable();
        w.disable();
        assertThat(Files.readString(dev)).isEqualTo("11V");
        assertThat(w.keepAlive(30, 10)).isTrue();
        assertThat(w.keepAlive(20, 10)).as("ttl changed: re-armed").isTrue();
        assertThat(w.timeout()).isEqualTo(15);
        assertThat(Files.readString(dev)).isEqualTo("11V1V1");
    }

    @Test
    void safetyMarginMinusOneIsHalfTheTtlAndATimeoutBelowLoopWaitIsRefused() throws Exception {
        Path dev = Files.createFile(dir.resolve("watchdog"));
        Watchdog half = new Watchdog(new WatchdogConfig("required", dev.toString(), -1));
        assertThat(half.keepAlive(30, 10)).isTrue();
        assertThat(half.timeout()).isEqualTo(15);
        half.disable();
        Watchdog tooShort = new Watchdog(new WatchdogConfig("required", dev.toString(), 25));
        assertThat(tooShort.keepAlive(30, 10)).as("timeout 5s < loop_wait 10s").isFalse();
        assertThat(tooShort.usable()).as("a failed activation counts for a while").isFalse();
        assertThat(Files.readString(dev)).isEqualTo("1V");
    }

    @Test
    void aRequiredDeviceThatCannotBeOpenedIsNotUsableAndOffDoesNothing() throws Exception {
        Path dev = Files.createFile(dir.resolve("watchdog"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r--------")));
        Watchdog required = new Watchdog(new WatchdogConfig("required", dev.toString(), 5));
        if (!"root".equals(System.getProperty("user.name"))) {
            assertThat(required.usable()).isFalse();
            assertThat(required.keepAlive(30, 10)).isFalse();
        }
        Watchdog missing = new Watchdog(new WatchdogConfig("automatic", dir.resolve("none").toString(), 5));
        assertThat(missing.usable()).isFalse();
        assertThat(missing.keepAlive(30, 10)).as("automatic: leads without it").isTrue();
        Watchdog off = new Watchdog(new WatchdogConfig("off", dev.toString(), 5));
        assertThat(off.enabled()).isFalse();
        assertThat(off.keepAlive(30, 10)).isTrue();
        assertThat(Files.readString(dev)).isEmpty();
    }
}
