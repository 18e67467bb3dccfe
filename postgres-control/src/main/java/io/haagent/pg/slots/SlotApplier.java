package io.haagent.pg.slots;

import io.haagent.cluster.Lsn;
import io.haagent.pg.PostgresException;
import io.haagent.slots.ReplicationSlot;
import io.haagent.slots.SlotAction;
import io.haagent.slots.SlotPlan;
import io.haagent.slots.SlotResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link SlotPlan} step by step (STYLE 2), each in its own statement, reporting each outcome: one slot
 * that cannot be created or dropped never stops the others.
 */
public final class SlotApplier {
    public static final String LIST_SQL = "SELECT slot_name, slot_type, database, plugin, temporary, active,"
            + " restart_lsn::text, confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots ORDER BY slot_name";
    private static final Logger LOG = LoggerFactory.getLogger(SlotApplier.class);

    private SlotApplier() {
    }

    public static List<ReplicationSlot> list(Connection c) throws SQLException {
        List<ReplicationSlot> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(LIST_SQL); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ReplicationSlot(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getBoolean(5), rs.getBoolean(6), lsn(rs.getString(7)), lsn(rs.getString(8))));
            }
        }
        return out;
    }

    /**
     * @param local         a superuser connection to the local server's maintenance database
     * @param databaseConns opens a connection to a named database (logical slots live in one database)
     */
    public static List<SlotResult> apply(SlotPlan plan, Connection local, Function<String, Connection> databaseConns) {
        List<SlotResult> out = new ArrayList<>();
        for (SlotAction step : plan.steps()) {
            SlotResult r;
            try {
                r = applyOne(step, local, databaseConns);
            } catch (SQLException e) {
                r = new SlotResult(step, SlotResult.Outcome.FAILED, e.getMessage()
                        + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"));
            } catch (PostgresException e) {
                r = new SlotResult(step, SlotResult.Outcome.FAILED, e.whatHappened());
            }
            if (r.failed()) {
                LOG.warn("replication slot {}: {} failed: {}", step.slotName(), kind(step), r.detail());
            } else if (!(step instanceof SlotAction.Keep) && !(step instanceof SlotAction.CopyLogical)) {
                LOG.info("replication slot {}: {} ({})", step.slotName(), r.detail(), step.reason());
            }
            out.add(r);
        }
        return out;
    }

    private static SlotResult applyOne(SlotAction step, Connection local, Function<String, Connection> dbConns)
            throws SQLException {
        if (step instanceof SlotAction.Keep || step instanceof SlotAction.CopyLogical) {
            return new SlotResult(step, SlotResult.Outcome.SKIPPED, step.reason());
        }
        if (step instanceof SlotAction.CreatePhysical) {
            if (exists(local, step.slotName())) {
                return new SlotResult(step, SlotResult.Outcome.SKIPPED, "already exists");
            }
            // true: reserve WAL now, so the standby finds what it needs from the moment the slot exists
            one(local, "SELECT pg_catalog.pg_create_physical_replication_slot(?, true)", step.slotName());
            return new SlotResult(step, SlotResult.Outcome.DONE, "created physical slot");
        }
        if (step instanceof SlotAction.CreateLogical cl) {
            if (exists(local, step.slotName())) {
                return new SlotResult(step, SlotResult.Outcome.SKIPPED, "already exists");
            }
            try (Connection db = dbConns.apply(cl.database())) {
                one(db, "SELECT pg_catalog.pg_create_logical_replication_slot(?, ?)", cl.slotName(), cl.plugin());
            }
            return new SlotResult(step, SlotResult.Outcome.DONE, "created logical slot in database " + cl.database()
                    + " with plugin " + cl.plugin());
        }
        if (step instanceof SlotAction.Drop) {
            // Safety: never drop a slot a standby is using right now; the check and the drop are one statement
            try (PreparedStatement ps = local.prepareStatement("WITH s AS (SELECT slot_name, active FROM"
                    + " pg_catalog.pg_replication_slots WHERE slot_name = ?), d AS (SELECT"
                    + " pg_catalog.pg_drop_replication_slot(slot_name) FROM s WHERE NOT active)"
                    + " SELECT s.active, (SELECT count(*) FROM d) FROM s")) {
                ps.setString(1, step.slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new SlotResult(step, SlotResult.Outcome.SKIPPED, "already gone");
                    }
                    if (rs.getBoolean(1)) {
                        return new SlotResult(step, SlotResult.Outcome.SKIPPED, "kept: it is active");
                    }
                    return new SlotResult(step, SlotResult.Outcome.DONE, "dropped");
                }
            }
        }
        if (step instanceof SlotAction.Advance adv) {
            ReplicationSlot slot = list(local).stream().filter(s -> s.name().equals(adv.slotName())).findFirst()
                    .orElse(null);
            if (slot == null) {
                return new SlotResult(step, SlotResult.Outcome.SKIPPED, "slot does not exist");
            }
            String sql = "SELECT pg_catalog.pg_replication_slot_advance(?, ?::pg_lsn)::text";
            if (slot.isLogical()) {
                try (Connection db = dbConns.apply(slot.database())) {
                    one(db, sql, adv.slotName(), adv.lsn().toString());
                }
            } else {
                one(local, sql, adv.slotName(), adv.lsn().toString());
            }
            return new SlotResult(step, SlotResult.Outcome.DONE, "advanced to " + adv.lsn());
        }
        throw new IllegalArgumentException("unknown slot step " + step);
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void one(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }

    private static String kind(SlotAction a) {
        return a.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static Lsn lsn(String s) {
        return s == null ? null : Lsn.parse(s);
    }
}
