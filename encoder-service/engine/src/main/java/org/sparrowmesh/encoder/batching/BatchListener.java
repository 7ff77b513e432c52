package org.sparrowmesh.encoder.batching;

/**
 * Told about every batch a {@link MicroBatcher} runs, on the worker thread, after the batch's
 * requests were completed. Must be quick and must not throw.
 */
@FunctionalInterface
public interface BatchListener {

    /** Ignores every batch. */
    BatchListener NONE = report -> {
    };

    void onBatch(BatchReport report);
}
