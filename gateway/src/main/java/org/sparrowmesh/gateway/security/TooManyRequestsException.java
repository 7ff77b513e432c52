package org.sparrowmesh.gateway.security;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/** A refusal for load (RESOURCE_EXHAUSTED / HTTP 429) carrying its retry hint. */
public class TooManyRequestsException extends RejectedExecutionException {

    private final Duration retryAfter;

    public TooManyRequestsException(String what, Duration retryAfter) {
        super(what + "; retry after " + retryAfterSeconds(retryAfter) + " s");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whole seconds, at least 1: what {@code Retry-After} and {@code retry-after} carry. */
    public static long retryAfterSeconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
