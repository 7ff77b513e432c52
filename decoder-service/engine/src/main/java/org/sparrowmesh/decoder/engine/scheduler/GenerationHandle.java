package org.sparrowmesh.decoder.engine.scheduler;

/** A submitted request, to cancel it. */
public interface GenerationHandle {

    /**
     * Stops the request: a queued one never starts ({@link GenerationListener#onFailed} with a
     * {@link java.util.concurrent.CancellationException}); running samples leave the batch at the
     * next step ({@link org.sparrowmesh.decoder.engine.generation.FinishReason#CANCELLED}) and
     * their KV memory is released. Idempotent; no effect on a finished request.
     */
    void cancel();
}
