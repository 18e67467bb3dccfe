package io.haagent.rest.status;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.haagent.api.CandidateCheck;
import io.haagent.api.DecisionRecord;
import io.haagent.api.NodeSnapshot;
import io.haagent.api.PostgresStatus;
import io.haagent.api.PostgresStatus.ReplicationConnection;
import io.haagent.api.RestartRequest;
import io.haagent.api.RoleChange;
import io.haagent.cluster.ClusterView;
import io.haagent.cluster.Member;
import io.haagent.rest.health.HealthFacts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;

/**
 * The node's status document: the body of {@code GET /patroni} and of every health check (§2.4), with Patroni's
 * fields and names, plus {@code host}/{@code port} of this node's postgres (so a client can connect straight from
 * the first 200 it gets), the change of primary it takes part in ({@code primary_change}), the last decision of the
 * HA loop and the timings of the last role change.
 */
public final class StatusDocument {
    static final JsonFactory JSON = new JsonFactory();

    private StatusDocument() {
    }

    /**
     * @param fresh the cluster view if it is fresh (younger than ttl), else null: Patroni then reports
     *              {@code cluster_unlocked} and no {@code sync_standby}
     */
    public static byte[] render(NodeSnapshot s, ClusterView fresh) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, s, fresh);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void write(JsonGenerator g, NodeSnapshot s, ClusterView fresh) throws IOException {
        PostgresStatus pg = s.postgres();
        g.writeStartObject();
        g.writeStringField("state", HealthFacts.servedState(pg));
        if (pg.queried()) {
            if (pg.postmasterStartTime() != null) {
                g.writeStringField("postmaster_start_time", PythonTime.str(pg.postmasterStartTime()));
            }
            g.writeStringField("role", pg.role());
            g.writeNumberField("server_version", pg.serverVersion());
            g.writeObjectFieldStart("xlog");
            if (!pg.inRecovery()) {
                g.writeNumberField("location", pg.xlogLocation());
            } else {
                long replayed = pg.replayedLocation() == null ? 0 : pg.replayedLocation();
                long received = pg.receivedLocation() == null || pg.receivedLocation() == 0 ? replayed
                        : pg.receivedLocation();
                g.writeNumberField("received_location", received);
                g.writeNumberField("replayed_location", replayed);
                if (pg.replayedTimestamp() == null) {
                    g.writeNullField("replayed_timestamp");
                } else {
                    g.writeStringField("replayed_timestamp", PythonTime.str(pg.replayedTimestamp()));
                }
                g.writeBooleanField("paused", Boolean.TRUE.equals(pg.replayPaused()));
            }
            g.writeEndObject();
            if (HealthFacts.syncStandby(s, fresh)) {
                g.writeBooleanField("sync_standby", true);
            }
            if (HealthFacts.quorumStandby(s, fresh)) {
                g.writeBooleanField("quorum_standby", true);
            }
            if (pg.timeline() != null) {
                g.writeNumberField("timeline", pg.timeline());
            }
            if (pg.replicationState() != null) {
                g.writeStringField("replication_state", pg.replicationState());
            }
            if (!pg.replication().isEmpty()) {
                g.writeArrayFieldStart("replication");
                for (ReplicationConnection r : pg.replication()) {
                    g.writeStartObject();
                    nullableString(g, "usename", r.usename());
                    nullableString(g, "application_name", r.applicationName());
                    nullableString(g, "client_addr", r.clientAddr());
                    nullableString(g, "state", r.state());
                    nullableString(g, "sync_state", r.syncState());
                    g.writeNumberField("sync_priority", r.syncPriority());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        } else {
            g.writeStringField("role", pg.role());
        }
        if (s.paused()) {
            g.writeBooleanField("pause", true);
        }
        if (fresh == null || fresh.isUnlocked()) {
            g.writeBooleanField("cluster_unlocked", true);
        }
        if (s.failsafeActive()) {
            g.writeBooleanField("failsafe_mode_is_active", true);
        }
        g.writeNumberField("dcs_last_seen", s.dcsLastSeen());
        if (!s.tags().isEmpty()) {
            g.writeFieldName("tags");
            Json.writeValue(g, s.tags().values());
        }
        if (s.sysid() != null && !s.sysid().isEmpty()) {
            g.writeStringField("database_system_identifier", s.sysid());
        }
        if (s.pendingRestart() || !s.pendingRestartReason().isEmpty()) {
            g.writeBooleanField("pending_restart", true);
            if (!s.pendingRestartReason().isEmpty()) {
                g.writeFieldName("pending_restart_reason");
                Json.writeValue(g, s.pendingRestartReason());
            }
        }
        g.writeObjectFieldStart("patroni");
        g.writeStringField("version", s.patroniVersion());
        g.writeStringField("scope", s.scope());
        g.writeStringField("name", s.name());
        g.writeEndObject();
        if (s.scheduledRestart() != null && s.scheduledRestart().scheduled()) {
            g.writeFieldName("scheduled_restart");
            writeScheduledRestart(g, s.scheduledRestart());
        }
        if (s.watchdogFailed()) {
            g.writeBooleanField("watchdog_failed", true);
        }
        // Our additions (Patroni clients ignore fields they do not know).
        if (s.connectHost() != null) {
            g.writeStringField("host", s.connectHost());
            g.writeNumberField("port", s.connectPort());
        }
        writePrimaryChange(g, s);
        if (s.lastDecision() != null) {
            g.writeFieldName("last_decision");
            writeDecision(g, s.lastDecision());
        }
        if (s.lastRoleChange() != null) {
            g.writeFieldName("last_role_change");
            writeRoleChange(g, s.lastRoleChange());
        }
        if (s.configRejection() != null) {
            g.writeFieldName("config_rejected");
            writeRejection(g, s.configRejection());
        }
        g.writeEndObject();
    }

    /**
     * {@code config_rejected}: the config key's revision that is not applied, the revision in force instead (0: the
     * node's own configuration; -1: none valid was seen, the refused one is read as far as it can be) and why.
     */
    static void writeRejection(JsonGenerator g, io.haagent.api.ConfigRejection r) throws IOException {
        g.writeStartObject();
        g.writeNumberField("revision", r.revision());
        g.writeNumberField("kept_revision", r.keptRevision());
        g.writeArrayFieldStart("problems");
        for (io.haagent.config.ConfigProblem p : r.errors()) {
            g.writeStartObject();
            g.writeStringField("path", p.path());
            g.writeStringField("reason", p.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * {@code primary_change} while this node is part of a change of primary, so that a client that got 503 from
     * GET /primary knows whom to wait on instead of sleeping (issue 17; examples/python/ha_client.py):
     * {@code {"step": "demoting", "to": {...}}} on a primary that is stepping down (to the switchover's
     * candidate, when one was named), {@code {"step": "promoting", "to": {...}}} on a leader whose postgres is still
     * a replica being promoted. {@code to} names the member with its {@code host}, {@code port} and {@code api_url}.
     */
    static void writePrimaryChange(JsonGenerator g, NodeSnapshot s) throws IOException {
        if (s.steppingDown()) {
            g.writeObjectFieldStart("primary_change");
            g.writeStringField("step", "demoting");
            Member to = s.steppingDownTo() == null || s.cluster() == null ? null
                    : s.cluster().member(s.steppingDownTo()).orElse(null);
            if (to != null) {
                writeMember(g, to.name(), to.host(), to.port(), to.apiUrl());
            }
            g.writeEndObject();
        } else if (s.leaderLockHeld() && !s.standbyCluster() && !HealthFacts.writable(s)) {
            g.writeObjectFieldStart("primary_change");
            g.writeStringField("step", "promoting");
            writeMember(g, s.name(), s.connectHost(), s.connectPort(), s.apiUrl());
            g.writeEndObject();
        }
    }

    private static void writeMember(JsonGenerator g, String name, String host, Integer port, String apiUrl)
            throws IOException {
        g.writeObjectFieldStart("to");
        g.writeStringField("name", name);
        if (host != null) {
            g.writeStringField("host", host);
            g.writeNumberField("port", port == null ? 5432 : port);
        }
        if (apiUrl != null) {
            g.writeStringField("api_url", apiUrl);
        }
        g.writeEndObject();
    }

    static void writeScheduledRestart(JsonGenerator g, RestartRequest r) throws IOException {
        g.writeStartObject();
        g.writeStringField("schedule", PythonTime.iso(r.schedule()));
        if (r.role() != null) {
            g.writeStringField("role", r.role());
        }
        if (r.postgresVersion() != null) {
            g.writeStringField("postgres_version", r.postgresVersion());
        }
        if (r.restartPending()) {
            g.writeBooleanField("restart_pending", true);
        }
        if (r.timeoutSeconds() != null) {
            g.writeNumberField("timeout", r.timeoutSeconds());
        }
        g.writeEndObject();
    }

    private static void writeDecision(JsonGenerator g, DecisionRecord d) throws IOException {
        g.writeStartObject();
        if (d.at() != null) {
            g.writeStringField("at", PythonTime.iso(d.at()));
        }
        nullableString(g, "summary", d.summary());
        if (!d.actions().isEmpty()) {
            g.writeArrayFieldStart("actions");
            for (String a : d.actions()) {
                g.writeString(a);
            }
            g.writeEndArray();
        }
        if (!d.inputs().isEmpty()) {
            g.writeObjectFieldStart("inputs");
            for (Map.Entry<String, String> e : d.inputs().entrySet()) {
                nullableString(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        if (!d.candidates().isEmpty()) {
            g.writeArrayFieldStart("candidates");
            for (CandidateCheck c : d.candidates()) {
                g.writeStartObject();
                g.writeStringField("member", c.member());
                g.writeBooleanField("eligible", c.eligible());
                if (c.reason() != null) {
                    g.writeStringField("reason", c.reason());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void writeRoleChange(JsonGenerator g, RoleChange c) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", c.kind().label());
        nullableString(g, "from", c.fromRole());
        nullableString(g, "to", c.toRole());
        if (c.reason() != null) {
            g.writeStringField("reason", c.reason());
        }
        if (c.startedAt() != null) {
            g.writeStringField("started_at", PythonTime.iso(c.startedAt()));
        }
        if (c.completedAt() != null) {
            g.writeStringField("completed_at", PythonTime.iso(c.completedAt()));
        }
        Duration total = c.duration();
        if (total != null) {
            g.writeNumberField("duration_seconds", seconds(total));
        }
        if (!c.phases().isEmpty()) {
            g.writeObjectFieldStart("phases_seconds");
            for (Map.Entry<String, Duration> e : c.phases().entrySet()) {
                g.writeNumberField(e.getKey(), seconds(e.getValue()));
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static void nullableString(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }
}
