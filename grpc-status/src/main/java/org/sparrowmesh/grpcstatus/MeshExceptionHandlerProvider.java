package org.sparrowmesh.grpcstatus;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.StatusException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;

/**
 * Installs {@link StatusMapper} in every Quarkus gRPC service of the mesh: both for exceptions
 * thrown while a call is handled and for failures emitted by a service's {@code Uni}/{@code Multi}.
 * Replaces Quarkus's default, which answers {@code UNKNOWN} for anything it does not know.
 */
@ApplicationScoped
public class MeshExceptionHandlerProvider implements ExceptionHandlerProvider {

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(
            ServerCall.Listener<ReqT> listener, ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable failure, ServerCall<ReqT, RespT> serverCall, Metadata headers) {
                StatusException status = StatusMapper.toStatusException(failure);
                Metadata trailers = status.getTrailers() != null ? status.getTrailers() : new Metadata();
                try {
                    serverCall.close(status.getStatus(), trailers);
                } catch (IllegalStateException alreadyClosed) {
                    // the call ended (client cancelled) while the failure travelled: nothing to tell
                }
            }
        };
    }

    @Override
    public Throwable transform(Throwable failure) {
        return StatusMapper.toStatusException(failure);
    }
}
