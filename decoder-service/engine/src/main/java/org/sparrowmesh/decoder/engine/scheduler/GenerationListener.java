package org.sparrowmesh.decoder.engine.scheduler;

/**
 * Receives the events of one {@link GenerationJob}, in order, on the scheduler thread: it must
 * hand them on without blocking (every other sequence waits for it). An exception thrown here
 * cancels the request.
 *
 * <p>A request ends with exactly one of {@link #onFinished} (after one {@link #onSampleDone} per
 * sample) or {@link #onFailed} (nothing was generated: rejected late, deadline before the first
 * token, cancelled while queued, or the prefill failed).
 */
public interface GenerationListener {

    /** One new token of one sample, with the text it made final (may be empty). */
    void onToken(TokenEvent event);

    /** One sample is finished. */
    void onSampleDone(SampleOutcome outcome);

    /** Every sample is finished; the last event. */
    void onFinished(RequestUsage usage);

    /**
     * The request ended before any token: a {@link java.util.concurrent.TimeoutException} for
     * the deadline, a {@link java.util.concurrent.CancellationException} when cancelled, else
     * the failure.
     */
    void onFailed(Throwable failure);
}
