package io.haagent.dcs.etcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one place that tells what a failed etcd call means (STYLE 6: "lost the race" is a result, "cannot tell"
 * is an exception). Every gRPC status, jetcd exception and local timeout falls into one {@link Kind}:
 *
 * <ul>
 *   <li>{@link Kind#LEASE_NOT_FOUND}: our lease expired or was revoked; grant a new one.</li>
 *   <li>{@link Kind#UNREACHABLE}: no answer, a timeout, a leader election, an overloaded or closing connection.
 *       For a write the outcome is unknown: it may have been applied. Safe reads are retried; conditional
 *       writes are resolved by re-reading (see {@code EtcdDcs}).</li>
 *   <li>{@link Kind#REJECTED}: etcd answered and refused (credentials, permissions, a malformed request): a
 *       retry gives the same answer, so it is reported at once.</li>
 *   <li>{@link Kind#COMPACTED}: a watch asked for history that is gone; resynchronise from a full read.</li>
 * </ul>
 */
public final class EtcdErrors {
    public enum Kind { LEASE_NOT_FOUND, UNREACHABLE, REJECTED, COMPACTED }

    private EtcdErrors() {
    }

    public static Kind classify(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof CompactedException) {
            return Kind.COMPACTED;
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("requested lease not found")) {
            return Kind.LEASE_NOT_FOUND;
        }
        if (message.contains("invalid auth token") || message.contains("revision of auth store is old")) {
            // an expired token: jetcd fetched a new one, the next attempt carries it
            return Kind.UNREACHABLE;
        }
        if (e instanceof TimeoutException || e instanceof CancellationException
                || e instanceof RejectedExecutionException || e instanceof IOException) {
            return Kind.UNREACHABLE;
        }
        Status.Code code = code(e);
        if (code == null) {
            return Kind.UNREACHABLE;
        }
        switch (code) {
            case UNAVAILABLE:
            case DEADLINE_EXCEEDED:
            case CANCELLED:
            case RESOURCE_EXHAUSTED:
            case ABORTED:
            case FAILED_PRECONDITION:
            case INTERNAL:
            case UNKNOWN:
                return Kind.UNREACHABLE;
            case OUT_OF_RANGE:
                return message.contains("compacted") ? Kind.COMPACTED : Kind.REJECTED;
            default:
                return Kind.REJECTED;
        }
    }

    /** The gRPC code behind a jetcd or gRPC exception, or null when there is none. */
    static Status.Code code(Throwable e) {
        if (e instanceof EtcdException ee && ee.getErrorCode() != null) {
            return Status.Code.valueOf(ee.getErrorCode().name());
        }
        if (e instanceof StatusRuntimeException sre) {
            return sre.getStatus().getCode();
        }
        if (e instanceof StatusException se) {
            return se.getStatus().getCode();
        }
        Status s = Status.fromThrowable(e);
        return s.getCode() == Status.Code.UNKNOWN && s.getDescription() == null && s.getCause() == e ? null
                : s.getCode();
    }

    /** The cause that matters: without the {@code ExecutionException}/{@code CompletionException} wrappers. */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * A short description for messages: the gRPC code, etcd's words and, when gRPC only says "io exception" or
     * nothing, the root cause (a TLS handshake alert, a refused connection); never a stack.
     */
    public static String describe(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof TimeoutException) {
            return "no answer in time";
        }
        Status.Code code = code(e);
        String msg = firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        if (code != null && !msg.startsWith(code.name())) {
            msg = code.name() + ": " + msg;
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !msg.contains(firstLine(root.getMessage()))) {
            msg = msg + " (" + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
        }
        return msg;
    }

    private static String firstLine(String s) {
        String t = s.trim();
        int nl = t.indexOf('\n');
        return nl > 0 ? t.substring(0, nl) : t;
    }
}
