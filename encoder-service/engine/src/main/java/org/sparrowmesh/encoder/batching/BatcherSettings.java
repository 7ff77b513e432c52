package org.sparrowmesh.encoder.batching;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of a {@link MicroBatcher}, checked at construction.
 *
 * @param maxBatchSize  most items in one model call
 * @param maxWait       how long the first item of a batch may wait for others before the batch
 *                      runs anyway; zero runs at once with whatever is queued
 * @param queueCapacity most items waiting; a submission that does not fit is refused
 * @param workers       threads that run batches (each runs one batch at a time)
 * @param threadName    prefix of the worker threads' names
 */
public record BatcherSettings(int maxBatchSize, Duration maxWait, int queueCapacity, int workers, String threadName) {

    public BatcherSettings {
        Objects.requireNonNull(maxWait, "max-wait");
        Objects.requireNonNull(threadName, "thread name");
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max-batch-size must be >= 1, got " + maxBatchSize);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("max-wait must not be negative, got " + maxWait);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue-capacity must be >= 1, got " + queueCapacity);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
    }
}
