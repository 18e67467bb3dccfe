package io.haagent.pg.control;

import io.haagent.cluster.Role;
import io.haagent.pg.CallbackAction;
import io.haagent.pg.PostgresException;
import io.haagent.pg.Recovery;
import io.haagent.pg.StartRequest;
import io.haagent.pg.StopMode;
import io.haagent.pg.Upstream;
import io.haagent.pg.files.AtomicFiles;
import io.haagent.pg.sql.Connections;
import io.haagent.pg.sql.SqlErrors;
import io.haagent.slots.SlotAction;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies permanent logical slots from the primary to this replica (§4.8.1), as Patroni 3.x's
 * {@code copy_logical_slots} does: reads each slot's {@code pg_replslot/<name>/state} on the primary with
 * {@code pg_read_binary_file} over an SQL session of the rewind user (which may read files of the data directory),
 * stops postgres, writes each state file into a new slot directory (temporary name, fsync, rename, fsync), and
 * starts postgres again as it ran. The replica's startup then knows the slot at the primary's position, and the
 * HA loop keeps it advanced with {@code pg_replication_slot_advance} (hot_standby_feedback keeps the catalog rows
 * its decoding needs). The caller ({@link LocalPostgres}) holds the action lock.
 */
final class LogicalSlotCopy {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final String READ_SQL = "SELECT slot_name, slot_type, datname, plugin,"
            + " pg_catalog.pg_read_binary_file('pg_replslot/' || slot_name || '/state')"
            + " FROM pg_catalog.pg_get_replication_slots() JOIN pg_catalog.pg_database ON datoid = oid"
            + " WHERE NOT pg_catalog.pg_is_in_recovery() AND slot_name = ANY(?)";

    private final NodeContext ctx;
    private final Lifecycle lifecycle;

    LogicalSlotCopy(NodeContext ctx, Lifecycle lifecycle) {
        this.ctx = ctx;
        this.lifecycle = lifecycle;
    }

    /** @return the names of the slots copied (none when the primary has none of them as configured) */
    List<String> copy(Upstream leader, List<SlotAction.CopyLogical> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ctx.requireRunning("copy logical slots from the primary");
        Map<String, byte[]> states = read(leader, wanted);
        if (states.isEmpty()) {
            return List.of();
        }
        Recovery recovery = ctx.lastRecovery != null ? ctx.lastRecovery : Recovery.readOnly();
        lifecycle.stop(StopMode.FAST, false, NodeContext.remaining(deadline), true, () -> { });
        Path replslot = ctx.dataDir.resolve("pg_replslot");
        try {
            for (Map.Entry<String, byte[]> e : states.entrySet()) {
                write(replslot, e.getKey(), e.getValue());
            }
            AtomicFiles.fsyncDirectory(replslot);
        } catch (IOException e) {
            throw new PostgresException.FileOperationFailed("cannot write a copied replication slot", replslot, e);
        } finally {
            // whatever happened to the files, this replica runs again as it did
            lifecycle.start(new StartRequest(recovery, NodeContext.remaining(deadline), CallbackAction.ON_START,
                    recovery.remote() ? Role.STANDBY_LEADER : Role.REPLICA));
        }
        LOG.info("copied logical replication slots {} from {}", states.keySet(), leader);
        return List.copyOf(states.keySet());
    }

    private Map<String, byte[]> read(Upstream leader, List<SlotAction.CopyLogical> wanted) {
        Map<String, SlotAction.CopyLogical> byName = new LinkedHashMap<>();
        wanted.forEach(w -> byName.put(w.slotName(), w));
        Map<String, byte[]> out = new LinkedHashMap<>();
        PostgresSettings s = ctx.settings();
        try (Connection c = Connections.open(leader.host(), leader.port(), s.database(), s.rewindCredentials(),
                "ha-agent slot copy", Connections.Kind.SQL, Duration.ofSeconds(10));
                PreparedStatement ps = c.prepareStatement(READ_SQL)) {
            Array names = c.createArrayOf("text", byName.keySet().toArray());
            ps.setArray(1, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SlotAction.CopyLogical w = byName.get(rs.getString(1));
                    if (w == null) {
                        continue;
                    }
                    if (!"logical".equals(rs.getString(2)) || !Objects.equals(w.database(), rs.getString(3))
                            || !Objects.equals(w.plugin(), rs.getString(4))) {
                        LOG.warn("Will not copy the logical slot \"{}\" due to the configuration mismatch:"
                                + " configured logical ({}, {}), on the primary {} ({}, {})", w.slotName(),
                                w.database(), w.plugin(), rs.getString(2), rs.getString(3), rs.getString(4));
                        continue;
                    }
                    out.put(w.slotName(), rs.getBytes(5));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.wrap("reading the logical slots to copy from " + leader, e);
        }
        List<String> missing = new ArrayList<>(byName.keySet());
        missing.removeAll(out.keySet());
        if (!missing.isEmpty()) {
            LOG.info("logical slots {} not copied: not found as configured on {}", missing, leader);
        }
        return out;
    }

    private static void write(Path replslot, String name, byte[] state) throws IOException {
        Path dir = replslot.resolve(name);
        Path tmp = replslot.resolve(name + ".tmp");
        if (Files.exists(tmp)) {
            DataDirectories.deleteTree(tmp);
        }
        Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path file = tmp.resolve("state");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(AtomicFiles.OWNER_ONLY));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(state);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        AtomicFiles.fsyncDirectory(tmp);
        if (Files.exists(dir)) {
            DataDirectories.deleteTree(dir);
        }
        Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDirectory(dir);
    }
}
