package org.sparrowmesh.gateway.security;

import java.time.Duration;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Every gRPC call but {@code grpc.health.v1.Health} (kubelet probes carry no key): no or a wrong key
 * → UNAUTHENTICATED; over the key's rate → RESOURCE_EXHAUSTED with a {@code retry-after} trailer
 * (seconds) and the hint in the message.
 */
@GlobalInterceptor
@ApplicationScoped
public class ApiKeyGrpcInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    private final ApiKeys keys;
    private final RateLimiter limiter;

    public ApiKeyGrpcInterceptor(ApiKeys keys, RateLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (call.getMethodDescriptor().getFullMethodName().startsWith("grpc.health.v1.")) {
            return next.startCall(call, headers);
        }
        ApiKeys.Verdict verdict = keys.check(ApiKeys.presentedKey(headers.get(API_KEY), headers.get(AUTHORIZATION)));
        if (!verdict.allowed()) {
            call.close(Status.UNAUTHENTICATED.withDescription(verdict.reason()), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Duration wait = limiter.acquire(verdict.principal());
        if (!wait.isZero()) {
            TooManyRequestsException refusal = new TooManyRequestsException("rate limit of " + verdict.principal() + " reached", wait);
            Metadata trailers = new Metadata();
            trailers.put(RETRY_AFTER, Long.toString(TooManyRequestsException.retryAfterSeconds(wait)));
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(refusal.getMessage()), trailers);
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
