package org.sparrowmesh.gateway.security;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import org.sparrowmesh.proto.v1.TurnEvent;

/**
 * The global concurrent-turn limit shared by gRPC and the web page: a turn takes a permit when it
 * is subscribed and gives it back when it ends, fails or is cancelled; with none free it is refused
 * at once with a retry hint, never queued.
 */
@ApplicationScoped
public class TurnAdmission {

    private final SecuritySettings settings;
    private final Semaphore permits;

    public TurnAdmission(SecuritySettings settings) {
        if (settings.maxConcurrentTurns() < 1) {
            throw new IllegalArgumentException("mesh.security.max-concurrent-turns must be >= 1, got " + settings.maxConcurrentTurns());
        }
        this.settings = settings;
        this.permits = new Semaphore(settings.maxConcurrentTurns());
    }

    /** The turn's events, run only when a permit is free. */
    public Multi<TurnEvent> admit(Supplier<Multi<TurnEvent>> turn) {
        return Multi.createFrom().deferred(() -> {
            if (!permits.tryAcquire()) {
                return Multi.createFrom().failure(new TooManyRequestsException(
                        "the gateway is running its limit of " + settings.maxConcurrentTurns() + " turns at once",
                        settings.busyRetryAfter()));
            }
            Multi<TurnEvent> events;
            try {
                events = turn.get();
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
            return events.onTermination().invoke(permits::release);
        });
    }

    /** Free permits now (for tests and metrics). */
    public int available() {
        return permits.availablePermits();
    }
}
