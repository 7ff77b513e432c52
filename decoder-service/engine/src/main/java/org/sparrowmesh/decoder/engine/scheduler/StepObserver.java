package org.sparrowmesh.decoder.engine.scheduler;

/** Told about every forward step of a {@link Scheduler} (metrics), on the scheduler thread. */
public interface StepObserver {

    /**
     * @param sequences     sequences that got a decode token in this step
     * @param prefillTokens prompt tokens fed in this step
     * @param nanos         time of the forward pass and sampling
     */
    void onStep(int sequences, int prefillTokens, long nanos);

    StepObserver NONE = (sequences, prefillTokens, nanos) -> {
    };
}
