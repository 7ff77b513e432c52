package org.sparrowmesh.decoder.engine.model;

/**
 * What the scheduler needs of a forward pass: new sequences, and one step over a
 * {@link ForwardBatch} that leaves each entry's logits in its state. Two implementations: the
 * CPU's {@link ForwardPass} and the CUDA device's
 * {@link org.sparrowmesh.decoder.engine.cuda.CudaBatchedForward}; sequences of one never run on
 * the other.
 */
public interface BatchedForward extends AutoCloseable {

    Llama model();

    /** Most entries of one step. */
    int batchCapacity();

    /** A new, empty sequence of at most {@code contextSize} tokens. */
    InferenceState newState(int contextSize, KeyValuePrecision precision);

    /**
     * One step over every entry of {@code batch}; each entry that wants logits finds them in its
     * state ({@link InferenceState#logits()}, and {@link InferenceState#logSumExp()} when they
     * hold only the best tokens).
     */
    void forward(ForwardBatch batch);

    /** Where the step runs, for the log and ModelInfo (kernels, device, threads). */
    String description();

    @Override
    void close();
}
