package org.sparrowmesh.gateway.security;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Per-principal token buckets: {@code burst} requests at once, refilled at {@code perMinute}. A
 * refusal says how long until the next token, the retry hint of the 429 / RESOURCE_EXHAUSTED.
 */
@ApplicationScoped
public class RateLimiter {

    private final int perMinute;
    private final int burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    @Inject
    public RateLimiter(SecuritySettings settings) {
        this(settings.rateLimitPerMinute(), settings.rateLimitBurst(), System::nanoTime);
    }

    RateLimiter(int perMinute, int burst, LongSupplier nanoClock) {
        if (perMinute < 0 || burst < 1) {
            throw new IllegalArgumentException("mesh.security.rate-limit-per-minute must be >= 0 and rate-limit-burst >= 1, got "
                    + perMinute + " and " + burst);
        }
        this.perMinute = perMinute;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /** {@link Duration#ZERO} when the request may go, else how long to wait before retrying. */
    public Duration acquire(String principal) {
        if (perMinute == 0) {
            return Duration.ZERO;
        }
        return buckets.computeIfAbsent(principal, p -> new Bucket(burst, nanoClock.getAsLong())).take(nanoClock.getAsLong());
    }

    private final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized Duration take(long now) {
            double nanosPerToken = 60e9 / perMinute;
            tokens = Math.min(burst, tokens + (now - last) / nanosPerToken);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - tokens) * nanosPerToken));
        }
    }
}
