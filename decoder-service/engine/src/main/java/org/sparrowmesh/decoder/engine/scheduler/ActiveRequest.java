package org.sparrowmesh.decoder.engine.scheduler;

import java.util.ArrayList;
import java.util.List;

import org.sparrowmesh.decoder.engine.model.InferenceState;

/**
 * A request inside the {@link Scheduler}: waiting, then prefilling its prompt chunk by chunk,
 * then decoding its samples. Only the scheduler thread touches it, except {@link #cancel()}.
 */
final class ActiveRequest implements GenerationHandle {

    final GenerationJob job;
    final long submittedNanos;
    final long reservedBytes;
    private final Runnable wakeScheduler;
    private volatile boolean cancelled;

    /** The prompt's sequence while prefilling; null before admission and once the samples exist. */
    InferenceState prefillState;
    int prefilledTokens;
    long admittedNanos;
    long prefillDoneNanos;
    long firstTokenNanos;
    final List<SampleSequence> samples = new ArrayList<>();
    int finishedSamples;
    int generatedTokens;

    ActiveRequest(GenerationJob job, long submittedNanos, long reservedBytes, Runnable wakeScheduler) {
        this.job = job;
        this.submittedNanos = submittedNanos;
        this.reservedBytes = reservedBytes;
        this.wakeScheduler = wakeScheduler;
    }

    @Override
    public void cancel() {
        cancelled = true;
        wakeScheduler.run();
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean prefilling() {
        return prefillState != null;
    }

    /** Whether any token was sampled: after that, a deadline ends samples instead of failing the request. */
    boolean started() {
        return !samples.isEmpty();
    }

    boolean allSamplesDone() {
        return started() && finishedSamples == samples.size();
    }
}
