package org.sparrowmesh.grpcstatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

import io.grpc.Status;
import io.grpc.StatusException;
import org.junit.jupiter.api.Test;

class StatusMapperTest {

    @Test
    void mapsEachKindOfFailureToItsCodeWithTheHumanMessage() {
        assertStatus(new IllegalArgumentException("max_tokens must be within [1, 4096], got 0"),
                Status.Code.INVALID_ARGUMENT, "max_tokens must be within [1, 4096], got 0");
        assertStatus(new RejectedExecutionException("the queue holds 64 requests; retry later"),
                Status.Code.RESOURCE_EXHAUSTED, "the queue holds 64 requests; retry later");
        assertStatus(new IllegalStateException("no model is loaded: start the decoder with --model"),
                Status.Code.FAILED_PRECONDITION, "no model is loaded: start the decoder with --model");
        assertStatus(new TimeoutException(), Status.Code.DEADLINE_EXCEEDED,
                "the deadline passed before the work finished");
        assertStatus(new io.smallrye.mutiny.TimeoutException(), Status.Code.DEADLINE_EXCEEDED,
                "the deadline passed before the work finished");
        assertStatus(new CancellationException(), Status.Code.CANCELLED, "the request was cancelled");
        assertStatus(new UnsupportedOperationException("mode VECTOR needs an encoder"),
                Status.Code.UNIMPLEMENTED, "mode VECTOR needs an encoder");
    }

    @Test
    void looksThroughAsyncWrappers() {
        assertStatus(new CompletionException(new ExecutionException(new IllegalArgumentException("empty turn"))),
                Status.Code.INVALID_ARGUMENT, "empty turn");
    }

    @Test
    void keepsAStatusThatIsAlreadyThere() {
        StatusException original = Status.NOT_FOUND.withDescription("no such doc").asException();
        assertThat(StatusMapper.toStatusException(original)).isSameAs(original);
        StatusException fromRuntime = StatusMapper.toStatusException(
                Status.ABORTED.withDescription("retry").asRuntimeException());
        assertThat(fromRuntime.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(fromRuntime.getStatus().getDescription()).isEqualTo("retry");
    }

    @Test
    void aBugBecomesInternalWithAnErrorIdAndNoDetailsForTheClient() {
        StatusException status = StatusMapper.toStatusException(
                new NullPointerException("Cannot invoke \"String.length()\" because \"secret\" is null"));
        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(status.getStatus().getDescription())
                .matches("internal error \\(id [0-9a-f]{8}\\); the service log has the details")
                .doesNotContain("secret", "NullPointerException");
        assertThat(status.getStatus().getCause()).isNull();
    }

    @Test
    void pendingIssueSaysWhichIssueBringsTheRpc() {
        var status = PendingIssue.unavailable("Decoder.Generate", 5, "decoder service").getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(status.getDescription())
                .isEqualTo("Decoder.Generate is not served by this build: it arrives with issue #5 (decoder service)");
    }

    private static void assertStatus(Throwable failure, Status.Code code, String message) {
        StatusException status = StatusMapper.toStatusException(failure);
        assertThat(status.getStatus().getCode()).as("code for %s", failure).isEqualTo(code);
        assertThat(status.getStatus().getDescription()).as("message for %s", failure).isEqualTo(message);
    }
}
