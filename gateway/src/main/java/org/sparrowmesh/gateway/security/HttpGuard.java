package org.sparrowmesh.gateway.security;

import java.time.Duration;
import java.util.Set;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * API keys and the per-key rate limit for plain HTTP (the page's stream, /q/metrics, …): no or a
 * wrong key → 401 with {@code WWW-Authenticate}, over the rate → 429 with {@code Retry-After}; the
 * body is {@code {"error": {"code", "message"}}}. The page's own files and /q/health stay open (the
 * page asks for the key; probes carry none); gRPC requests pass to {@link ApiKeyGrpcInterceptor}.
 */
@ApplicationScoped
public class HttpGuard {

    /** The static page: it holds no data, and it is where a user types the key. */
    static final Set<String> PUBLIC_PATHS = Set.of("/", "/index.html", "/chat.css", "/chat.js", "/favicon.ico");

    private final ApiKeys keys;
    private final RateLimiter limiter;

    public HttpGuard(ApiKeys keys, RateLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
    }

    void install(@Observes Router router) {
        // before every other route, gRPC's and the static resources' included
        router.route().order(Integer.MIN_VALUE).handler(this::guard);
    }

    private void guard(RoutingContext ctx) {
        String contentType = ctx.request().getHeader("content-type");
        String path = ctx.normalizedPath();
        if ((contentType != null && contentType.startsWith("application/grpc")) || PUBLIC_PATHS.contains(path)
                || path.startsWith("/q/health")) {
            ctx.next();
            return;
        }
        ApiKeys.Verdict verdict = keys.check(ApiKeys.presentedKey(ctx.request().getHeader("x-api-key"),
                ctx.request().getHeader("authorization")));
        if (!verdict.allowed()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"sparrow-mesh\"");
            error(ctx, 401, "unauthenticated", verdict.reason());
            return;
        }
        Duration wait = limiter.acquire(verdict.principal());
        if (!wait.isZero()) {
            TooManyRequestsException refusal = new TooManyRequestsException("rate limit of " + verdict.principal() + " reached", wait);
            ctx.response().putHeader("Retry-After", Long.toString(TooManyRequestsException.retryAfterSeconds(wait)));
            error(ctx, 429, "rate_limited", refusal.getMessage());
            return;
        }
        ctx.next();
    }

    /** The one error shape of the gateway's HTTP API. */
    public static void error(RoutingContext ctx, int status, String code, String message) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)).encode());
    }
}
