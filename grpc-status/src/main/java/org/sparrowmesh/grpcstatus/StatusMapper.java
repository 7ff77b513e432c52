package org.sparrowmesh.grpcstatus;

import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.jboss.logging.Logger;

/**
 * Maps any exception to the gRPC status a client sees (DESIGN §3), with a human message and
 * never a stack trace.
 *
 * <p>Engines know nothing of gRPC, so they speak in plain Java exceptions and this class gives
 * those a meaning at the edge:
 * <table>
 * <tr><th>thrown</th><th>status</th></tr>
 * <tr><td>{@link StatusException}, {@link StatusRuntimeException}</td><td>as it is</td></tr>
 * <tr><td>{@link IllegalArgumentException} (bad input)</td><td>INVALID_ARGUMENT</td></tr>
 * <tr><td>{@link RejectedExecutionException} (queue full, over budget)</td><td>RESOURCE_EXHAUSTED</td></tr>
 * <tr><td>{@link IllegalStateException} (e.g. no model loaded)</td><td>FAILED_PRECONDITION</td></tr>
 * <tr><td>{@link TimeoutException}, Mutiny's {@code TimeoutException}</td><td>DEADLINE_EXCEEDED</td></tr>
 * <tr><td>{@link UnsupportedOperationException}</td><td>UNIMPLEMENTED</td></tr>
 * <tr><td>{@link CancellationException}</td><td>CANCELLED</td></tr>
 * <tr><td>anything else (a bug)</td><td>INTERNAL, "internal error (id …)"; the stack trace goes to
 * the server log under that id</td></tr>
 * </table>
 * The exception's message is the client's message, so engines must write messages for users
 * ("--top-p must be within [0, 1], got 1.5"), not for developers.
 */
public final class StatusMapper {

    private static final Logger LOG = Logger.getLogger(StatusMapper.class);

    private StatusMapper() {
    }

    /** The status for {@code failure}; logs the stack trace when it is an internal error. */
    public static StatusException toStatusException(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof StatusException se) {
            return se;
        }
        if (t instanceof StatusRuntimeException sre) {
            return new StatusException(sre.getStatus(), sre.getTrailers());
        }
        Status status = statusOf(t);
        if (status.getCode() == Status.Code.INTERNAL) {
            String errorId = UUID.randomUUID().toString().substring(0, 8);
            LOG.errorf(t, "internal error %s", errorId);
            return Status.INTERNAL
                    .withDescription("internal error (id " + errorId + "); the service log has the details")
                    .asException();
        }
        return status.withDescription(messageOf(t)).asException();
    }

    private static Status statusOf(Throwable t) {
        if (t instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT;
        }
        if (t instanceof RejectedExecutionException) {
            return Status.RESOURCE_EXHAUSTED;
        }
        // before IllegalStateException, which it extends
        if (t instanceof CancellationException) {
            return Status.CANCELLED;
        }
        if (t instanceof IllegalStateException) {
            return Status.FAILED_PRECONDITION;
        }
        if (t instanceof TimeoutException || t instanceof io.smallrye.mutiny.TimeoutException) {
            return Status.DEADLINE_EXCEEDED;
        }
        if (t instanceof UnsupportedOperationException) {
            return Status.UNIMPLEMENTED;
        }
        return Status.INTERNAL;
    }

    /** Wrappers of the async machinery say nothing to a user: look at what they carry. */
    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static String messageOf(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return switch (statusOf(t).getCode()) {
                case DEADLINE_EXCEEDED -> "the deadline passed before the work finished";
                case CANCELLED -> "the request was cancelled";
                case RESOURCE_EXHAUSTED -> "the service is at capacity; retry later";
                default -> "the request cannot be served";
            };
        }
        return message;
    }
}
