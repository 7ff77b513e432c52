package org.sparrowmesh.encoder.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Answers INVALID_ARGUMENT for a unary call whose request message never reached the service.
 *
 * <p>A request protobuf cannot parse — in practice a {@code string} field holding bytes that are
 * not UTF-8, which proto3 forbids — is dropped by the transport before the service sees it; the
 * call then half-closes without a message, and gRPC's stock answer is INTERNAL "Half-closed
 * without a request". That is the client's mistake, not the server's, so it is said so here.
 */
@ApplicationScoped
public class UnparsableRequestInterceptor implements ServerInterceptor {

    static final String MESSAGE = "the request message is missing or is not a valid protobuf message of this "
            + "method (protobuf strings must be valid UTF-8)";

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        ServerCall.Listener<ReqT> delegate = next.startCall(call, headers);
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
            return delegate;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean received;

            @Override
            public void onMessage(ReqT message) {
                received = true;
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!received) {
                    call.close(Status.INVALID_ARGUMENT.withDescription(MESSAGE), new Metadata());
                    return;
                }
                super.onHalfClose();
            }
        };
    }
}
