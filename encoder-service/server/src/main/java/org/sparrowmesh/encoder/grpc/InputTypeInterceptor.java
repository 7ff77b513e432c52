package org.sparrowmesh.encoder.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Reads the optional request header {@value #HEADER} ({@code query} or {@code passage}) into
 * the gRPC {@link Context}, so {@code Embed} can put the configured query or passage prefix
 * before the texts (e5-style models). The proto stays as it is: models without prefixes — the
 * default all-MiniLM-L6-v2 among them — never need the header.
 */
@ApplicationScoped
public class InputTypeInterceptor implements ServerInterceptor {

    /** The header, e.g. {@code grpcurl -H 'mesh-input-type: query' …}. */
    public static final String HEADER = "mesh-input-type";

    static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** The header's raw value, or null when absent. */
    static final Context.Key<String> INPUT_TYPE = Context.key(HEADER);

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String value = headers.get(KEY);
        if (value == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(INPUT_TYPE, value), call, headers, next);
    }
}
