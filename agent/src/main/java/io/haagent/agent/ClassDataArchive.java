package io.haagent.agent;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class-data archive that halves the agent's start (about 2 s to 1 s on two cores): most of a cold start is
 * loading and verifying some 7,800 classes (Javalin, Jetty, gRPC, Netty, Jackson). The launcher passes
 * {@code -XX:SharedArchiveFile} when an archive for this exact runtime and {@code lib/} exists; when none does,
 * it starts the JVM with {@code -XX:+RecordDynamicDumpInfo} and names the archive in {@value #PROPERTY}, and
 * this class writes it once the agent is warm (its classes loaded by real work, not by a training run), at a
 * quiet moment: the dump stops the JVM for about a second, so never during a long action. Written to a
 * temporary file and renamed, so a start never sees half an archive; any failure only costs the speed-up.
 */
public final class ClassDataArchive {
    private static final String PROPERTY = "ha_agent.cds.archive";
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchive.class);

    private ClassDataArchive() {
    }

    /**
     * Writes the requested archive {@code after} the start, as soon as {@code quiet} says so (asked every 10 s,
     * given up after 10 minutes). Does nothing when no archive was requested.
     */
    public static void writeWhenWarm(Duration after, BooleanSupplier quiet) {
        // set by the launcher when no archive fits (none in use, and CDS not off)
        String requested = System.getProperty(PROPERTY);
        if (requested == null || requested.isBlank()) {
            return;
        }
        Path target = Path.of(requested);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(after.toMillis());
                for (int i = 0; i < 60; i++) {
                    if (quiet.getAsBoolean()) {
                        write(target);
                        return;
                    }
                    Thread.sleep(10_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cds-archive");
        t.setDaemon(true);
        t.start();
    }

    /** Dumps the loaded classes to {@code target} (through a temporary file); any failure is logged. */
    private static void write(Path target) {
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        long t0 = System.nanoTime();
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmCds",
                    new Object[] {new String[] {"dynamic_dump", tmp.toString()}},
                    new String[] {String[].class.getName()});
            if (!Files.isRegularFile(tmp)) {
                LOG.info("no class-data archive was written to {}: starts stay at their cold speed", tmp);
                return;
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("wrote the class-data archive {} ({} MB) in {} ms: the next start loads its classes from it",
                    target, Files.size(target) >> 20, (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
            LOG.info("could not write the class-data archive {} ({}): starts stay at their cold speed", target,
                    e.getMessage());
            try {
                Files.deleteIfExists(tmp);
            } catch (java.io.IOException ignored) {
                // nothing more to do
            }
        }
    }
}
