package io.haagent.agent.ha;

import io.haagent.config.WatchdogConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux watchdog device (§7.1, Patroni's {@code watchdog/linux.py}): opened while this node leads, written to
 * once per cycle ({@code '1'}, a keepalive), and closed with the magic character {@code 'V'} when the node stops
 * leading, pauses or shuts down, so that the driver disarms instead of resetting the machine. If the agent or the
 * whole machine hangs while leading, the device resets the machine before the leader key's ttl runs out.
 *
 * <p>The timeout ({@code ttl - safety_margin}, or {@code ttl / 2} with {@code safety_margin: -1}) is set with
 * util-linux's {@code wdctl --settimeout} before the device is opened (Java has no ioctl); on a device that is not
 * a character device (a test's stand-in file) it is not set. Decisions (when to keep it alive, when to disarm,
 * whether a {@code required} watchdog that cannot be opened stops this node from leading) are the decider's; this
 * class only does what the executor's two handlers ask.
 */
public final class Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    private static final ByteBuffer KEEPALIVE = ByteBuffer.wrap(new byte[] {'1'});
    private static final ByteBuffer MAGIC_CLOSE = ByteBuffer.wrap(new byte[] {'V'});

    private final WatchdogConfig config;
    private FileChannel device;
    private int timeoutSet;
    private boolean failed;
    private long failedAtNanos;

    public Watchdog(WatchdogConfig config) {
        this.config = config == null ? WatchdogConfig.DEFAULT : config;
    }

    /** {@code watchdog.mode} is automatic or required. */
    public boolean enabled() {
        String m = config.mode();
        return m != null && !m.equalsIgnoreCase("off") && !m.equalsIgnoreCase("false");
    }

    public boolean required() {
        return "required".equalsIgnoreCase(config.mode());
    }

    /**
     * Whether this node may lead as far as the watchdog goes: the device is open, or it exists and is writable and
     * no attempt to open it failed in the last 30 seconds (Patroni's {@code is_healthy}; the pause keeps a node whose
     * device is busy from taking and releasing the lock every cycle).
     */
    public synchronized boolean usable() {
        if (!enabled()) {
            return false;
        }
        if (device != null) {
            return true;
        }
        Path p = Path.of(config.device());
        boolean recentFailure = failed && System.nanoTime() - failedAtNanos < TimeUnit.SECONDS.toNanos(30);
        return !recentFailure && Files.exists(p) && Files.isWritable(p);
    }

    /**
     * While leading: opens the device (timeout set first) if it is not open, then writes a keepalive. A changed
     * {@code ttl} re-arms it: magic close, new timeout, open (Java cannot set the timeout of an open device).
     *
     * @return false when the watchdog could not be activated and {@code mode} is required
     */
    public synchronized boolean keepAlive(int ttl, int loopWait) {
        if (!enabled()) {
            return true;
        }
        int timeout = config.safetyMargin() == -1 ? ttl / 2 : ttl - config.safetyMargin();
        if (device != null && timeout != timeoutSet) {
            disable();
        }
        try {
            if (timeout < loopWait) {
                throw new IOException("its timeout ttl - safety_margin = " + timeout + "s is shorter than loop_wait ("
                        + loopWait + "s)");
            }
            if (device == null) {
                Path p = Path.of(config.device());
                if (isCharacterDevice(p)) {
                    setTimeout(p, timeout);
                }
                // O_APPEND: no effect on a device; a stand-in file keeps a record of every write
                device = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                timeoutSet = timeout;
                LOG.info("{} activated with {} second timeout", config.device(), timeout);
            }
            device.write(KEEPALIVE.duplicate());
            failed = false;
            return true;
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "it does not exist"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
            if (!failed && required()) {
                LOG.error("watchdog {} could not be activated: {} (watchdog.mode: required: this node will not"
                        + " lead)", config.device(), why);
            } else if (!failed) {
                LOG.info("watchdog {} not used (watchdog.mode: automatic): {}", config.device(), why);
            }
            failed = true;
            failedAtNanos = System.nanoTime();
            closeQuietly();
            return !required();
        }
    }

    /** Disarms with the magic close, if open (giving up the lock, pause, shutdown). */
    public synchronized void disable() {
        if (device == null) {
            return;
        }
        try {
            device.write(MAGIC_CLOSE.duplicate());
            LOG.info("{} disarmed (magic close)", config.device());
        } catch (IOException e) {
            LOG.error("watchdog {}: the magic close failed ({}): the machine may be reset", config.device(),
                    e.getMessage());
        } finally {
            closeQuietly();
        }
    }

    /** The timeout set when the device was opened (0 when closed). */
    public synchronized int timeout() {
        return device == null ? 0 : timeoutSet;
    }

    private void closeQuietly() {
        if (device != null) {
            try {
                device.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", config.device(), e.getMessage());
            }
            device = null;
        }
    }

    private static boolean isCharacterDevice(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode");
            return mode instanceof Integer m && (m & 0170000) == 0020000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static void setTimeout(Path p, int seconds) throws IOException {
        Process proc = new ProcessBuilder("wdctl", "--settimeout", Integer.toString(seconds), p.toString())
                .redirectErrorStream(true).start();
        try {
            String out = new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!proc.waitFor(10, TimeUnit.SECONDS) || proc.exitValue() != 0) {
                throw new IOException("wdctl --settimeout " + seconds + " " + p + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while setting the watchdog timeout", e);
        }
    }
}
